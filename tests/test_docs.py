"""The documentation site: built strictly, generated pages in sync, and complete.

The site is built once per session into a temporary folder (never into the tree), with
``mkdocs build --strict``: any warning, such as a broken link or anchor, fails the build.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

import mcds
from mcds import catalogue as cat
from mcds import standard as std
from mcds.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("test_docs")]  # its site or browser built once, on one worker


def load_build_docs():
    spec = importlib.util.spec_from_file_location("build_docs", ROOT / "scripts" / "build_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_docs = load_build_docs()
docs_codelists = importlib.import_module("docs_gen.codelists")  # build_docs put scripts/ on the path
docs_markdown = importlib.import_module("docs_gen.markdown")


def build_site(target: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(target)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    result = build_site(target)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert not re.search(r"^(WARNING|ERROR)\b", log, re.M), log
    return target


class Page(HTMLParser):
    """The text, element ids and links of a built page, and the text of each of its sections (from an
    ``h2`` with an id to the next ``h2``), and of the version switcher."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.chunks: list[str] = []
        self.links: list[tuple[str, str]] = []  # (section, href)
        self._sections: dict[str, list[str]] = {}
        self._section = ""
        self._skip = 0
        self._div_depth = 0
        self._switcher_depth: int | None = None
        self.feed(html)
        self.text = " ".join(" ".join(self.chunks).split())
        self.sections = {k: " ".join(" ".join(v).split()) for k, v in self._sections.items()}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.ids.update(v for k, v in attrs if k == "id" and v)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "h2" and a.get("id"):
            self._section = a["id"] or ""
        if tag == "div":
            self._div_depth += 1
            if "mcds-version" in (a.get("class") or "").split():
                self._switcher_depth = self._div_depth
        if tag == "a" and a.get("href"):
            self.links.append(("switcher" if self._switcher_depth else self._section, a["href"] or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "div":
            if self._switcher_depth == self._div_depth:
                self._switcher_depth = None
            self._div_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)
            self._sections.setdefault("switcher" if self._switcher_depth else self._section, []).append(data)


def page(site: Path, path: str) -> Page:
    file = site / path / "index.html"
    assert file.is_file(), f"{path} is not in the built site"
    return Page(file.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- configuration and generation


def test_site_url_is_the_standards_canonical_url() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_url"] == std.canonical_url()


def test_site_is_offline_and_link_checked() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["theme"]["font"] is False
    assert config["strict"] is True
    assert {"anchors", "not_found", "unrecognized_links"} <= {
        k for k, v in config["validation"]["links"].items() if v == "warn"}
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in config.get("plugins", [])]
    assert "social" not in plugins and "search" in plugins
    assert not config.get("extra_javascript"), "no scripts from outside the site"


def test_generated_pages_equal_a_fresh_generation() -> None:
    problems: list[str] = []
    pages = build_docs.generate(problems)
    assert problems == []
    stale = build_docs.stale_pages(pages)
    assert stale == [], f"run `python scripts/build_docs.py`: out of date: {stale}"


def test_generated_reference_pages_say_they_are_generated() -> None:
    for path in (DOCS / "reference").rglob("*.md"):
        text = re.sub(r"\A---\n.*?\n---\n\n", "", path.read_text(encoding="utf-8"), flags=re.S)  # front matter
        first, _, rest = text.partition("\n\n")
        assert first.startswith("# ") and rest.startswith("<!-- Generated by scripts/build_docs.py"), path


def test_documented_command_that_fails_unexpectedly_is_reported(tmp_path: Path) -> None:
    text = ("<!-- mcds-run: mcds schema --format xml -->\n<!-- mcds-run end -->\n"
            "<!-- mcds-run exit=2: mcds codelist no-such-list -->\n<!-- mcds-run end -->\n")
    with pytest.raises(build_docs.StaleExample, match="exited 2, expected 0"):
        build_docs.fill_runs(text, "example.md")
    filled = build_docs.fill_runs(text.replace("mcds-run: mcds schema --format xml", "mcds-run: mcds schema"), "x.md")
    assert "$ mcds codelist no-such-list" in filled and "$ echo $?\n2" in filled
    assert "children" in filled  # the real output of `mcds schema`


def test_command_not_in_the_toolkit_leaves_a_note_and_blocks_later_steps() -> None:
    text = ("<!-- mcds-run: mcds no-such-command x -->\n<!-- mcds-run end -->\n"
            "<!-- mcds-run: mcds schema -->\n<!-- mcds-run end -->\n")
    filled = build_docs.fill_runs(text, "x.md")
    assert filled.count('!!! note "Output to come"') == 2
    assert "`mcds no-such-command`, which is not in the toolkit yet" in filled


def test_session_directives_prepare_the_scratch_folder(tmp_path: Path) -> None:
    session = build_docs.Session(tmp_path)
    session.prepare("copy fixtures/valid/kent -> kent")
    session.prepare("set kent/missing_episodes.csv 2 episode_type Missing")
    session.prepare("demo-key council.key")
    rows = (tmp_path / "kent" / "missing_episodes.csv").read_text(encoding="utf-8").splitlines()
    original = (ROOT / "fixtures" / "valid" / "kent" / "missing_episodes.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    assert rows[1].split(",")[header.index("episode_type")] == "Missing"
    assert rows[2:] == original[2:] and rows[0] == original[0]
    assert len((tmp_path / "council.key").read_text(encoding="utf-8").strip()) >= 64
    assert session.run("head -n 2 kent/missing_episodes.csv") == (0, "\n".join(rows[:2]))
    with pytest.raises(ValueError, match="unknown mcds-session directive"):
        session.prepare("delete everything")
    with pytest.raises(ValueError, match="must start with mcds"):
        session.run("rm -rf kent")


def test_embeds_come_from_the_standard() -> None:
    s = std.load()
    name, cl = next(iter(s.codelists.items()))
    text = build_docs.embed("codes", name, "councils/x.md")
    assert all(code_.code in text for code_ in cl.codes) and f"../reference/codelists/{name}.md" in text
    f = s.tables["children"].fields[0]
    assert f.description in build_docs.embed("field", f"children.{f.name}", "councils/x.md")
    assert all(t.title in build_docs.embed("tables", "all", "x.md") for t in s.tables.values())
    with pytest.raises(ValueError, match="unknown mcds-embed kind"):
        build_docs.embed("nonsense", "x", "x.md")
    page = "<!-- mcds-embed: codes " + name + " -->\nstale text\n<!-- mcds-embed end -->\n"
    assert "stale text" not in build_docs.fill_embeds(page, "x.md")


# ---------------------------------------------------------------- the built site


def test_every_table_and_field_has_its_reference(site: Path) -> None:
    s = std.load()
    for t in s.tables.values():
        p = page(site, f"reference/tables/{t.name}")
        for f in t.fields:
            assert f.name in p.ids, f"{t.name}.{f.name} has no anchor"
            assert f.title in p.text and f.description.split("`")[0][:60] in p.text
            assert (f.version_added or "1.0") in p.text
    meta = page(site, "reference/metadata")
    for f in s.metadata_fields:
        assert f.name in meta.ids


def test_every_codelist_and_code_is_in_the_site(site: Path) -> None:
    s = std.load()
    index = page(site, "reference/codelists")
    for name, cl in s.codelists.items():
        assert name in index.text
        p = page(site, f"reference/codelists/{name}")
        missing = [c.code for c in cl.codes if c.code not in p.text]
        assert not missing, f"codes of {name} missing from its page: {missing[:5]}"


def test_every_issue_code_is_in_the_catalogue_page(site: Path) -> None:
    p = page(site, "reference/issues")
    for code_, it in cat.catalogue().items():
        assert code_ in p.ids, code_
        assert it.title in p.text and it.guidance.split("`")[0][:50] in p.text
        sql = it.sql(std.current_version())
        if sql:
            assert " ".join(sql.split())[:40] in p.text, f"the SQL of {code_} is not shown"


def test_issue_examples_come_from_the_conformance_suite(site: Path) -> None:
    s = std.load()
    cases = build_docs.conformance_cases(s)
    p = page(site, "reference/issues")
    for code_ in cat.catalogue():
        named = [name for name, exp, _ in cases if any(i[0] == code_ for i in exp.get("issues", []))]
        if named:
            assert any(f"conformance case {name}" in p.text for name in named), code_


def test_every_indicator_is_in_the_catalogue_page(site: Path) -> None:
    s = std.load()
    p = page(site, "reference/indicators")
    for row in build_docs.indicators_rows(s):
        assert row["id"] in p.ids and row["label"] in p.text


def commands(group: click.Group, path: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*path, name))


def test_every_command_and_its_help_is_in_the_cli_reference(site: Path) -> None:
    p = page(site, "reference/cli")
    found = list(commands(main))
    assert found
    for path, cmd in found:
        assert "-".join(path) in p.ids, path
        help_text = CliRunner().invoke(main, [*path, "--help"], prog_name="mcds", terminal_width=build_docs.COLUMNS).output
        assert " ".join(help_text.split()) in p.text, f"help of mcds {' '.join(path)} is stale"
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in p.text


def test_search_index_holds_every_field(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["location"] + " " + d["title"] + " " + d["text"] for d in index["docs"])
    for f in std.load().all_fields():
        assert f"tables/{f.table}/#{f.name}" in text


def test_downloads_are_at_stable_versioned_paths(site: Path) -> None:
    for version in std.supported_versions():
        s = std.load(version)
        base = site / "schema" / version
        for rel in ("datapackage.json", "submission.schema.json", "report.schema.json", "metadata.json",
                    "issues.csv", "indicators.csv"):
            assert (base / rel).read_bytes() == (s.root / rel).read_bytes(), rel
        for name in s.codelists:
            assert (base / "codelists" / f"{name}.csv").read_bytes() == (s.root / "codelists" / f"{name}.csv").read_bytes()
        package = json.loads((base / "datapackage.json").read_text(encoding="utf-8"))
        for resource in package["resources"]:
            table_schema = json.loads((base / "tables" / f"{resource['name']}.json").read_text(encoding="utf-8"))
            assert table_schema["fields"] == resource["schema"]["fields"]
        # the JSON Schemas' $id resolve to where the site publishes them
        for rel in ("submission.schema.json", "report.schema.json"):
            assert s.read_json(rel)["$id"] == f"{std.canonical_url()}schema/{version}/{rel}"
        assert (base / "template.xlsx").is_file() == build_docs.has_command("template")


def test_downloads_option_writes_what_the_site_publishes(site: Path, tmp_path: Path) -> None:
    count = build_docs.write_downloads(tmp_path)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    # the downloads: the standard's files, the toolkit's wheel and sdist, the guides' examples (not docs/examples)
    in_docs = {p.relative_to(DOCS).as_posix() for p in (DOCS / "examples").rglob("*") if p.is_file()}
    published = sorted(rel for p in site.rglob("*") if p.is_file()
                       and (rel := p.relative_to(site).as_posix()).split("/")[0] in ("schema", "toolkit", "examples")
                       and rel not in in_docs)
    assert written == published and count == len(written)
    assert [r for r in written if (tmp_path / r).read_bytes() != (site / r).read_bytes()] == [], "reproducible"


def test_example_downloads_hold_the_fixtures(site: Path) -> None:
    folders = [p for v in ("valid", *std.supported_versions()) if (ROOT / "fixtures" / v).is_dir()
               for p in sorted((ROOT / "fixtures" / v).iterdir())]
    for version in std.supported_versions():  # every version keeps example submissions
        assert list((site / "schema" / version / "examples").glob("*.zip")), version
    for folder in folders:
        if not folder.is_dir():
            continue
        version = build_docs.fixture_version(folder)
        if folder.parent.name != "valid" and (ROOT / "fixtures" / "valid" / folder.name).is_dir() \
                and build_docs.fixture_version(ROOT / "fixtures" / "valid" / folder.name) == version:
            continue  # the same example in fixtures/valid is the one published
        with zipfile.ZipFile(site / "schema" / version / "examples" / f"{folder.name}.zip") as z:
            for f in folder.iterdir():
                assert z.read(f"{folder.name}/{f.name}") == f.read_bytes()
    assert build_docs.zip_folder(folder) == build_docs.zip_folder(folder), "archives are reproducible"


def test_template_download_is_the_template_command_output(site: Path) -> None:
    if not build_docs.has_command("template"):
        pytest.skip("`mcds template` is not in the toolkit yet")
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(site / "schema" / std.current_version() / "template.xlsx")
    titles = set(wb.sheetnames)
    assert all(t.title[:31] in titles for t in std.load().tables.values())


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    remote = r"[\"']?(?:https?:)?//"
    loads = re.compile(rf"<(?:script|img|iframe|source)[^>]+src={remote}|url\({remote}", re.I)
    link = re.compile(r"<link\b[^>]*>", re.I)
    offenders = []
    for p in site.rglob("*"):
        if p.suffix not in (".html", ".css"):
            continue
        text = p.read_text(encoding="utf-8", errors="replace")
        links = [t for t in link.findall(text) if not re.search(r"rel=[\"']?(canonical|alternate)", t)
                 and re.search(rf"href={remote}", t)]
        if loads.search(text) or links:
            offenders.append(p.relative_to(site).as_posix())
    assert offenders == [], "the site must work offline and tell no third party who reads it"


def test_pages_for_each_reader_exist(site: Path) -> None:
    home = page(site, "")
    assert "more than a quarter" in home.text and "over 500" in home.text
    for section in ("councils", "vendors", "government"):
        assert page(site, section).text
    assert "Versioning policy" in page(site, "government/versioning").text
    assert "Changelog" in page(site, "government/changelog").text


# ---------------------------------------------------------------- every version of the standard


def target(site: Path, path: str, href: str) -> Path:
    """The file a link on the page at ``path`` leads to."""
    link = href.split("#")[0]
    resolved = posixpath.normpath(posixpath.join(path, link)) if link else path
    file = site / resolved
    return file / "index.html" if file.is_dir() or not file.suffix else file


def version_pages(version: str) -> list[str]:
    """Every reference page one version must have, as the site's paths under ``reference/<version>/``."""
    s = std.load(version)
    return ["", "changes", "metadata", "codelists", "issues", "indicators", "json-schema", "report-schema",
            *(f"tables/{t}" for t in s.tables), *(f"codelists/{c}" for c in s.codelists)]


def test_every_version_has_its_pages_at_addresses_that_name_it(site: Path) -> None:
    for version in std.supported_versions():
        s = std.load(version)
        for key in version_pages(version):
            p = page(site, f"reference/{version}/{key}".rstrip("/"))
            assert version in p.sections["switcher"], key
        for t in s.tables.values():
            p = page(site, f"reference/{version}/tables/{t.name}")
            assert {f.name for f in t.fields} <= p.ids, t.name
            assert p.text.startswith(t.title) or t.title in p.text
        for name, cl in s.codelists.items():
            text = page(site, f"reference/{version}/codelists/{name}").text
            assert all(c.code in text for c in cl.codes), name
    # the addresses without a version are the current version's, as they always were
    current = std.load()
    for t in current.tables.values():
        assert {f.name for f in t.fields} <= page(site, f"reference/tables/{t.name}").ids


def test_the_version_switcher_links_to_the_same_page_in_every_other_version(site: Path) -> None:
    versions = std.supported_versions()
    current = std.current_version()
    for version in versions:
        for key in version_pages(version):
            path = f"reference/{version}/{key}".rstrip("/")
            p = page(site, path)
            hrefs = [h for where, h in p.links if where == "switcher"]
            for href in hrefs:
                assert target(site, path, href).is_file(), f"{path}: {href}"
            reached = {target(site, path, h).parent.relative_to(site).as_posix() for h in hrefs}
            for other in versions:
                if other != version and key in version_pages(other):
                    assert f"reference/{other}/{key}".rstrip("/") in reached, (path, other)
            assert "reference/versions" in reached
    for key in version_pages(current):  # the current version's pages at the old addresses
        path = f"reference/{key}".rstrip("/")
        p = page(site, path)
        reached = {target(site, path, h).parent.relative_to(site).as_posix()
                   for where, h in p.links if where == "switcher"}
        assert f"reference/{current}/{key}".rstrip("/") in reached, path
        assert current in p.sections["switcher"] and "current" in p.sections["switcher"]


def test_draft_versions_are_labelled_as_drafts(site: Path) -> None:
    index = json.loads((ROOT / "standard" / "versions.json").read_text(encoding="utf-8"))["versions"]
    versions = page(site, "reference/versions").text
    for version, info in index.items():
        switcher = page(site, f"reference/{version}/tables/children").sections["switcher"]
        own_label = re.match(rf"Version {re.escape(version)} \(([^)]*)\)", switcher)
        assert own_label, switcher
        assert ("draft" in own_label[1]) == (info["status"] == "draft"), version
        assert version in versions
        if info["status"] != "draft":
            assert info["released"] in switcher


def test_the_nav_leads_to_the_current_version() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    reference = next(item["Reference"] for item in config["nav"] if isinstance(item, dict) and "Reference" in item)
    flat = json.dumps(reference)
    assert "reference/tables/children.md" in flat and "reference/json-schema.md" in flat
    assert not re.search(r"reference/\d", flat), "the nav holds the current version's pages, at their old addresses"


def field_texts(site: Path, version: str) -> dict[tuple[str, str], str]:
    s = std.load(version)
    out = {}
    for t in s.tables.values():
        p = page(site, f"reference/{version}/tables/{t.name}")
        out.update({(t.name, f.name): p.sections[f.name] for f in t.fields})
    p = page(site, f"reference/{version}/metadata")
    out.update({("metadata", f.name): p.sections[f.name] for f in s.metadata_fields})
    return out


def test_each_field_shows_its_example_and_versions(site: Path) -> None:
    examples = 0
    for version in std.supported_versions():
        s = std.load(version)
        texts = field_texts(site, version)
        for f in [*s.all_fields(), *s.metadata_fields]:
            text = texts[(f.table, f.name)]
            added = f.version_added or std.supported_versions()[0]
            assert f"Version added {added}" in text, (version, f.table, f.name)
            if f.descriptor.get("versionChanged"):
                assert f"Changed in {f.descriptor['versionChanged']}" in text, (version, f.name)
            if "example" in f.descriptor:
                example = f.descriptor["example"]
                shown = example if isinstance(example, str) else json.dumps(example, ensure_ascii=False)
                if isinstance(example, list):
                    shown = f.descriptor.get("delimiter", ";").join(map(str, example))
                assert f"Example {shown}" in text, (version, f.table, f.name)
                examples += 1
    assert examples, "no field has an example to show"


def test_deprecated_fields_are_marked(site: Path) -> None:
    for version in std.supported_versions():
        s = std.load(version)
        texts = field_texts(site, version)
        for f in [*s.all_fields(), *s.metadata_fields]:
            deprecated_version = f.deprecated.split(";")[0].strip()
            assert (f"Deprecated in {deprecated_version}" in texts[(f.table, f.name)]) == bool(f.deprecated), f.name
            summary = page(site, f"reference/{version}/{'metadata' if f.table == 'metadata' else 'tables/' + f.table}")
            assert (f"(deprecated in {deprecated_version})" in summary.sections["fields"]) == bool(f.deprecated)


def test_indicators_show_their_versions_and_deprecated_ones_are_marked(site: Path) -> None:
    for version in std.supported_versions():
        p = page(site, f"reference/{version}/indicators")
        for row in build_docs.indicators_rows(std.load(version)):
            first = next(v for v in std.supported_versions()
                         if row["id"] in {r["id"] for r in build_docs.indicators_rows(std.load(v))})
            assert f"Version added {first}" in p.sections[row["id"]], (version, row["id"])
            deprecated = row.get("deprecated", "")
            assert ("Deprecated in" in p.sections[row["id"]]) == bool(deprecated), (version, row["id"])


def test_codes_show_their_versions_and_deprecated_codes_are_marked(site: Path) -> None:
    for version in std.supported_versions():
        for name, cl in std.load(version).codelists.items():
            p = page(site, f"reference/{version}/codelists/{name}")
            for c in cl.codes:
                added = c.extra.get("version_added")
                if added:
                    assert f"added in {added}" in p.text, (version, name, c.code)
                if c.deprecated:
                    assert f"Deprecated in {c.deprecated.split(';')[0].strip()}" in p.text, (version, name, c.code)
    # a code deprecated in its CSV, whether or not the standard has one yet
    cl = std.read_codelist("x", "code,title,description,version_added,deprecated\nA,Alpha,First.,,\n"
                                "B,Beta,Second.,1.1,\nC,Gamma,Third.,,1.1; use B\n")
    text = docs_codelists.codelist_page(std.load(), cl, [], docs_markdown.version_links(std.current_version()))
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")}
    assert "**Deprecated in 1.1; use B**" in rows["`C`"] and "added in 1.1" in rows["`B`"]
    assert "Deprecated" not in rows["`A`"] + rows["`B`"]


def test_codelist_descriptions_that_only_repeat_the_title_are_left_out(site: Path) -> None:
    cl = std.read_codelist("x", "code,title,description\nA1,Alpha,List x A1: Alpha.\nB2,Beta,List x B2: Beta.\n"
                                "C3,Gamma,List x C3: Gamma. Withdrawn in 2025.\nD4,Delta,Delta\nE5,Eps,Something else.\n")
    assert [docs_codelists.description(cl, c) for c in cl.codes] == [
        "", "", "List x C3: Gamma. Withdrawn in 2025.", "", "Something else."]
    for version in std.supported_versions():
        for name in std.load(version).codelists:
            text = (DOCS / "reference" / version / "codelists" / f"{name}.md").read_text(encoding="utf-8")
            for line in text.splitlines():
                cells = [c.strip() for c in line.strip("|").split("|")]
                if line.startswith("| `") and len(cells) > 2 and "Description" in text:
                    assert cells[2].rstrip(".").lower() != cells[1].lower(), (name, line)


def test_the_changelog_says_what_each_version_changed(site: Path) -> None:
    changelog = (ROOT / "standard" / "CHANGELOG.md").read_text(encoding="utf-8")
    whole = page(site, "government/changelog").text
    for version in std.supported_versions():
        entry = re.search(rf"^## {re.escape(version)}\b.*?$\n(.*?)(?=^## |\Z)", changelog, re.M | re.S)
        assert entry, f"standard/CHANGELOG.md has no entry for {version}"
        first_line = " ".join(entry[1].strip().split("\n\n")[0].split())
        first_line = re.sub(r"[`*]", "", re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", first_line))[:60]  # as the page reads
        changes = page(site, f"reference/{version}/changes")
        assert first_line in changes.text and first_line in whole, version
        s = std.load(version)
        before = std.supported_versions()[max(std.supported_versions().index(version) - 1, 0)]
        if version != before:
            for f in s.all_fields():
                if f.version_added == version:
                    assert f"{f.table}.{f.name}" in changes.text, (version, f.name)
            for code_ in set(cat.catalogue(version)) - set(cat.catalogue(before)):
                assert code_ in changes.sections["every-new-issue-code"], (version, code_)
            for row in build_docs.indicators_rows(s):
                if row["id"] not in {r["id"] for r in build_docs.indicators_rows(std.load(before))}:
                    assert row["id"] in changes.sections["every-indicator-added-or-deprecated"], (version, row["id"])
        assert any(target(site, "government/changelog", h).parent.name == "changes"
                   and f"/{version}/" in h for _, h in page(site, "government/changelog").links), version


def test_the_json_schema_is_a_page_per_version(site: Path) -> None:
    for version in std.supported_versions():
        schema = std.load(version).read_json("submission.schema.json")
        p = page(site, f"reference/{version}/json-schema")
        for name, definition in schema["$defs"].items():
            assert name in p.ids, (version, name)
            section = p.sections[name]
            for prop_name, prop in definition["properties"].items():
                assert prop_name in section, (version, name, prop_name)
                if "pattern" in prop:
                    assert prop["pattern"] in section, (version, name, prop_name)
                for value in (prop.get("enum") or [])[:5]:
                    if value is not None:
                        assert str(value) in section, (version, name, prop_name, value)


def test_cli_summaries_are_whole_first_sentences(site: Path) -> None:
    p = page(site, "reference/cli")
    for path, cmd in commands(main):
        first = cmd.get_short_help_str(limit=10_000)
        assert first and not first.endswith("..."), path
        assert f"mcds {' '.join(path)} {first}" in p.text, f"the summary of mcds {' '.join(path)} is cut"


def test_search_finds_hyphenated_issue_codes(site: Path) -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    search = next(p["search"] for p in config["plugins"] if isinstance(p, dict) and "search" in p)
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["separator"] == search["separator"]
    separator = re.compile(search["separator"])
    locations = {d["location"]: d for d in index["docs"]}
    for code_ in cat.catalogue():
        assert separator.split(code_) == [code_], f"search splits {code_}"
        assert code_ in separator.split(locations[f"reference/issues/#{code_}"]["title"]), code_
    assert separator.split("reasonable grounds, decision") == ["reasonable", "grounds", "decision"]
    # lunr's query lexer splits queries with the separator of the search worker's text, made to follow the site's
    workers = list((site / "assets" / "javascripts" / "workers").glob("search.*.js"))
    assert workers and all(w.read_text(encoding="utf-8").endswith(build_docs.QUERY_SEPARATOR_FIX) for w in workers)
    # the permanent copies of the versions are left out of search: a search leads to the current version
    assert not any(re.match(r"reference/\d", loc) for loc in locations)


def test_accessibility_statement_is_linked_from_every_page(site: Path) -> None:
    statement = page(site, "accessibility").text
    for words in ("WCAG", "2.2", "AA", "partially compliant", "Equality Advisory and Support Service",
                  "Reporting accessibility problems"):
        assert words in statement
    for html_file in sorted(site.rglob("index.html")):
        path = html_file.parent.relative_to(site).as_posix()
        path = "" if path == "." else path
        hrefs = [h for _, h in Page(html_file.read_text(encoding="utf-8")).links if "accessibility" in h]
        assert hrefs and target(site, path, hrefs[-1]) == site / "accessibility" / "index.html", path


GUIDANCE = {  # what the pages name, and where it is published
    "statutory guidance on children who run away or go missing":
        "https://www.gov.uk/government/publications/children-who-run-away-or-go-missing-from-home-or-care",
    "SSDA903 guidance": "https://www.gov.uk/guidance/children-looked-after-return-guide-to-submitting-data",
    "NRM statutory guidance": "https://www.gov.uk/government/publications/modern-slavery-how-to-identify-and-support-victims",
}


def test_pages_link_to_the_guidance_they_name_and_to_the_repository(site: Path) -> None:
    for path in ("reference", "government/definitions"):
        for what, url in GUIDANCE.items():
            assert url in [h for _, h in page(site, path).links], (path, what)
    issues = page(site, "reference/issues")
    interview = next(c for c, it in cat.catalogue().items() if "72 hours" in it.guidance)
    assert GUIDANCE["statutory guidance on children who run away or go missing"] in [
        h for where, h in issues.links if where == interview]
    placement = page(site, "reference/codelists/placement_type")
    assert GUIDANCE["SSDA903 guidance"] in [h for _, h in placement.links]
    owner, _, name = std.canonical_url().removeprefix("https://").rstrip("/").partition(".github.io/")
    repo = f"https://github.com/{owner}/{name}"
    assert yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["repo_url"] == repo
    assert repo in [h for _, h in page(site, "").links]


def test_table_cells_are_labelled_for_narrow_screens() -> None:
    html = ("<table>\n<thead>\n<tr>\n<th>Code</th>\n<th><code>a</code> &amp; b</th>\n<th>C</th>\n<th>D</th>\n</tr>\n"
            "</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n<td></td>\n<td>4</td>\n</tr>\n</tbody>\n</table>")
    out = build_docs.on_page_content(html, None, None, None)
    assert re.findall(r'<td role="cell" data-label="([^"]*)">', out) == ["Code", "a &amp; b", "C", "D"]
    assert 'data-mcds-stack=""' in out and out.count('role="row"') == 2
    narrow = html.replace("<th>C</th>\n<th>D</th>\n", "").replace("<td></td>\n<td>4</td>\n", "")
    assert "data-mcds-stack" not in build_docs.on_page_content(narrow, None, None, None)


# ---------------------------------------------------------------- examples for vendors work as written


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), re.S | re.M)


@pytest.mark.parametrize("doc", ["vendors/json-schema.md", "vendors/python-api.md"])
def test_python_examples_run(doc: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks(DOCS / doc)
    assert blocks
    version = std.current_version()
    shutil.copytree(ROOT / "fixtures" / "valid" / "kent", tmp_path / "kent")
    shutil.copy(ROOT / "fixtures" / "valid" / "kent.json", tmp_path / "kent.json")
    shutil.copy(ROOT / "standard" / version / "submission.schema.json", tmp_path)
    monkeypatch.chdir(tmp_path)
    ran = 0
    for block in blocks:
        if block.rstrip().endswith("# in mcds"):
            continue  # a signature, generated from the code
        needed = [n for n in re.findall(r"\bmcds\.(\w+)\(", block) if not hasattr(mcds, n)]
        if needed:
            continue  # the API this example shows is not in the toolkit yet
        exec(compile(block, doc, "exec", dont_inherit=True), {"__name__": "__docs__"})
        ran += 1
    if not ran:
        pytest.skip(f"the API {doc} shows is not in the toolkit yet")


def test_github_actions_example_works_as_written(tmp_path: Path) -> None:
    workflow = yaml.safe_load((DOCS / "vendors" / "examples" / "validate-mcds.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["validate"]["steps"]
    assert [s["uses"].split("@")[0] for s in steps if "uses" in s] == ["actions/checkout", "actions/setup-python"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[0].startswith("pip install ")
    mcds_runs = [shlex.split(r) for r in runs if r.startswith("mcds ")]
    assert mcds_runs
    if not build_docs.has_command(mcds_runs[0][1]):
        pytest.skip(f"`mcds {mcds_runs[0][1]}` is not in the toolkit yet")
    shutil.copytree(ROOT / "fixtures" / "valid" / "kent", tmp_path / "data" / "submission")
    for args in mcds_runs:
        result = subprocess.run([sys.executable, "-m", "mcds.cli", *args[1:]], cwd=tmp_path, capture_output=True,
                                text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_hook_works_as_written(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "mcds-validate")
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    config = yaml.safe_load((DOCS / "vendors" / "examples" / "pre-commit-config.yaml").read_text(encoding="utf-8"))
    use = config["repos"][0]["hooks"][0]
    assert use["id"] == hook["id"]
    entry = [*shlex.split(hook["entry"]), *use["args"]]  # what pre-commit runs
    assert entry[0] == "mcds"
    submission = tmp_path / use["args"][0]
    shutil.copytree(ROOT / "fixtures" / "valid" / "kent", submission)
    episodes = submission / "missing_episodes.csv"
    changed = episodes.relative_to(tmp_path).as_posix()
    assert re.search(hook["files"], changed) and re.search(use["files"], changed), "the hook would not run"
    if not build_docs.has_command(entry[1]):
        pytest.skip(f"`{hook['entry']}` is not in the toolkit yet")

    def run() -> int:
        return subprocess.run([sys.executable, "-m", "mcds.cli", *entry[1:]], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=False).returncode

    assert run() == 0
    lines = episodes.read_text(encoding="utf-8").splitlines()
    header, cells = lines[0].split(","), lines[1].split(",")
    cells[header.index("episode_type")] = "Missing"
    episodes.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    assert run() == 1


def test_docs_workflow_publishes_to_github_pages() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "docs.yml").read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    uses = [s["uses"].split("@")[0] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    runs = " ".join(s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"])
    assert "mkdocs build --strict" in runs and "scripts/build_docs.py --check" in runs
