"""The downloads (``schema/<version>/...``) and the page listing them."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mcds import generate as gen
from mcds import standard as std

from .cli import command_help
from .guides import guide_downloads
from .markdown import DOWNLOADS, REFERENCE, ROOT, code, header, md_table, rel
from .toolkit import TOOLKIT, distribution_names, distributions, project

DOWNLOAD_GROUPS = (  # (heading, which files), in the order readers look for them
    ("The standard", lambda n: "/" not in n and n.endswith(".json") and n not in ("disclosure.json", "statistics.json")),
    ("Template and examples", lambda n: n.endswith(".xlsx") or n.startswith("examples/")),
    ("Table Schemas", lambda n: n.startswith(("tables/", "schemas/"))),
    ("Codelists", lambda n: n.startswith("codelists/")),
    ("Catalogues, rules and statistics", lambda n: True),
)


def downloads_page() -> str:
    page = f"{REFERENCE}/downloads.md"
    parts = [header("the standard's files (`standard/<version>/`) and `fixtures/valid/`"), "# Downloads\n\n",
             "Everything a tool needs to read, write or check the standard, at addresses that never change "
             f"for a version: `{std.canonical_url()}{DOWNLOADS}/VERSION/FILE`. The example submissions are "
             "synthetic: they describe no real child.\n\n", toolkit_section(page), guides_section(page)]
    for version in reversed(std.supported_versions()):
        files = download_files(version)
        parts.append(f"## Version {version} {{#v{version.replace('.', '-')}}}\n\n")
        left = dict(files)
        for heading, wanted in DOWNLOAD_GROUPS:
            names = [n for n in left if wanted(n)]
            if not names:
                continue
            rows = [[f"[{code(n)}]({rel(page, f'{DOWNLOADS}/{version}/{n}')})", left.pop(n)[0]] for n in names]
            anchor = re.sub(r"[^a-z0-9]+", "-", f"v{version} {heading}".lower()).strip("-")
            parts.append(f"### {heading} {{#{anchor}}}\n\n")
            parts.append(md_table(["File", "What it is"], rows) + "\n")
            if heading.startswith("Template") and not any(n.endswith(".xlsx") for n in names):
                parts.append("The XLSX template appears here once `mcds template` is part of the toolkit.\n\n")
    return "".join(parts)


def toolkit_section(page: str) -> str:
    """The toolkit's wheel and sdist, built by the docs build from the same commit as the site."""
    name, version = project()
    what = {"wheel": "The toolkit, ready to install with `pip` or `pipx`: the `mcds` command, with every version of "
                     "the standard inside it.",
            "sdist": "Its source distribution: the code, the standard's folders, the tests, fixtures and documentation."}
    rows = [[f"[{code(file)}]({rel(page, TOOLKIT + '/' + file)})", what[kind]] for kind, file in distribution_names().items()]
    return (f"## The toolkit, {name} {version} {{#toolkit}}\n\n"
            f"[Install the toolkit]({rel(page, 'councils/install.md')}) says how to install the wheel with nothing "
            "but Python, also on a computer without internet access.\n\n" + md_table(["File", "What it is"], rows) + "\n")


def guides_section(page: str) -> str:
    """The mappings and synthetic exports the case-management guides use."""
    rows = [[f"[{code(name.rsplit('/', 1)[-1])}]({rel(page, name)})", what] for name, (what, _) in guide_downloads().items()]
    return ("## Case-management systems {#case-management}\n\n"
            "The mapping files of the guides for councils' own systems, and synthetic exports to try them on.\n\n"
            + md_table(["File", "What it is"], rows) + "\n")


# ---------------------------------------------------------------- downloads

ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed, so the same files give the same archive


def zip_folder(folder: Path, name: str | None = None, keep: Callable[[Path], bool] = lambda p: True) -> bytes:
    """The folder's files (those ``keep`` keeps) zipped in a folder called ``name`` (default: the folder's own)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and keep(p):
                info = zipfile.ZipInfo(f"{name or folder.name}/{p.relative_to(folder).as_posix()}", ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, p.read_bytes())
    return buf.getvalue()


def fixture_version(path: Path) -> str:
    try:
        if path.is_dir():
            meta = json.loads((path / "datapackage.json").read_text(encoding="utf-8")).get("mcds", {})
        elif path.suffix == ".json":
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        else:
            meta = {}
    except (OSError, ValueError):
        meta = {}
    return str(meta.get("standard_version") or std.current_version())


def has_command(*path: str) -> bool:
    from mcds.cli import main

    cmd: click.Command | None = main
    for name in path:
        if not isinstance(cmd, click.Group):
            return False
        cmd = cmd.get_command(click.Context(cmd), name)
        if cmd is None:
            return False
    return True


def template_bytes(version: str) -> bytes | None:
    """The XLSX template made by `mcds template`, or None until that command exists."""
    if not has_command("template"):
        return None
    from click.testing import CliRunner

    from mcds.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "template.xlsx"
        args = ["template", "--out", str(out)]
        if "--standard-version" in command_help(("template",)):
            args += ["--standard-version", version]
        result = CliRunner().invoke(main, args)
        if result.exit_code != 0 or not out.is_file():
            msg = f"`mcds {' '.join(args)}` failed ({result.exit_code}): {result.output}"
            raise RuntimeError(msg)
        return out.read_bytes()


DESCRIPTIONS = {
    "datapackage.json": "The Data Package descriptor: every table's Table Schema, with codes as `enum`.",
    "submission.schema.json": "JSON Schema (2020-12) of the JSON form of a submission.",
    "report.schema.json": "JSON Schema of the validation report (`mcds validate --format json`).",
    "metadata.json": "The submission's metadata fields.",
    "standard.json": "The standard's name, description, licence and tables.",
    "issues.csv": "The issue catalogue.",
    "indicators.csv": "The indicator catalogue.",
    "disclosure.json": "The default disclosure control of published statistics.",
    "statistics.json": "How the indicators are published in the EES format: data set, time period and filters.",
    "migration.json": "The machine-readable map from the previous version: what was added, deprecated and derived "
                      "(`mcds upgrade` follows it).",
    "schemas/": "Source Table Schema of the table {name}.",
    "codelists/": "Codelist {name}.",
    "rules/": "Portable SQL of the rule {name}.",
    "indicators/": "Portable SQL of the indicator {name}.",
}


def _standard_files(root: Any) -> list[str]:
    out = []

    def walk(entry: Any, prefix: str) -> None:
        for child in sorted(entry.iterdir(), key=lambda e: e.name):
            if child.is_dir():
                if child.name != "conformance":
                    walk(child, f"{prefix}{child.name}/")
            elif not child.name.startswith("."):
                out.append(f"{prefix}{child.name}")

    walk(root, "")
    return out


def example_sources(version: str) -> list[Path]:
    """The example submissions of a version: those of ``fixtures/valid/`` in that version, else the copies
    kept in ``fixtures/<version>/`` (so that a version's examples stay published after the fixtures move on)."""
    found: dict[str, Path] = {}
    for folder in (ROOT / "fixtures" / "valid", ROOT / "fixtures" / version):
        for p in sorted(folder.iterdir()) if folder.is_dir() else []:
            if p.name not in found and fixture_version(p) == version:
                found[p.name] = p
    return list(found.values())


def download_files(version: str) -> dict[str, tuple[str, Callable[[], bytes]]]:
    """Downloads of one version: name -> (what it is, a function giving its bytes)."""
    s = std.load(version)

    def blob(relative: str) -> Callable[[], bytes]:
        return lambda: (s.root / relative).read_bytes()

    files: dict[str, tuple[str, Callable[[], bytes]]] = {}
    # Every file of the standard's folder, at the same path (the conformance suite stays in the repository).
    for relative in _standard_files(s.root):
        folder, _, name = relative.rpartition("/")
        what = DESCRIPTIONS.get(relative) or DESCRIPTIONS.get(f"{folder}/") or "A file of the standard."
        files[relative] = (what.format(name=name.rsplit(".", 1)[0]), blob(relative))
    # The Table Schemas ready for Frictionless tools: codes written in as `enum`, as in datapackage.json.
    for t in s.tables.values():
        schema = {"$schema": t.descriptor.get("$schema"), "title": t.title, "description": t.description,
                  **gen.table_schema(s, t)}
        files[f"tables/{t.name}.json"] = (f"Table Schema of {t.name}.csv, with its codes as `enum` (for Frictionless tools).",
                                          lambda schema=schema: gen.dumps(schema).encode())
    if has_command("template"):
        files["template.xlsx"] = ("The empty workbook for recording by hand (made by `mcds template`).",
                                  lambda: template_bytes(version) or b"")
    for p in example_sources(version):
        if p.is_dir() and (p / "datapackage.json").is_file():
            files[f"examples/{p.name}.zip"] = (f"Synthetic example submission ({p.name}), CSV package, zipped.",
                                               lambda p=p: zip_folder(p))
        elif p.is_file() and p.suffix in (".json", ".xlsx"):
            form = "JSON form" if p.suffix == ".json" else "workbook form"
            files[f"examples/{p.name}"] = (f"Synthetic example submission ({p.stem}), {form}.", lambda p=p: p.read_bytes())
    return files


def all_downloads() -> dict[str, bytes]:
    """Path relative to the site root -> bytes, for every supported version."""
    return {**{f"{DOWNLOADS}/{v}/{name}": make() for v in std.supported_versions()
               for name, (_, make) in download_files(v).items()},
            **{f"{TOOLKIT}/{name}": data for name, data in distributions().items()},
            **{name: make() for name, (_, make) in guide_downloads().items()}}
