"""The report's content, as projections of what the run published: the status the settings allow,
the coverage sentence, the symbol drawn for each suppressed value, the filters' definitions from
the standard, the release details, and the small things a statistics release gets right."""

from __future__ import annotations

import itertools
import json
import re
from html import escape, unescape
from pathlib import Path

import pytest

from mcds import standard as std
from mcds.stats import published, write
from mcds.stats.config import Disclosure, Release, disclosure_settings, publication
from mcds.stats.guidance import Coverage, coverage
from mcds.stats.html import COLOURS, axis_step, fmt, plural, report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "valid"
CFG = disclosure_settings()


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return published([FIXTURES / "kent", FIXTURES / "manchester", FIXTURES / "croydon"])


def _with(**release: str) -> Disclosure:
    return CFG.model_copy(update={"release": Release(**release)})


def test_the_status_is_official_statistics_only_when_the_settings_say_so(result, tmp_path: Path) -> None:
    plain = report(result, CFG)
    assert '<p class="status">Management information</p>' in plain and "Official statistics" not in plain
    official = report(result, _with(status="Official statistics"))
    assert '<p class="status">Official statistics</p>' in official
    # a publisher sets it in the settings file mcds stats --disclosure reads; the protection is unchanged
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"release": {"status": "Official statistics", "producer": "DfE"}}), encoding="utf-8")
    cfg = disclosure_settings(override=settings)
    assert cfg.release.status == "Official statistics" and cfg.round_base == CFG.round_base
    settings.write_text(json.dumps({"release": {"status": "National Statistics"}}), encoding="utf-8")
    with pytest.raises(Exception, match=r"release\.status"):
        disclosure_settings(override=settings)


def test_a_run_of_some_councils_says_so_in_the_title_area_and_the_data_guidance(result, tmp_path: Path) -> None:
    text = report(result, CFG)
    header = text[text.index("<header>"):text.index("</header>")]
    assert "These figures cover 3 of the 153 councils in England on 31 March 2025" in header
    assert "not figures for the whole of England" in header
    out = write(result, tmp_path, CFG)
    guidance = (out.report.parent / "data_guidance.txt").read_text(encoding="utf-8")
    assert "cover 3 of the 153 councils in England on 31 March 2025" in guidance
    for name in ("missing_from_care.csv", "missing_from_care_breakdowns.csv"):
        assert re.search(rf"^{re.escape(name)}: \S", guidance, re.M), name  # each data file described
    # every council in England: no caveat
    c = coverage(result.councils, 2025)
    whole = Coverage(c.year, c.end, c.in_operation, c.in_operation)
    assert whole.complete and whole.sentence("England") == "These figures cover every council in England (153)."


def test_every_suppressed_value_of_a_chart_is_drawn_as_its_symbol(result) -> None:
    text = report(result, CFG)
    share = publication().report_indicator
    rows = [r for r in result.rows if r["geographic_level"] == "Local authority" and r["uasc"] == "Yes"
            and r["trafficking_concern"] == "Total"]
    hidden = [r["la_name"] for r in rows if r[share] == "c"]
    assert hidden  # the fixtures hide some councils' UASC share
    chart = text[text.index('id="council-2025-t"'):]
    chart = chart[:chart.index("</svg>")]
    for name in hidden:
        assert f"<title>Unaccompanied asylum-seeking children, {name}: c (not shown, to protect confidentiality)" \
               f"</title>" in chart
    assert chart.count('font-weight="700">c</text>') == sum(
        r[share] == "c" for r in result.rows if r["geographic_level"] == "Local authority"
        and (r["uasc"], r["trafficking_concern"]) in {("Total", "Total"), ("Yes", "Total"), ("Total", "Yes")})
    months = text[text.index('id="months-2025-t"'):]
    months = months[:months.index("</svg>")]
    lows = [m for m, v in result.months[2025]["away_episodes"].items() if v == "low"]
    assert lows and months.count('font-weight="700">low</text>') >= len(lows)
    assert "<strong>low</strong> more than zero, but rounds to zero" in text  # the key under the chart
    assert "<title>All:" not in text  # tooltips name the series


def test_the_filters_are_defined_from_the_standard(result) -> None:
    text = report(result, CFG)
    fields = {f"{f.table}.{f.name}": f.description for f in std.load().all_fields()}
    for f in publication().filters:
        assert f"<dt>{escape(f.label)}</dt>" in text
        for source in f.sources:
            assert escape(fields[source]) in text


def test_release_details_come_from_the_settings_and_say_when_not_set(result) -> None:
    text = report(result, CFG, files=["missing_from_care.csv", "report.html"])
    assert "<dt>Producer</dt><dd>Not set (<code>release.producer</code>" in text
    assert '<a href="missing_from_care.csv">missing_from_care.csv</a>' in text
    given = report(result, _with(producer="Department for Education", published="1 May 2026",
                                 methodology_url="https://example.org/method"))
    assert "<dt>Producer</dt><dd>Department for Education</dd>" in given and "<dd>1 May 2026</dd>" in given
    assert '<a href="https://example.org/method">' in given


def test_the_small_things(result) -> None:
    text = report(result, CFG)
    assert fmt("1010") == "1,010" and fmt("1234567.5") == "1,234,567.5" and fmt("c") == "c" and fmt("-1200") == "-1,200"
    assert plural(1, "council return") == "1 council return" and plural(3, "council return") == "3 council returns"
    assert "From 3 council returns" in text and "return(s)" not in text
    assert "Reporting year ending 31 March 2025</h2>" in text
    assert re.search(r'class="big">1,0\d0</span>Children looked after', text)
    assert " day</span>" not in text and " days</span>" not in text  # the label says (days)
    assert "Unaccompanied asylum-seeking children" in text  # the group, not the filter's singular label
    heads = re.findall(r"<figcaption><h3[^>]*>([^<]*)</h3>", text)
    outside_charts = re.sub(r"<svg.*?</svg>", "", text, flags=re.S)  # (a chart's own title names it for a screen reader)
    assert len(heads) == 3 and all(outside_charts.count(f">{h}<") == 1 for h in heads)  # each figure's heading once
    # the month chart's axis: whole-number ticks, none repeated, for small values too
    assert [axis_step(v) for v in (1, 3, 6, 40, 60, 1010)] == [1, 1, 2, 10, 20, 500]


def _luminance(colour: str) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_series_colours_differ_in_luminance() -> None:
    lum = sorted(_luminance(c) for c in COLOURS)
    assert all((b + 0.05) / (a + 0.05) >= 1.5 for a, b in itertools.pairwise(lum))


SYMBOLS = CFG.symbols
EVERY_SYMBOL = [SYMBOLS.suppressed, SYMBOLS.rounds_to_zero, SYMBOLS.not_collected, SYMBOLS.not_applicable]


def _marks(svg: str) -> dict[str, str]:
    """Each symbol drawn in a chart (bold text in a dashed box), with the tooltip of its mark."""
    out = {}
    for tip, box, symbol in re.findall(r"<g><title>([^<]*)</title>(<rect[^>]*/>)<text[^>]*font-weight=\"700\">([^<]*)"
                                       r"</text></g>", svg):
        assert 'stroke-dasharray="3 2"' in box and f'fill="{COLOURS[0]}"' not in box  # never a bar
        out[symbol] = unescape(tip)
    return out


def test_every_chart_draws_c_low_x_and_z_as_labelled_symbols_never_as_bars() -> None:
    from mcds.stats.html import column_chart, hbar_chart, meanings
    meaning = meanings(SYMBOLS)
    bars = hbar_chart("h", "T", "D", [(f"Council {k}", [v, "12"]) for k, v in enumerate(EVERY_SYMBOL)],
                      ["All children", "UASC"], sym=SYMBOLS)
    months = column_chart("m", "T", "D", [("Apr", "2024"), ("May", ""), ("Jun", ""), ("Jul", "")],
                          [("Missing episodes", EVERY_SYMBOL), ("Away episodes", ["3", "0", "1", "2"])], sym=SYMBOLS)
    for svg, where in ((bars, "All children, Council {k}"), (months, "Missing episodes, {m}")):
        marks = _marks(svg)
        assert sorted(marks) == sorted(EVERY_SYMBOL), svg
        for k, (s, m) in enumerate(zip(EVERY_SYMBOL, ["Apr 2024", "May", "Jun", "Jul"], strict=True)):
            assert marks[s] == f"{where.format(k=k, m=m)}: {s} ({meaning[s]})"  # the tooltip names its bar
    # a true zero is a bar of no length with its value written, never a symbol's box
    assert '<title>Away episodes, May: 0</title></rect>' in months
    assert months.count("<rect") == 4 + 4  # four symbol boxes and the away series' four columns (0 included)


def test_a_chart_key_and_table_names_do_not_repeat_the_figure_heading(result) -> None:
    text = report(result, CFG)
    figs = re.findall(r'<h3 id="fig-([\w-]+)">Figure (\d+): ', text)
    assert [n for _, n in figs] == ["1", "2", "3"]
    for ident, n in figs:
        # the table is named by a short line, and for a screen reader by the figure's heading too
        assert f'<p class="table-name" id="table-{ident}">Figure {n} as a table</p>' in text
        assert f'<table aria-labelledby="fig-{ident} table-{ident}">' in text
    assert "<caption>" not in text and "The figures of the chart" not in text
    # a legend's swatches are drawn (printed, unlike a CSS background), one item per series
    legend = re.findall(r'<ul class="legend" aria-hidden="true">(.*?)</ul>', text)
    assert [len(re.findall(r"<li><svg[^>]*><rect[^>]*fill=\"#", items)) for items in legend] == [3, 2]


def many_councils(result, n: int):  # type: ignore[no-untyped-def]
    """The run's figures with its council rows copied to ``n`` councils in London and the North East
    (the figures as they are: only the layout is tested)."""
    import dataclasses
    las = [r for r in result.rows if r["geographic_level"] == "Local authority"]
    codes = list(dict.fromkeys(r["new_la_code"] for r in las))
    rows = [r for r in result.rows if r["geographic_level"] != "Local authority"]
    for k in range(n):
        region = ("E12000007", "London") if k % 3 else ("E12000001", "North East")
        for r in las:
            if r["new_la_code"] == codes[k % len(codes)]:
                rows.append(r | {"new_la_code": f"E0{k:07d}", "la_name": f"Council {k:02d}", "region_code": region[0],
                                 "region_name": region[1]})
    return dataclasses.replace(result, rows=rows)


def test_a_run_of_many_councils_charts_each_region_in_parts_that_fit_a_page(result) -> None:
    from mcds.stats.html import COUNCILS_PER_FIGURE, council_parts
    assert council_parts([("B", "R", ["1"]), ("A", "S", ["2"])]) == [("", [("A", ["2"]), ("B", ["1"])])]
    councils = [(f"C{k:02d}", "London" if k % 3 else "North East", [str(k)]) for k in range(20)]
    parts = council_parts(councils)
    assert [where for where, _ in parts] == [", London (part 1 of 2)", ", London (part 2 of 2)", ", North East"]
    assert all(len(rows) <= COUNCILS_PER_FIGURE for _, rows in parts)
    assert [n for _, rows in parts for n, _ in rows] == sorted(n for n, r, _ in councils if r == "London") + \
        sorted(n for n, r, _ in councils if r == "North East")  # every council once, by region and name
    text = report(many_councils(result, 20), CFG)
    heads = re.findall(r'<h3 id="fig-council-2025-(\d)">Figure (\d+): ([^<]*)</h3>', text)
    assert [(i, n) for i, n, _ in heads] == [("1", "2"), ("2", "3"), ("3", "4")]
    assert heads[2][2].endswith("by council, North East, 2025")
    assert 'id="table-months-2025">Figure 5 as a table' in text
