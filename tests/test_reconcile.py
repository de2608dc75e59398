from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from mcds.cli import main
from mcds.pseudonymise import pseudonymise
from mcds.reconcile import reconcile
from mcds.submission import read_csv_package

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
ANNEX = ROOT / "fixtures" / "annex_a"


def test_agreeing_annex_a_gives_no_issues() -> None:
    report = reconcile(read_csv_package(KENT), ANNEX / "kent-2024-25.xlsx")
    assert report.issues == ()


def test_each_difference_is_reported_where_it_is() -> None:
    report = reconcile(read_csv_package(KENT), ANNEX / "kent-2024-25-differences.xlsx")
    # The four differences made on purpose by scripts/make_council_exports.py.
    assert report.project("code", "file", "sheet", "row", "column") == [
        ("reconcile-count-mismatch", "kent-2024-25-differences.xlsx", "List 8", 12, "AC"),
        ("reconcile-interview-mismatch", "kent-2024-25-differences.xlsx", "List 8", 25, "AF"),
        ("reconcile-child-unmatched", "kent-2024-25-differences.xlsx", "List 8", 422, "A"),
        ("reconcile-child-unmatched", None, None, 26, None),
    ]
    assert all(i.severity == "query" for i in report)


def test_counts_follow_the_twelve_months_and_the_types() -> None:
    sub = read_csv_package(KENT)
    # Moving the 12 months back a year leaves most of the fixture's episodes outside them.
    report = reconcile(sub, ANNEX / "kent-2024-25.xlsx", as_of=dt.date(2024, 3, 31))
    assert {code for code, in report.project("code")} >= {"reconcile-count-mismatch"}
    # Recording every away episode as missing changes both counts of the children concerned.
    for e in sub.rows("missing_episodes"):
        if e["episode_type"] == "away":
            e["episode_type"] = "not_distinguished"
    kinds = {i.message.split("'")[1] for i in reconcile(sub, ANNEX / "kent-2024-25.xlsx")}
    assert kinds == {"Missing", "Absent"}


def test_pseudonymised_submission_with_the_key() -> None:
    key = b"k" * 40
    sub = pseudonymise(read_csv_package(KENT), key)
    import pytest

    from mcds.errors import InputError

    with pytest.raises(InputError, match="--key-file"):  # issue 16: without the key no child could match
        reconcile(sub, ANNEX / "kent-2024-25.xlsx")
    assert reconcile(sub, ANNEX / "kent-2024-25.xlsx", key=key).issues == ()


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["reconcile", str(KENT), "--annex-a", str(ANNEX / "kent-2024-25.xlsx")]).exit_code == 0
    r = runner.invoke(main, ["reconcile", str(KENT), "--annex-a", str(ANNEX / "kent-2024-25-differences.xlsx"),
                             "--format", "json"])
    assert r.exit_code == 1 and '"reconcile-count-mismatch"' in r.output
    r = runner.invoke(main, ["reconcile", str(KENT), "--annex-a", str(tmp_path / "none.xlsx")])
    assert r.exit_code == 2


def test_nothing_to_reconcile_without_episodes(tmp_path: Path) -> None:
    import pytest

    from mcds.convert.annex_a import convert_annex_a
    from mcds.errors import InputError

    sub, _ = convert_annex_a(ANNEX / "kent-2024-25.xlsx", "886", 2025)
    with pytest.raises(InputError, match="does not collect missing episodes"):
        reconcile(sub, ANNEX / "kent-2024-25.xlsx")
