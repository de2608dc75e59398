"""The standard's conformance suites (standard/<version>/conformance/): every case must give exactly
the issues its expected.json lists, as [code, table, row, field]. Each version's suite runs against the
version its data declares, so 1.0's cases keep giving 1.0's answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mcds
from mcds.catalogue import catalogue
from mcds.rules import rule_types
from mcds.validation import EMITS

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ("1.0", "1.1")
CASES = [p for v in VERSIONS for p in sorted((ROOT / "standard" / v / "conformance").iterdir()) if p.is_dir()]
LATEST = [p for p in CASES if p.parent.parent.name == VERSIONS[-1]]

# Codes the validator can emit but no data of the latest version can trigger, with the reason.
UNTRIGGERABLE = {
    "out-of-range": "no field of 1.1 has a minimum, maximum or length constraint (tested in test_validate_cells.py)",
    "code-deprecated": "no code of 1.1 is deprecated (tested in test_validate_cells.py)",
}


def _input(case: Path) -> Path:
    inp = case / "input"
    if (inp / "datapackage.json").is_file():
        return inp
    files = [p for p in inp.iterdir() if p.is_file()]
    assert len(files) == 1, f"{case.name}: input/ must hold a CSV package or one file"
    return files[0]


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_case(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    report = mcds.validate(_input(case))
    got = sorted((list(t) for t in report.project("code", "table", "row", "field")), key=json.dumps)
    assert got == sorted(expected["issues"], key=json.dumps)
    assert report.valid is expected["valid"]


def _covered() -> set[str]:
    return {i[0] for case in LATEST for i in json.loads((case / "expected.json").read_text(encoding="utf-8"))["issues"]}


def test_every_code_the_validator_emits_has_a_case() -> None:
    emitted = set(EMITS) | {t.code for t in rule_types(VERSIONS[-1])}
    assert emitted <= set(catalogue(VERSIONS[-1])), "the validator emits codes missing from issues.csv"
    missing = emitted - _covered() - set(UNTRIGGERABLE)
    assert not missing, f"codes without a conformance case: {sorted(missing)}"


def test_untriggerable_codes_really_are() -> None:
    """If the latest version gains a range or a deprecated code, the code needs a case (and leaves UNTRIGGERABLE);
    1.1 deprecates fields, so field-deprecated has cases."""
    s = mcds.load_standard(VERSIONS[-1])
    fields = [*s.all_fields(), *s.metadata_fields]
    ranged = any(k in f.constraints for f in fields for k in ("minimum", "maximum", "minLength", "maxLength"))
    assert ranged is not ("out-of-range" in UNTRIGGERABLE)
    deprecated_code = any(c.deprecated for cl in s.codelists.values() for c in cl.codes)
    assert deprecated_code is not ("code-deprecated" in UNTRIGGERABLE)
    assert any(f.deprecated for f in fields) and "field-deprecated" not in UNTRIGGERABLE
    assert "field-deprecated" in _covered()


def test_every_case_has_a_valid_look_alike_or_is_one() -> None:
    names = {c.name for c in LATEST}
    assert "valid-base" in names and sum(n.startswith("ok-") for n in names) >= 10


@pytest.mark.sample(3)  # test_case runs every case
@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_case_without_warnings(case: Path) -> None:
    """``load(..., warnings=False)`` (what statistics use) gives the full run's validity, errors and
    queries, in the same order, and no warnings."""
    from mcds.validate import load

    full = mcds.validate(_input(case))
    quick = load(_input(case), warnings=False)
    quick.con.close()
    keys = ("code", "severity", "table", "row", "column", "field", "value", "message")
    assert quick.report.valid is full.valid
    assert quick.report.project(*keys) == [i for i in full.project(*keys) if i[1] != "warning"]
    assert all(i.severity != "warning" for i in quick.report.issues)
