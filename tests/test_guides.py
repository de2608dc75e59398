"""The councils' guides: their commands' output is real and in sync, each is built on its system's bundled
mapping and export, the site offers those files, and the mapping file's reference covers every key."""

from __future__ import annotations

import importlib
import io
import re
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from mcds.convert.mapped import convert_mapped, load_mapping

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


sys.path.insert(0, str(ROOT / "scripts"))  # the docs generator
runner = importlib.import_module("docs_gen.runner")
guides = importlib.import_module("docs_gen.guides")
mapping_doc = importlib.import_module("docs_gen.mapping")

PAGES = [*(f"councils/{s}.md" for s in guides.SYSTEMS), "councils/mapping-file.md", "councils/install.md"]


def text(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_each_guide_shows_the_real_output_of_its_commands(page: str) -> None:
    filled = runner.fill_runs(text(page), page)
    assert 'Output to come' not in filled
    assert filled == text(page), f"run `python scripts/build_docs.py`: {page} is out of date"


@pytest.mark.parametrize("system", list(guides.SYSTEMS))
def test_each_guide_runs_its_systems_bundled_mapping_to_a_valid_package_and_statistics(system: str) -> None:
    page = text(f"councils/{system}.md")
    copied = set(re.findall(r"<!-- mcds-session: copy (\S+) -> (\S+) -->", page))
    folder = guides.fixture(system)
    exports = sorted(p for p in folder.iterdir() if p.name != guides.MAPPING)
    wanted = {((folder / guides.MAPPING).relative_to(ROOT).as_posix(), f"{system}.yaml"),
              *((p.relative_to(ROOT).as_posix(), f"export/{p.name}") for p in exports)}
    assert wanted <= copied
    runs = re.findall(r"<!-- mcds-run(?: exit=(\d+))?: (.+?) -->\n```console\n(.*?)```", page, re.S)
    by_command = {cmd: (exit_code, out) for exit_code, cmd, out in runs}
    convert = next(c for c in by_command if c.startswith(f"mcds convert mapped export --mapping {system}.yaml "))
    exit_code, out = by_command[convert]
    assert not exit_code and "rejected" in out and "Valid: 0 errors" in out
    package = convert.split("--out ")[1]
    assert any(c.startswith(f"mcds pseudonymise {package} ") for c in by_command)
    stats = next(out for c, (_, out) in by_command.items() if c.startswith("mcds stats "))
    assert "missing_from_care.csv" in stats
    head = next(out for c, (_, out) in by_command.items() if c.startswith("head -n") and "missing_from_care.csv" in c)
    assert head.splitlines()[2].startswith("2025,Reporting year,National,E92000001,England")
    assert f"../examples/{system}/{system}.yaml" in page and f"../examples/{system}/{system}-export.zip" in page


def test_the_site_offers_each_guides_mapping_and_export() -> None:
    files = {name: make() for name, (_, make) in guides.guide_downloads().items()}
    for system in guides.SYSTEMS:
        folder = guides.fixture(system)
        assert files[f"examples/{system}/{system}.yaml"] == (folder / guides.MAPPING).read_bytes()
        with zipfile.ZipFile(io.BytesIO(files[f"examples/{system}/{system}-export.zip"])) as z:
            zipped = {n: z.read(n) for n in z.namelist()}
        assert zipped == {f"export/{p.name}": p.read_bytes() for p in folder.iterdir() if p.name != guides.MAPPING}
    downloads = text("reference/downloads.md")
    assert all(f"../{name}" in downloads for name in files)


def test_the_mapping_reference_gives_every_key_its_description_and_a_valid_example() -> None:
    schema = mapping_doc.mapping_schema()
    page = text("councils/mapping-file.md")
    assert len(mapping_doc.keys(schema)) >= 20
    sections = {m[1]: m[2] for m in re.finditer(r"^### [^\n]*\{#(\S+)\}\n(.*?)(?=^### |\Z)", page, re.S | re.M)}
    for name, obj, _ in mapping_doc.objects(schema):
        section = sections[mapping_doc.anchor(name)]
        rows = {m[0]: m[1:] for m in re.findall(r"^\| `([^`]+)` \| (.*?) \| (.*?) \| (.*?) \|$", section, re.M)}
        assert set(rows) == set(obj["properties"]), name
        for key, prop in obj["properties"].items():
            what, takes, example = rows[key]
            assert prop.get("description") and prop["description"] in what, f"{name}.{key} has no description"
            assert ("required" in takes) == (key in obj.get("required", [])), f"{name}.{key}"
            assert example.startswith(f"`{key}: "), f"{name}.{key} has no example"
            # The example is valid where the key is: checked against the key's own schema, with the whole schema's $defs.
            jsonschema.validate(prop["examples"][0], {**prop, "$defs": schema["$defs"]})


def test_the_walk_through_mapping_is_a_working_mapping(tmp_path: Path) -> None:
    page = text("councils/mapping-file.md")
    block = re.search(r"```yaml\n(.*?)```", page, re.S)[1]
    (tmp_path / "walk-through.yaml").write_text(block, encoding="utf-8")
    m = load_mapping(tmp_path / "walk-through.yaml")
    export = guides.fixture("eclipse") / "eclipse_missing_form.csv"
    sub, report = convert_mapped([export], m)
    rows = len(export.read_text(encoding="utf-8-sig").splitlines()) - 1
    assert len(sub.rows("missing_episodes")) == rows and not report.issues
    assert {r["episode_type"] for r in sub.rows("missing_episodes")} <= {"missing", "away"}
    assert all(r["interview_id"].startswith("RI-F") for r in sub.rows("return_interviews"))
    notes = re.findall(r"^(\d+)\. ", page, re.M)
    assert notes == [str(n) for n in range(1, len(re.findall(r"# \(\d+\)", block)) + 1)]
    assert yaml.safe_load(block)["council"]["la"] == "352"


def test_issues_in_a_mapped_export_are_placed_in_the_exports_own_rows_and_columns(tmp_path: Path) -> None:
    """As the Eclipse guide shows: an answer the value map does not list is reported in the export's file,
    row and column (the provenance kept beside the package), in a workbook's sheet too."""
    import mcds
    from mcds.convert import provenance
    from mcds.submission import write_csv_package

    folder = guides.fixture("eclipse")
    export = tmp_path / "export"
    export.mkdir()
    for p in folder.glob("*.csv"):
        (export / p.name).write_bytes(p.read_bytes())
    form = export / "eclipse_missing_form.csv"
    lines = form.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[4].split(",")
    cells[header.index("ABSENCETYPE")] = "Runaway"
    form.write_text("\n".join([*lines[:4], ",".join(cells), *lines[5:]]) + "\n", encoding="utf-8")
    sub, report = convert_mapped([export], folder / guides.MAPPING)
    write_csv_package(sub, tmp_path / "package")
    provenance.write(report.provenance, tmp_path / "package")
    found = {(i.code, i.location.file, i.location.row, i.location.column, i.location.field)
             for i in mcds.validate(tmp_path / "package").issues if i.severity.value == "error"}
    assert found == {("codelist-value", "eclipse_missing_form.csv", 5, "D", "episode_type")}

    mosaic = guides.fixture("mosaic")
    sub, report = convert_mapped([mosaic / "mosaic_export.xlsx"], mosaic / guides.MAPPING)
    origins = report.provenance.tables["missing_episodes"]
    assert {o.base.sheet for o in origins} == {"Missing steps"} and origins[0].base.row == 2
    assert origins[0].base.columns["episode_type"][1] == "Child Absent or Missing (Document)"
