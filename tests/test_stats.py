"""``mcds stats``: the indicator catalogue, the computation (checked against figures worked out
by hand), not collected and not applicable cells, the EES files, the report and the CLI."""

from __future__ import annotations

import csv
import html
import io
import re
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcds import standard as std
from mcds.cli import main
from mcds.stats import published, run, statistics
from mcds.stats.check_ees import check_ees
from mcds.stats.compute import NO, TOTAL, YES, Aggregator, compute
from mcds.stats.config import disclosure_settings, indicators, publication
from mcds.stats.disclosure import publish_council
from mcds.stats.load import package_from_submission
from mcds.submission import Submission, read_csv_package, write_csv_package

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "valid"
ISSUE_COLUMNS = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
                 "region_name", "old_la_code", "new_la_code", "la_name", "uasc", "trafficking_concern",
                 "children_looked_after", "children_missing", "children_missing_percent", "missing_episodes",
                 "missing_episodes_per_child", "children_away", "away_episodes", "children_missing_or_away",
                 "children_missing_at_period_end", "children_ceased_looked_after_while_missing",
                 "missing_episodes_returned", "missing_episodes_over_24_hours", "missing_duration_median_days",
                 "missing_returned_duration_median_days", "return_interview_offered_percent",
                 "missing_returned_interview_offered_percent", "return_interview_within_72h_percent",
                 "missing_returned_interview_within_72h_percent", "children_nrm_referred", "nrm_referrals_made"]
RAW = disclosure_settings().model_copy(update={"suppress_max": 0, "median_minimum": 1})  # no suppression


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# ---------------------------------------------------------------- the catalogue


def test_catalogue_defines_exactly_the_published_indicators() -> None:
    inds = indicators()
    assert ISSUE_COLUMNS[12:] == list(inds)
    s = std.load()
    fields = {f"{t.name}.{f.name}" for t in s.tables.values() for f in t.fields} | set(s.tables)
    for ind in inds.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", ind.id) and ind.label and ind.definition.endswith(".")
        assert ind.unit in {"count", "percent", "days", "ratio"} and ind.decimal_places >= 0
        assert set(ind.sources) <= fields, ind.id
        for ref in (ind.numerator, ind.denominator):
            assert not ref or inds[ref].is_count, f"{ind.id} is built on {ref}, which is not a count"
        if ind.from_ratio:  # a ratio needs what its parts need
            assert set(inds[ind.numerator].sources) | set(inds[ind.denominator].sources) <= \
                set(ind.sources) | {"children"}, ind.id
        else:
            assert ind.sql_path == f"indicators/{ind.id}.sql" and re.match(r"(--[^\n]*\n)*\s*SELECT\b", ind.sql)
    counts = [i for i in inds.values() if i.is_count]
    assert all(i.decimal_places == 0 for i in counts)
    assert all(i.decimal_places == 0 for i in inds.values() if i.unit == "percent")


def test_every_indicator_sql_file_is_in_the_catalogue() -> None:
    files = {p.name for p in (ROOT / "standard" / std.current_version() / "indicators").glob("*.sql")}
    assert files == {Path(i.sql_path).name for i in indicators().values() if i.sql_path}


def test_filters_and_country_come_from_the_standard() -> None:
    pub = publication()
    assert [f.id for f in pub.filters] == ["uasc", "trafficking_concern"]
    assert (pub.country.code, pub.country.name) == ("E92000001", "England")
    assert indicators()[pub.report_indicator].unit == "percent"
    s = std.load()
    for f in pub.filters:
        assert all(src.split(".")[1] in s.tables["children"].field_names for src in f.sources)


# ---------------------------------------------------------------- computation, by hand


def child(cid: str, uasc: bool, concern: str, nrm: str | None = None) -> dict[str, str | None]:
    return {"child_id": cid, "birth_year_month": "2008-01", "sex": "M", "uasc": "true" if uasc else "false",
            "trafficking_concern": concern, "nrm_referral_date": nrm}


def episode(eid: str, cid: str, kind: str, start: str, end: str | None) -> dict[str, str | None]:
    return {"episode_id": eid, "child_id": cid, "episode_type": kind, "start_date": start, "end_date": end,
            "end_reason": "returned" if end else "still_missing"}


def interview(iid: str, cid: str, offered: str | None, completed: str | None) -> dict[str, str | None]:
    return {"interview_id": iid, "child_id": cid, "offered_date": offered, "completed_date": completed}


META = {"standard_version": "1.0", "old_la_code": "886", "new_la_code": "E10000016", "period_start": "2024-04-01",
        "period_end": "2025-03-31", "software": "tests", "created": "2025-05-01T09:00:00Z", "pseudonymised": "true"}


def hand_submission(**meta: str) -> Submission:
    """Five children and eight episodes whose statistics are worked out by hand below."""
    sub = Submission({**META, **meta})
    sub.tables["children"] = [child("A", True, "none_known"), child("B", False, "suspected", "2024-06-01"),
                              child("C", False, "identified", "2023-01-01"), child("D", True, "none_known"),
                              child("E", False, "suspected", "2025-05-01")]
    sub.tables["missing_episodes"] = [
        episode("e1", "A", "missing", "2024-05-01", "2024-05-03"),            # 2 days
        episode("e2", "A", "not_distinguished", "2024-06-01", "2024-06-01"),  # 0 days, counts as missing
        episode("e3", "A", "missing", "2025-03-01", "2025-04-05"),            # 35 days, ends after the period
        episode("e4", "B", "away", "2024-07-01", "2024-07-02"),
        episode("e5", "B", "missing", "2024-03-30", "2024-04-02"),            # started before the period
        episode("e6", "C", "missing", "2025-03-30", None),                    # still missing
        episode("e7", "C", "away", "2024-08-01", "2024-08-05"),
        episode("e8", "D", "missing", "2024-09-10", "2024-09-20"),            # 10 days
    ]
    sub.tables["return_interviews"] = [interview("r1", "A", "2024-05-03", "2024-05-05"),   # within 72 hours
                                       interview("r2", "A", "2024-06-03", "2024-06-10"),   # late
                                       interview("r3", "D", None, "2024-09-22"),           # held, so offered
                                       interview("r4", "B", "2024-07-02", None)]           # for an away episode
    sub.tables["interview_episodes"] = [{"interview_id": i, "episode_id": e}
                                        for i, e in (("r1", "e1"), ("r2", "e2"), ("r3", "e8"), ("r4", "e4"))]
    return sub


def hand_values(sub: Submission) -> dict[tuple[tuple[str, str], str], str]:
    pkg = package_from_submission(sub)
    try:
        [council] = compute([pkg])
    finally:
        pkg.close()
    return publish_council(Aggregator(), council, RAW)


def test_statistics_match_figures_worked_out_by_hand() -> None:
    v = hand_values(hand_submission())
    total = {i: v[(TOTAL, TOTAL), i] for i in indicators()}
    assert total == {
        "children_looked_after": "5",
        "children_missing": "3",                   # A, C, D (B's only missing episode began before the period)
        "children_missing_percent": "60",
        "missing_episodes": "5",                   # e1, e2, e3, e6, e8
        "missing_episodes_per_child": "1.7",       # 5 / 3
        "children_away": "2",                      # B, C
        "away_episodes": "2",
        "children_missing_or_away": "4",           # A, C, D missing; B (its missing episode began before) away
        "children_missing_at_period_end": "2",     # A (e3 ends after the period), C (e6 open)
        "children_ceased_looked_after_while_missing": "0",
        "missing_episodes_returned": "4",          # e1, e2, e3, e8 ended (none by the end of care)
        "missing_episodes_over_24_hours": "4",     # e1 (2 days), e3, e6 (still open), e8; not e2 (same day)
        "missing_duration_median_days": "6",       # 0, 2, 10, 35: (2 + 10) / 2
        "missing_returned_duration_median_days": "6",  # the same four: no episode ended by the end of care
        "return_interview_offered_percent": "75",  # e1, e2, e8 of the four ended: e1, e2, e3, e8
        "missing_returned_interview_offered_percent": "75",
        "return_interview_within_72h_percent": "50",  # e1, e8
        "missing_returned_interview_within_72h_percent": "50",
        "children_nrm_referred": "2",              # B, C (E's referral is after the period)
        "nrm_referrals_made": "1",                 # B's (C's was before the period, E's after)
    }
    assert v[(YES, TOTAL), "children_looked_after"] == "2" and v[(YES, TOTAL), "missing_episodes"] == "4"
    assert v[(NO, TOTAL), "children_missing"] == "1" and v[(TOTAL, YES), "children_nrm_referred"] == "2"
    assert v[(NO, YES), "children_missing_at_period_end"] == "1"
    # no ended missing episode among children with a trafficking concern: not applicable
    assert v[(TOTAL, YES), "missing_duration_median_days"] == "z"
    assert v[(TOTAL, YES), "return_interview_offered_percent"] == "z"
    assert v[(YES, YES), "children_missing_percent"] == "z"  # no UASC with a trafficking concern
    assert v[(YES, YES), "children_looked_after"] == "0"


def test_unrounded_values_are_exact() -> None:
    pkg = package_from_submission(hand_submission())
    try:
        councils = compute([pkg])
    finally:
        pkg.close()
    agg = Aggregator()
    inds = indicators()
    assert agg.stat(inds["missing_episodes_per_child"], councils, (TOTAL, TOTAL)).value == Fraction(5, 3)
    assert agg.stat(inds["missing_duration_median_days"], councils, (YES, TOTAL)).value == 6
    assert agg.stat(inds["children_missing_percent"], councils, (NO, TOTAL)).value == Fraction(100, 3)


def test_not_collected_sources_give_x_not_zero() -> None:
    v = hand_values(hand_submission(not_collected="return_interviews;children.nrm_referral_date"))
    assert v[(TOTAL, TOTAL), "return_interview_offered_percent"] == "x"
    assert v[(YES, NO), "return_interview_within_72h_percent"] == "x"
    assert v[(TOTAL, TOTAL), "children_nrm_referred"] == "x"
    assert v[(TOTAL, TOTAL), "children_missing"] == "3"


def test_a_filter_not_collected_gives_x_in_its_yes_and_no_rows_only() -> None:
    v = hand_values(hand_submission(not_collected="children.uasc"))
    for i in indicators():
        assert v[(YES, TOTAL), i] == "x" and v[(NO, NO), i] == "x"
    assert v[(TOTAL, YES), "children_looked_after"] == "3" and v[(TOTAL, TOTAL), "children_missing"] == "3"


def test_rates_cover_the_councils_that_hold_their_data_and_counts_need_all(tmp_path: Path) -> None:
    with_ri = hand_submission()
    without = hand_submission(old_la_code="306", new_la_code="E09000008", not_collected="return_interviews")
    packages = [package_from_submission(with_ri), package_from_submission(without)]
    try:
        result = statistics(packages, RAW)
    finally:
        for p in packages:
            p.close()
    national = next(r for r in result.rows if r["geographic_level"] == "National" and r["uasc"] == "Total"
                    and r["trafficking_concern"] == "Total")
    assert national["return_interview_offered_percent"] == "75"  # from the one council that holds them
    assert national["children_looked_after"] == "10"
    croydon = next(r for r in result.rows if r["la_name"] == "Croydon")
    assert croydon["return_interview_offered_percent"] == "x"


# ---------------------------------------------------------------- disclosure in the published file


def test_council_rows_hide_small_counts_and_what_is_built_on_them() -> None:
    out = publish_council(Aggregator(), compute([package_from_submission(hand_submission())])[0],
                          disclosure_settings())
    inds = indicators()
    for (sel, i), v in out.items():
        if inds[i].is_count:
            assert v in ("c", "0") or int(v) > 5, (sel, i, v)
    assert out[(TOTAL, TOTAL), "children_missing_percent"] == "c"
    assert out[(TOTAL, TOTAL), "missing_duration_median_days"] == "c"  # 4 ended episodes: fewer than 6


def test_national_and_regional_counts_are_rounded_to_ten(tmp_path: Path) -> None:
    result = published([FIXTURES / "kent", FIXTURES / "croydon", FIXTURES / "manchester"])
    las = [r for r in result.rows if r["geographic_level"] == "Local authority"]
    inds = [i for i in indicators().values() if i.is_count]
    for r in result.rows:
        if r["geographic_level"] in ("National", "Regional"):
            for i in inds:
                assert r[i.id] in ("low", "x", "c") or int(r[i.id]) % 10 == 0, (r["geographic_level"], i.id)
    kent = [r for r in las if r["la_name"] == "Kent"]
    assert any(r["children_looked_after"] not in ("c",) and int(r["children_looked_after"]) % 10 for r in kent)


def test_no_blank_indicator_or_filter_cell_and_every_combination_present() -> None:
    result = published([FIXTURES / "kent", FIXTURES / "croydon.json"])
    assert result.columns == ISSUE_COLUMNS
    per_area: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    for r in result.rows:
        assert all(r[c] != "" for c in ISSUE_COLUMNS[10:])
        key = (r["geographic_level"], r["region_code"], r["new_la_code"])
        per_area.setdefault(key, set()).add((r["uasc"], r["trafficking_concern"]))
    levels = {"Total", "Yes", "No"}
    assert all(combos == {(a, b) for a in levels for b in levels} for combos in per_area.values())
    assert {k[0] for k in per_area} == {"National", "Regional", "Local authority"}


def test_a_region_of_one_council_shows_nothing_its_council_row_hides() -> None:
    result = published([FIXTURES / "manchester"])
    for level in ("National", "Regional"):
        for la in (r for r in result.rows if r["geographic_level"] == "Local authority"):
            area = next(r for r in result.rows if r["geographic_level"] == level and r["uasc"] == la["uasc"]
                        and r["trafficking_concern"] == la["trafficking_concern"])
            for i in indicators():
                if la[i] == "c":
                    assert area[i] == "c", (level, i)


# ---------------------------------------------------------------- files, determinism, CLI


def test_stats_writes_ees_files_that_pass_check_ees(tmp_path: Path) -> None:
    r = cli("stats", str(FIXTURES / "kent"), str(FIXTURES / "croydon.json"), str(FIXTURES / "manchester"),
            "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        ["data_guidance.txt", "missing_from_care.csv", "missing_from_care.meta.csv", "missing_from_care_breakdowns.csv",
         "missing_from_care_breakdowns.meta.csv", "report.html"]
    assert [c for c, g in check_ees(tmp_path / "out").project("code", "group") if g != "api"] == []
    assert cli("check-ees", str(tmp_path / "out")).exit_code == 0
    meta = read_rows(tmp_path / "out" / "missing_from_care.meta.csv")
    assert [m["col_name"] for m in meta] == ISSUE_COLUMNS[10:]
    units = {m["col_name"]: (m["indicator_unit"], m["indicator_dp"]) for m in meta if m["col_type"] == "Indicator"}
    assert units["children_missing_percent"] == ("%", "0") and units["missing_episodes_per_child"] == ("", "1")


@pytest.mark.parametrize("name", ["kent", "croydon", "manchester"])
def test_each_council_alone_passes_check_ees(tmp_path: Path, name: str) -> None:
    run([FIXTURES / name], tmp_path)
    assert [i for i in check_ees(tmp_path).project("code", "row", "field", "group") if i[3] != "api"] == []


def test_output_is_byte_for_byte_deterministic_and_independent_of_argument_order(tmp_path: Path) -> None:
    run([FIXTURES / "kent", FIXTURES / "croydon", FIXTURES / "manchester.json"], tmp_path / "a")
    run([FIXTURES / "manchester", FIXTURES / "kent.json", FIXTURES / "croydon"], tmp_path / "b")
    for name in ("missing_from_care.csv", "missing_from_care.meta.csv", "report.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_parallel_and_serial_runs_agree(earlier_return: Path) -> None:
    paths = [FIXTURES / n for n in ("kent", "croydon", "manchester")]
    paths.append(earlier_return)
    serial = published(paths, workers=1)
    parallel = published(paths, workers=2)
    assert serial.rows == parallel.rows
    assert {r["time_period"] for r in serial.rows} == {"2024", "2025"}


def test_invalid_input_is_refused_with_the_validators_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    sub = read_csv_package(FIXTURES / "kent")
    sub.tables["children"][0]["sex"] = "Q"
    write_csv_package(sub, bad)
    r = CliRunner().invoke(main, ["stats", str(FIXTURES / "croydon"), str(bad), "--out", str(tmp_path / "out")])
    assert r.exit_code == 1
    assert "codelist-value" in r.stderr and "children.csv" in r.stderr
    assert not (tmp_path / "out").exists()


def test_unreadable_input_and_bad_settings_exit_2(tmp_path: Path) -> None:
    assert cli("stats", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")).exit_code == 2
    settings = tmp_path / "d.json"
    settings.write_text('{"suppress_max": "many"}')
    r = cli("stats", str(FIXTURES / "kent"), "--out", str(tmp_path / "o"), "--disclosure", str(settings))
    assert r.exit_code == 2 and "suppress_max" in r.output
    settings.write_text('{"unknown_setting": 1}')
    assert cli("stats", str(FIXTURES / "kent"), "--out", str(tmp_path / "o"), "--disclosure", str(settings)).exit_code == 2


def test_disclosure_settings_file_changes_the_threshold(tmp_path: Path) -> None:
    settings = tmp_path / "d.json"
    settings.write_text('{"suppress_max": 10, "symbols": {"rounds_to_zero": "low"}}')
    assert cli("stats", str(FIXTURES / "kent"), "--out", str(tmp_path / "o"), "--disclosure", str(settings)).exit_code == 0
    inds = [i.id for i in indicators().values() if i.is_count]
    for r in read_rows(tmp_path / "o" / "missing_from_care.csv"):
        if r["geographic_level"] == "Local authority":
            assert all(r[i] in ("c", "0") or int(r[i]) > 10 for i in inds)


def test_a_failed_run_leaves_no_partial_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mcds.stats.html as html

    def boom(*a: object, **k: object) -> str:
        raise RuntimeError("report failed")

    monkeypatch.setattr(html, "report", boom)
    with pytest.raises(RuntimeError):
        run([FIXTURES / "kent"], tmp_path / "out")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_same_council_twice_with_the_same_children_is_refused(tmp_path: Path) -> None:
    r = cli("stats", str(FIXTURES / "kent"), str(FIXTURES / "kent.json"), "--out", str(tmp_path / "o"))
    assert r.exit_code == 2 and "same child" in r.output


# ---------------------------------------------------------------- the report


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_report_colours_have_sufficient_contrast() -> None:
    from mcds.stats import html

    assert contrast(html.TEXT, html.BACKGROUND) >= 4.5 and contrast(html.MUTED, html.BACKGROUND) >= 4.5
    assert contrast(html.COLOURS[0], html.BACKGROUND) >= 4.5  # also the link and card colour
    assert all(contrast(c, html.BACKGROUND) >= 3 for c in html.COLOURS)  # graphics: WCAG 1.4.11
    for colour in re.findall(r"#[0-9a-fA-F]{6}\b", html.CSS):
        assert colour.lower() in {c.lower() for c in (*html.COLOURS, html.TEXT, html.MUTED, html.BACKGROUND, html.RULE)} \
            or contrast(colour, html.TEXT) >= 4.5, colour  # a background behind body text


def test_report_is_self_contained_accessible_and_shows_the_published_figures(tmp_path: Path) -> None:
    from html.parser import HTMLParser

    out = run([FIXTURES / "kent", FIXTURES / "croydon", FIXTURES / "manchester"], tmp_path)
    text = out.report.read_text(encoding="utf-8")

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict[str, str | None]]] = []
            self.svg_titles = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, dict(attrs)))

    p = Parser()
    p.feed(text)
    names = [t for t, _ in p.tags]
    assert "script" not in names and "link" not in names and "img" not in names and "iframe" not in names
    assert not re.search(r"src\s*=|url\(|@import|https?://(?!www\.w3\.org/2000/svg)", text)
    assert set(re.findall(r'href="([^"]*)"', text)) == {p.name for p in tmp_path.iterdir()}  # the files beside it
    assert dict(p.tags)["html"].get("lang") == "en" and "title" in names and "h1" in names
    svgs = [a for t, a in p.tags if t == "svg" and a.get("role") == "img"]  # (a chart key's swatches are hidden)
    assert len(svgs) == 3
    for a in svgs:
        assert a.get("role") == "img"
        for ident in (a.get("aria-labelledby") or "").split():
            assert f'id="{ident}"' in text
        assert len((a.get("aria-labelledby") or "").split()) == 2
    # every chart's figures as a table, and England's counts by each breakdown
    assert names.count("table") == 3 + len(publication().breakdowns)
    for b in publication().breakdowns:
        assert f'id="table-{b.label.lower().replace(" ", "-")}-2025">{b.label}, England, 2025</p>' in text
    national = next(r for r in out.published.rows if r["geographic_level"] == "National"
                    and r["uasc"] == r["trafficking_concern"] == "Total")
    share = national["children_missing_percent"]
    assert f'<span class="big">{share}{"%" if share.isdigit() else ""}</span>' in text  # a symbol has no unit
    for name in ("Kent", "Croydon", "Manchester"):
        assert f'<th scope="row">{name}</th>' in text
    for i in indicators().values():
        assert html.escape(i.label) in text


def test_every_form_the_validator_accepts_gives_the_same_statistics(tmp_path: Path) -> None:
    import zipfile

    from mcds.workbook import write_workbook

    sub = read_csv_package(FIXTURES / "croydon")
    write_workbook(sub, tmp_path / "croydon.xlsx")
    with zipfile.ZipFile(tmp_path / "croydon.zip", "w") as z:
        for f in sorted((FIXTURES / "croydon").iterdir()):
            z.write(f, f.name)
    forms = [FIXTURES / "croydon", FIXTURES / "croydon" / "datapackage.json", FIXTURES / "croydon.json",
             tmp_path / "croydon.xlsx", tmp_path / "croydon.zip"]
    results = [published([form]).rows for form in forms]
    assert all(r == results[0] for r in results[1:])


def test_a_return_without_return_interviews_publishes_x_end_to_end(tmp_path: Path) -> None:
    sub = read_csv_package(FIXTURES / "kent")
    sub.tables["return_interviews"], sub.tables["interview_episodes"] = [], []
    sub.metadata["not_collected"] = "return_interviews;interview_episodes"
    write_csv_package(sub, tmp_path / "kent")
    r = cli("stats", str(tmp_path / "kent"), str(FIXTURES / "croydon"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output + r.stderr
    rows = read_rows(tmp_path / "out" / "missing_from_care.csv")
    kent = [row for row in rows if row["la_name"] == "Kent"]
    assert {row["return_interview_offered_percent"] for row in kent} == {"x"}
    assert all(row["children_looked_after"] != "x" for row in kent)
    national = rows[0]
    assert (national["geographic_level"], national["uasc"], national["trafficking_concern"]) == \
        ("National", "Total", "Total")
    croydon = next(row for row in rows if row["la_name"] == "Croydon")
    # the national rate is over the councils that hold return interviews: here Croydon alone
    assert national["return_interview_offered_percent"] == croydon["return_interview_offered_percent"] != "x"
    assert check_ees(tmp_path / "out").valid
