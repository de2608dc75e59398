"""The documentation site in a real browser: Debian's chromium driven by Playwright.

The site is built into a temporary folder and served on 127.0.0.1. A reader opens the home page,
clicks through to a field's reference, finds a field by searching for its name and an issue by its
hyphenated code, and reads every table on a phone (390 pixels wide) and in print with no column cut off. Any console
error, failed request or request to another host fails the test. Screenshots go to
test-artifacts/docs/ (ignored by git).
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcds import catalogue as cat
from mcds import standard as std

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "docs"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("test_docs_browser")]  # its site or browser built once, on one worker


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    pytest.skip(reason)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def browser_page(base_url: str, tmp_path: Path):
    sync_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900}, service_workers="block")

        def only_this_site(route, request) -> None:  # type: ignore[no-untyped-def]
            if request.url.startswith(base_url):
                route.continue_()
            else:
                problems.append(f"request to another host: {request.url}")
                route.abort()

        context.route("**/*", only_this_site)
        page = context.new_page()
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        # A request the browser abandoned because the test moved to the next page (net::ERR_ABORTED, the
        # search worker most often) is not the site's fault; any other failure is.
        page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} {r.failure}")
                if r.failure != "net::ERR_ABORTED" else None)
        page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        yield page, problems
        context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_reader_clicks_from_home_to_a_fields_reference(browser_page, base_url: str) -> None:
    page, problems = browser_page
    s = std.load()
    table = s.tables["missing_episodes"] if "missing_episodes" in s.tables else next(iter(s.tables.values()))
    f = table.fields[min(4, len(table.fields) - 1)]

    page.goto(base_url)
    assert page.locator("h1").first.inner_text().strip(" ¶\n") == "Missing from Care Data Standard"
    shot(page, "1-home")

    page.get_by_role("link", name="The standard", exact=True).first.click()
    page.wait_for_url("**/reference/")
    page.locator("article").get_by_role("link", name=table.title, exact=True).first.click()
    page.wait_for_url(f"**/reference/tables/{table.name}/")
    page.locator("article").get_by_role("link", name=f.name, exact=True).first.click()
    page.wait_for_url(f"**/reference/tables/{table.name}/#{f.name}")
    heading = page.locator(f"h2#{f.name}")
    assert heading.is_visible()
    assert f.title in page.locator("article").inner_text()
    shot(page, "2-field-reference")

    # every download the downloads page links to is served
    page.locator("nav.md-nav--primary").get_by_role("link", name="Downloads", exact=True).first.click()
    page.wait_for_url("**/reference/downloads/")
    links = page.locator("article a[href*='schema/']")
    hrefs = [links.nth(i).evaluate("a => a.href") for i in range(links.count())]
    assert any(h.endswith("/datapackage.json") for h in hrefs)
    for href in hrefs:
        assert page.request.get(href).status == 200, href
    shot(page, "3-downloads")
    assert problems == []


def test_search_finds_a_field_by_name(browser_page, base_url: str) -> None:
    page, problems = browser_page
    s = std.load()
    # a field whose name no other table uses, so that one page holds it
    counts: dict[str, int] = {}
    for field in s.all_fields():
        counts[field.name] = counts.get(field.name, 0) + 1
    f = next(field for field in s.all_fields() if "_" in field.name and counts[field.name] == 1)

    page.goto(base_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # the search index is built in a web worker; type once it is ready, as a reader would
    page.locator(".md-search-result__meta", has_text="Type to start searching").wait_for(timeout=15000)
    page.locator("input.md-search__input").press_sequentially(f.name, delay=20)
    result = page.locator(f".md-search-result__list a[href*='tables/{f.table}/'][href$='#{f.name}']").first
    result.wait_for(state="visible", timeout=15000)
    shot(page, "4-search")
    result.click()
    page.wait_for_url(lambda url: f"/reference/tables/{f.table}/" in url and url.endswith(f"#{f.name}"))
    assert page.locator(f"h2#{f.name}").is_visible()
    shot(page, "5-search-result")
    assert problems == []


def test_search_finds_an_issue_code_with_hyphens(browser_page, base_url: str) -> None:
    page, problems = browser_page
    code = "codelist-value" if "codelist-value" in cat.catalogue() else next(c for c in cat.catalogue() if "-" in c)
    page.goto(base_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator(".md-search-result__meta", has_text="Type to start searching").wait_for(timeout=15000)
    page.locator("input.md-search__input").press_sequentially(code, delay=20)
    result = page.locator(f".md-search-result__list a[href*='reference/issues/'][href$='#{code}']").first
    result.wait_for(state="visible", timeout=15000)
    shot(page, "6-search-issue-code")
    result.click()
    page.wait_for_url(lambda url: "/reference/issues/" in url and url.endswith(f"#{code}"))
    assert page.locator(f"h2#{code}").is_visible()
    assert problems == []


# Every cell of every table on the page is on screen, not hidden, not cut by a scrolling box, and
# (when the table is shown as cards) labelled with its column's heading. Returns what is wrong.
CHECK_TABLES = """() => {
  const width = document.documentElement.clientWidth, problems = [], norm = s => s.replace(/\\s+/g, " ").trim();
  for (const table of document.querySelectorAll("article table")) {
    const heads = [...table.querySelectorAll("thead th")].map(th => norm(th.textContent));
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (!norm(cell.textContent)) return;  // an empty cell shows nothing
        const r = cell.getBoundingClientRect(), name = `${heads[i]} "${norm(cell.textContent).slice(0, 30)}"`;
        if (r.width < 1 || r.height < 1) problems.push(`hidden: ${name}`);
        if (r.left < -1 || r.right > width + 1) problems.push(`off screen: ${name} (${r.left}-${r.right} of ${width})`);
        if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`wider than its cell: ${name}`);
        for (let box = cell.parentElement; box && box !== document.body; box = box.parentElement) {
          const b = box.getBoundingClientRect();
          if (getComputedStyle(box).overflowX !== "visible" && (r.right > b.right + 1 || r.left < b.left - 1))
            problems.push(`cut off: ${name}`);
        }
        if (table.hasAttribute("data-mcds-stack") && norm(cell.dataset.label || "") !== heads[i])
          problems.push(`not labelled: ${name}`);
      });
    }
  }
  if (document.documentElement.scrollWidth > width + 1) problems.push(`the page scrolls sideways`);
  return problems.slice(0, 10);
}"""


def pages_with_tables() -> list[str]:
    """The current version's reference pages, a permanent page of each version, and the hand-written pages."""
    s = std.load()
    pages = ["", "accessibility/", "government/changelog/"]
    pages += [f"reference/{p}" for p in ("", "metadata/", "codelists/", "issues/", "indicators/", "json-schema/",
                                          "report-schema/", "changes/", "cli/", "downloads/", "versions/")]
    pages += [f"reference/tables/{t}/" for t in s.tables] + [f"reference/codelists/{c}/" for c in s.codelists]
    pages += [f"reference/{v}/tables/children/" for v in std.supported_versions()]
    pages += [p.relative_to(DOCS).with_suffix("").as_posix().removesuffix("index") + "/"
              for p in sorted(DOCS.glob("*/*.md")) if not p.is_relative_to(DOCS / "reference")]
    return [p.replace("//", "/") for p in pages]


def table_faults(page, base_url: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    faults = {}
    for path in pages_with_tables():
        page.goto(base_url + path, wait_until="load")  # the page laid out with its styles and scripts
        found = page.evaluate(CHECK_TABLES)
        if found:
            faults[path] = found
    return faults


def test_a_phone_shows_every_table_column(browser_page, base_url: str) -> None:
    page, problems = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    faults = table_faults(page, base_url)
    page.goto(base_url + "reference/tables/children/")
    shot(page, "7-phone-table")
    assert faults == {}
    assert problems == []


def test_print_shows_every_table_column(browser_page, base_url: str) -> None:
    page, problems = browser_page
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # an A4 page's printable width at 96 dpi
    faults = table_faults(page, base_url)
    page.goto(base_url + "reference/codelists/placement_type/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "8-print-codelist.pdf"), format="A4")
    assert faults == {}
    assert problems == []
