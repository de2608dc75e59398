"""Golden-file tests of every converter: input fixture in, expected package and report out.

Each case converts a fixture from ``fixtures/`` and compares what it writes (every CSV file,
datapackage.json, the provenance beside the package, the JSON conversion report and the validator's
report of the package, in the sources' coordinates) with ``tests/golden/<case>/``, then checks the
converted package with ``mcds validate``.

To regenerate the expected files after an intended change, run

    MCDS_UPDATE_GOLDENS=1 python -m pytest tests/test_convert_golden.py

and review the diff (``git diff tests/golden``) before committing it.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import mcds
from mcds.convert import provenance
from mcds.convert.annex_a import convert_annex_a
from mcds.convert.base import ConversionReport
from mcds.convert.mapped import convert_mapped
from mcds.convert.ssda903 import convert_ssda903
from mcds.generate import dumps
from mcds.submission import Submission, write_csv_package

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("MCDS_UPDATE_GOLDENS") == "1"
CREATED = "2025-05-01T09:00:00Z"

Case = Callable[[], tuple[Submission, ConversionReport]]
S903 = FIX / "ssda903"

CASES: dict[str, Case] = {
    # 2024-25 as exported: files named anyhow, BOM, CRLF, lower-case codes, stray spaces, an ignored
    # Reviews table, rows that cannot be converted, a repeated episode, a placement ending before it starts.
    "ssda903/csv-2024-25-messy": lambda: convert_ssda903([S903 / "csv-2024-25-messy"], "886", 2025, created=CREATED),
    # The same return enriched with the CIN census (12A -> suspected trafficking; factors; a child not looked after).
    "ssda903/csv-2024-25-cin": lambda: convert_ssda903([S903 / "csv-2024-25-messy"], "E10000016", 2025,
                                                       cin=FIX / "cin" / "kent-2024-25.xml", created=CREATED),
    # 2023-24: SEX coded 1/2, placement code H5 still in use.
    "ssda903/csv-2023-24": lambda: convert_ssda903(sorted((S903 / "csv-2023-24").glob("*.csv")), "306", 2024,
                                                   created=CREATED),
    # The XML form (EXPSSDA903): CHILDID, PL, AMISSING blocks, UASC flag and DUC.
    "ssda903/xml-2024-25": lambda: convert_ssda903([S903 / "xml-2024-25" / "SSDA903_202425.xml"], "352", 2025,
                                                   created=CREATED),
    # The same return with the CIN census of the same children (LAchildID = CHILDID), and one child not looked after.
    "ssda903/xml-2024-25-cin": lambda: convert_ssda903([S903 / "xml-2024-25" / "SSDA903_202425.xml"], "352", 2025,
                                                       cin=FIX / "cin" / "manchester-2024-25.xml", created=CREATED),
    # The guide's example return checked against last year's (--previous): a missing episode open at
    # the end of last year not carried over (DfE rule 576), located in this year's file, naming last year's.
    "ssda903/csv-2024-25-previous": lambda: convert_ssda903([ROOT / "docs" / "examples" / "ssda903"], "886", 2025,
                                                            previous=[ROOT / "docs" / "examples" / "ssda903-2024"],
                                                            created=CREATED),
    # 2025-26: placement codes Z11-Z14 replace Z1; SEX M/F/U.
    "ssda903/csv-2025-26": lambda: convert_ssda903([S903 / "csv-2025-26"], "E08000003", 2026, created=CREATED),
    "annex_a/kent-2024-25": lambda: convert_annex_a(FIX / "annex_a" / "kent-2024-25.xlsx", "886", 2025, created=CREATED),
    "mapped/liquidlogic": lambda: convert_mapped([FIX / "mapped" / "liquidlogic"],
                                                 FIX / "mapped" / "liquidlogic" / "mapping.yaml", created=CREATED),
    "mapped/mosaic": lambda: convert_mapped([FIX / "mapped" / "mosaic" / "mosaic_export.xlsx"],
                                            FIX / "mapped" / "mosaic" / "mapping.yaml", created=CREATED),
    "mapped/eclipse": lambda: convert_mapped([FIX / "mapped" / "eclipse"], FIX / "mapped" / "eclipse" / "mapping.yaml",
                                             created=CREATED),
}

# What `mcds validate` must say about each converted package: nothing, except the fault the messy
# return carries on purpose (a placement ending before it starts is carried over, not dropped).
VALIDATION: dict[str, list[tuple[str, str]]] = {case: [] for case in CASES}
VALIDATION["ssda903/csv-2024-25-messy"] = [("placement-ends-before-start", "placements")]
VALIDATION["ssda903/csv-2024-25-cin"] = [("placement-ends-before-start", "placements")]


def _normalise(text: str) -> str:
    return text.replace(f"mcds {mcds.__version__} (", "mcds VERSION (")


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _normalise(_undigested(p)) for p in sorted(folder.rglob("*")) if p.is_file()}


def _undigested(p: Path) -> str:
    """A file's text; a provenance file without the digest of the package (it holds mcds's version)."""
    text = p.read_text(encoding="utf-8")
    if p.name.endswith(".provenance.json"):
        doc = json.loads(text)
        doc["package"] = {name: "SHA-256" for name in doc["package"]}
        text = dumps(doc)
    return text


def _diff(expected: str, actual: str, name: str) -> str:
    return "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), f"golden/{name}", "actual", n=1))


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, ConversionReport]]:
    out = {}
    for case, run in CASES.items():
        sub, report = run()
        folder = tmp_path_factory.mktemp(case.replace("/", "-"))
        write_csv_package(sub, folder / "package")
        if report.provenance is not None:  # as mcds convert writes it: beside the package
            provenance.write(report.provenance, folder / "package")
        (folder / "report.json").write_text(dumps(report.to_dict()), encoding="utf-8")
        # what mcds convert says of what it wrote: the validator's report, in the sources' coordinates
        (folder / "validation.json").write_text(dumps(mcds.validate(folder / "package").to_dict()), encoding="utf-8")
        out[case] = (folder, report)
    return out


@pytest.mark.parametrize("case", CASES)
def test_converter_output_matches_golden(case: str, converted: dict[str, tuple[Path, ConversionReport]]) -> None:
    folder, _ = converted[case]
    expected_dir = GOLDEN / case
    actual = _files(folder)
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, text in actual.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_text(text, encoding="utf-8")
    assert expected_dir.is_dir(), f"no golden files for {case}: run with MCDS_UPDATE_GOLDENS=1 and review them"
    expected = _files(expected_dir)
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name] == expected[name], _diff(expected[name], actual[name], f"{case}/{name}")


@pytest.mark.parametrize("case", CASES)
def test_every_source_row_is_accounted_for(case: str, converted: dict[str, tuple[Path, ConversionReport]]) -> None:
    _, report = converted[case]
    assert report.sources
    assert report.balanced
    for c in report.sources:
        assert c.read == c.written + c.rejected, c
    # Each rejected row has exactly one issue naming its file and row (an XML element: its line).
    assert all(i in report.issues for i in report.rejections)
    for file in {c.file for c in report.sources}:
        rejected = sum(c.rejected for c in report.sources if c.file == file)
        issues = [i for i in report.rejections if i.location.file == file]
        assert len(issues) == rejected
        assert all(i.location.row or i.location.line for i in issues)


@pytest.mark.parametrize("case", CASES)
def test_converted_package_passes_mcds_validate(case: str, converted: dict[str, tuple[Path, ConversionReport]]) -> None:
    folder, _ = converted[case]
    report = mcds.validate(folder / "package")
    assert sorted({(code, table) for code, table in report.project("code", "table")}) == VALIDATION[case]
    assert report.valid == (not VALIDATION[case])


@pytest.mark.parametrize("case", [c for c in CASES if not VALIDATION[c]])
def test_converted_package_passes_frictionless(case: str, converted: dict[str, tuple[Path, ConversionReport]]) -> None:
    import frictionless

    folder, _ = converted[case]
    report = frictionless.validate(str(folder / "package" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_council_fixtures_are_what_the_generator_makes(tmp_path: Path) -> None:
    """fixtures/ssda903, cin, annex_a and mapped are exactly what scripts/make_council_exports.py makes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_council_exports", ROOT / "scripts" / "make_council_exports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shutil.copytree(FIX / "valid", tmp_path / "valid")
    module.FIX = tmp_path
    module.main()
    for folder in ("ssda903", "cin", "annex_a", "mapped"):
        made = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in (tmp_path / folder).rglob("*") if p.is_file()}
        kept = {p.relative_to(FIX).as_posix(): p.read_bytes() for p in (FIX / folder).rglob("*")
                if p.is_file() and p.name != "mapping.yaml"}  # mappings are written by hand
        assert made.keys() == kept.keys()
        assert [name for name in made if made[name] != kept[name]] == []


def test_each_cin_fixture_holds_the_children_of_its_903_return(converted: dict[str, tuple[Path, ConversionReport]]) -> None:
    """Every child of the return is in its CIN census, and the census has one child more, not looked after."""
    for case in ("ssda903/csv-2024-25-cin", "ssda903/xml-2024-25-cin"):
        _, report = converted[case]
        cin = next(c for c in report.sources if c.source == "CIN census")
        header = sum(c.written for c in report.sources if c.source == "Header")
        assert (cin.read, cin.written, cin.rejected) == (header + 1, header, 1), case
        assert [i.code for i in report.rejections if i.location.file == cin.file] == ["source-row-out-of-scope"]
