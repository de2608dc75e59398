"""The documentation site in a real browser: Debian's chromium driven by Playwright.

The site is built into a temporary folder and served on 127.0.0.1. A reader opens the home page,
clicks through to a field's reference, and finds a field by searching for its name. Any console
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

from mcds import standard as std

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "docs"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.slow


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
        page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} {r.failure}"))
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
