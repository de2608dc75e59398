"""``mcds check-ees`` never stops with an internal error: odd values in any cell of either
file (superscript digits in indicator_dp or time_period, symbols, blanks, quotes, newlines), odd
bytes, headers and shapes are issues, or pass; and the lookups are in sync with their source."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcds.stats.check_ees import CHECKS, check_ees, screen_pair

ROOT = Path(__file__).resolve().parent.parent
DATA_HEADER = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "sex", "count"]
META_HEADER = ["col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp", "filter_hint",
               "filter_grouping_column", "filter_default"]
ODD = st.sampled_from(["", " ", "²", "2025²", "²⁰²⁴", "٢٠٢٥", "202425", "2024", "199900", "1.0", "-1", "NA", "NULL",
                       "x", "c", "low", ":", "~", "Total", "All", "National", "Local authority", "E92000001",
                       "England", "Academic year", "Financial year Q1", "Filter", "Indicator", "%", "1e400", "nan",
                       "0x1F", "a,b", 'say "hi"', "line\nbreak", "\u202e", "\x00", "𝟙"])
CELL = st.one_of(ODD, st.text(max_size=12))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    return buf.getvalue().encode("utf-8", "surrogatepass")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.lists(CELL, min_size=7, max_size=7), min_size=0, max_size=5),
       meta=st.lists(st.lists(CELL, min_size=9, max_size=9), min_size=0, max_size=4))
def test_odd_cells_are_issues_never_errors(tmp_path: Path, data: list[list[str]], meta: list[list[str]]) -> None:
    d, m = tmp_path / "odd.csv", tmp_path / "odd.meta.csv"
    base_meta = [["sex", "Filter", "Sex", "", "", "", "", "", ""], ["count", "Indicator", "Count", "", "", "²", "", "", ""]]
    d.write_bytes(_csv(DATA_HEADER, [["202425", "Academic year", "National", "E92000001", "England", "Total", "1"],
                                      *data]))
    m.write_bytes(_csv(META_HEADER, base_meta + meta))
    result = screen_pair(d, m)
    assert all(i.code in CHECKS for i in result.issues)
    assert result.passed == (not any(i.blocking for i in result.issues))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(CELL, min_size=1, max_size=8), body=st.binary(max_size=200))
def test_odd_headers_and_bytes_are_issues_never_errors(tmp_path: Path, header: list[str], body: bytes) -> None:
    d, m = tmp_path / "odd.csv", tmp_path / "odd.meta.csv"
    d.write_bytes(_csv(header, []) + body)
    m.write_bytes(body)
    report = check_ees(tmp_path)
    assert not report.valid or all(f.passed for f in report.files)


@pytest.mark.parametrize("period", ["2025²", "²⁰²⁴²⁵", "٢٠٢٤٢٥", "𝟚𝟘𝟚𝟝"])
def test_unicode_digits_in_time_period_fail_as_not_numeric(tmp_path: Path, period: str) -> None:
    (tmp_path / "t.csv").write_bytes(_csv(DATA_HEADER, [[period, "Calendar year", "National", "E92000001", "England",
                                                         "Total", "1"]]))
    (tmp_path / "t.meta.csv").write_bytes(_csv(META_HEADER, [["count", "Indicator", "Count", "", "", "0", "", "", ""]]))
    assert check_ees(tmp_path).project("code") == [("ees-time-period-num",)]


@pytest.mark.skipif(not os.environ.get("MCDS_EES_QA_REPO"), reason="MCDS_EES_QA_REPO (dfe-published-data-qa) not set")
def test_lookups_are_in_sync_with_their_source() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_ees_lookups.py"), "--check", "--qa-repo",
                           os.environ["MCDS_EES_QA_REPO"]], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_lookups_record_their_source_and_licence() -> None:
    folder = ROOT / "src" / "mcds" / "stats" / "ees_lookups"
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    assert "dfe-published-data-qa" in sources and "Open Government Licence" in sources
    assert (folder / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    listed = set(__import__("re").findall(r"`data/([^`]+)`", sources))
    assert "las.csv" in listed and "ward_lad_la_pcon_hierarchy.csv" in listed
