"""The statistics report in a real browser: Debian's chromium driven by Playwright, offline.

The report of three synthetic councils is opened from disk (any request elsewhere fails the
test). It is read at desktop and phone width (screenshots in test-artifacts/report/, ignored by
git), checked with axe-core (npm, package-lock.json) for serious or critical violations, and
printed: to PDF, with every figure kept whole on a page and every table shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.test_docs_browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

from mcds.stats import run

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "valid"
ARTIFACTS = ROOT / "test-artifacts" / "report"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
A4_MM, MARGIN_MM, PX_PER_MM = (210, 297), 15, 96 / 25.4

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("test_report_browser")]  # its site or browser built once, on one worker


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()
    out = tmp_path_factory.mktemp("stats")
    return run([FIXTURES / "kent", FIXTURES / "manchester", FIXTURES / "croydon"], out).report


def _browse(report: Path) -> Iterator:
    """A page of Chromium showing ``report``, which may load nothing else (nor log an error)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})

        def only_the_report(route, request) -> None:  # type: ignore[no-untyped-def]
            if request.url == report.as_uri():
                route.continue_()
            else:
                problems.append(f"request: {request.url}")
                route.abort()

        pg.route("**/*", only_the_report)
        pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        pg.goto(report.as_uri())
        yield pg
        browser.close()
    assert problems == []


@pytest.fixture
def page(report: Path) -> Iterator:
    yield from _browse(report)


def shot(pg, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    print(f"screenshot: {ARTIFACTS / name}.png")


# the smallest chart text as drawn, in CSS px: its font size times the scale the SVG is drawn at
SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('svg text')].map(t => {
  const svg = t.ownerSVGElement;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return parseFloat(getComputedStyle(t).fontSize) * scale;
}))"""


# what a reader could not read on a narrow screen: a table's name or a legend item cut off by the
# screen's edge, or a legend's swatch on another line than its name
CUT_OFF = """() => {
  const w = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('p.table-name, .legend li, h1, h2, h3, figcaption p')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 0.5) out.push(`${el.textContent.slice(0, 40)}: right edge ${r.right} > ${w}`);
  }
  for (const li of document.querySelectorAll('.legend li')) {
    const swatch = li.querySelector('svg').getBoundingClientRect();
    const range = document.createRange(); range.selectNodeContents(li);
    const first = [...range.getClientRects()].find(c => c.width > 0 && c.left > swatch.right - 1);
    if (first && (first.top > swatch.bottom || first.bottom < swatch.top)) out.push(`legend ${li.textContent}`);
  }
  return out;
}"""


def test_desktop_and_phone_widths_are_readable(page) -> None:  # type: ignore[no-untyped-def]
    shot(page, "desktop")
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 12
    assert page.evaluate(CUT_OFF) == []
    for width in (390, 360):
        page.set_viewport_size({"width": width, "height": 844})
        shot(page, f"phone-{width}")
        assert page.evaluate(SMALLEST_CHART_TEXT) >= 11  # not the 5 px of a wide chart shrunk to fit
        # nothing wider than the phone but a table's or the month chart's own scrolling box
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate(CUT_OFF) == []
        assert page.locator(".hint").first.is_visible()  # the month chart says it scrolls
    assert page.locator("figure svg[role=img]").count() == 3


def test_no_serious_or_critical_accessibility_violations(page) -> None:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: npm ci (.ci/run) installs it")
        pytest.skip("axe-core is not installed (npm ci)")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == []
    assert results["passes"] is not None and len(results["passes"]) > 10  # axe ran its rules


def _print_layout(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Each figure and headline card as printed on A4: whether it may be split, and its height."""
    width_px = (A4_MM[0] - 2 * MARGIN_MM) * PX_PER_MM
    page_px = (A4_MM[1] - 2 * MARGIN_MM) * PX_PER_MM
    page.set_viewport_size({"width": int(width_px), "height": int(page_px)})
    page.emulate_media(media="print")
    figures = page.evaluate("""() => [...document.querySelectorAll('figure, ul.cards li')].map(f => ({
        tag: f.tagName, breaks: getComputedStyle(f).breakInside, height: f.getBoundingClientRect().height}))""")
    assert figures and all(f["breaks"] == "avoid" for f in figures), figures
    assert all(f["height"] < page_px for f in figures), [f["height"] for f in figures]  # so each fits a page
    return figures


def test_print_keeps_each_figure_on_one_page_and_shows_every_table(page) -> None:  # type: ignore[no-untyped-def]
    _print_layout(page)
    assert all(page.locator("table").nth(i).is_visible() for i in range(page.locator("table").count()))
    # the legends' swatches are drawn, so they print (a CSS background is left out of print by default)
    swatches = page.locator(".legend li svg rect")
    assert swatches.count() == 5 and all(swatches.nth(i).is_visible() for i in range(5))
    assert not page.locator(".hint").first.is_visible()
    pdf = page.pdf(format="A4", margin={k: f"{MARGIN_MM}mm" for k in ("top", "bottom", "left", "right")})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf)
    pages = pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>>") + pdf.count(b"/Type /Page ")
    assert pdf.startswith(b"%PDF") and pages >= 2


def test_a_run_of_many_councils_prints_each_figure_on_one_page(report: Path, tmp_path: Path) -> None:
    """A council chart of every council in England would run over several pages; its parts (a region,
    or part of one) each fit a page."""
    from tests.test_report import many_councils

    from mcds.stats import published
    from mcds.stats.config import disclosure_settings
    from mcds.stats.html import report as html_report
    result = published([FIXTURES / "kent", FIXTURES / "manchester", FIXTURES / "croydon"])
    path = tmp_path / "report.html"
    path.write_text(html_report(many_councils(result, 40), disclosure_settings()), encoding="utf-8")
    for pg in _browse(path):
        figures = _print_layout(pg)
        assert sum(f["tag"] == "FIGURE" for f in figures) == 1 + 4 + 2 + 1  # England, London's 26, the 14 others, months
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "report-40-councils.pdf").write_bytes(pg.pdf(format="A4", margin={
            k: f"{MARGIN_MM}mm" for k in ("top", "bottom", "left", "right")}))
