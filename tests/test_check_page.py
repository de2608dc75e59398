"""The page check/ (the validator in the browser) against the CLI: Debian's chromium driven by Playwright.

The site is built with ``mkdocs build --strict`` (the hook scripts/docs_gen/check_page.py bundles the
page's runner, web/check/, and copies DuckDB-WASM and the validation plans into it) and served on
127.0.0.1. Every case of each version's conformance suite and every example submission, in each form the
page reads (a CSV package's files, its .zip, the workbook, the JSON form), is given to the page as a
person would choose it; the page's JSON report must equal what ``mcds validate --format json`` gives for
the same input: the same issues in the same order, with the same codes, tables, rows, columns, fields,
values and messages, the same counts, validity and notes (only ``source``, the path as given, differs).

The page must make no request to any other host, and must check files with the network cut once it has
loaded. Screenshots (desktop and a 390-pixel phone) go to test-artifacts/check/ (ignored by git).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from mcds import standard as std

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "check"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MCDS = str(Path(sys.executable).parent / "mcds")  # the installed command, as a council runs it
DONE = "#mcds-check[data-state=done], #mcds-check[data-state=failed]"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("test_check_page")]  # its site or browser built once, on one worker


def require_browser() -> None:
    reasons = []
    if not CHROMIUM.exists():
        reasons.append(f"{CHROMIUM} is not installed (apt-get install chromium)")
    if not (ROOT / "node_modules" / "@duckdb" / "duckdb-wasm").exists():
        reasons.append("DuckDB-WASM is not installed (npm ci)")
    skip_unless_met("the check page's test", reasons)


def skip_unless_met(what: str, reasons: list[str]) -> None:
    """Skip for ``reasons`` (what is missing), except in CI, which must run ``what``."""
    if not reasons:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run {what}: " + "; ".join(reasons))
    pytest.skip("; ".join(reasons))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                                                ".wasm": "application/wasm", ".js": "text/javascript"}

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_browser()
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Browser:
    """One Chromium profile with the page check/ open; every request to another host is refused and noted."""

    def __init__(self, p, base_url: str, profile: Path, width: int = 1280) -> None:  # type: ignore[no-untyped-def]
        self.base_url = base_url
        self.problems: list[str] = []
        self.other_hosts: list[str] = []
        self.context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": 900}, service_workers="block", accept_downloads=True)
        self.context.route("**/*", self._only_this_site)
        self.page = self.context.new_page()
        page = self.page
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        page.on("worker", lambda w: w.on("console", lambda m: self.problems.append(f"worker {m.type}: {m.text}")
                                         if m.type == "error" else None) if hasattr(w, "on") else None)

    def _only_this_site(self, route, request) -> None:  # type: ignore[no-untyped-def]
        if request.url.startswith(self.base_url) or request.url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            self.other_hosts.append(request.url)
            route.abort()

    def open(self) -> None:
        self.page.goto(self.base_url + "check/")
        self.page.wait_for_selector("#mcds-check[data-engine]", state="attached", timeout=120_000)
        # the plans are fetched as the page loads, beside the engine: wait until the browser has them
        self.page.wait_for_load_state("networkidle")

    def check(self, files: list[Path], *, folder: bool = False) -> dict:
        page = self.page
        page.evaluate("document.getElementById('mcds-check').dataset.state = 'waiting'")
        selector = "#mcds-folder" if folder else "#mcds-files"
        page.set_input_files(selector, [str(f) for f in files] if not folder else str(files[0]))
        page.wait_for_selector(DONE, state="attached", timeout=300_000)
        state = page.evaluate("document.getElementById('mcds-check').dataset.state")
        assert state == "done", page.inner_text("#mcds-status")
        return page.evaluate("window.mcdsReport")

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def playwright(base_url: str):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:  # one per module: Playwright's sync API cannot be nested
        yield p


@pytest.fixture(scope="module")
def browser(playwright, base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    b = Browser(playwright, base_url, tmp_path_factory.mktemp("profile"))
    b.open()
    yield b
    b.close()


def cli_report(path: Path) -> dict:
    """What ``mcds validate PATH --format json`` prints, as JSON; less the note that names a conversion
    command with PATH in it (mcds.next_steps.conversion_hint: the page has no path to name)."""
    from click.testing import CliRunner

    from mcds.cli import main
    from mcds.next_steps import conversion_hint

    # the CLI itself, run in this process (a process per case would double the test's time)
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    hint = conversion_hint(path) if any(i["code"] == "table-missing" for i in report["issues"]) else None
    if hint and hint in report.get("notes", []):
        report["notes"].remove(hint)
        if not report["notes"]:
            del report["notes"]
    return report


def same_report(browser_report: dict, cli: dict) -> None:
    assert browser_report is not None
    b = {k: v for k, v in browser_report.items() if k != "source"}
    c = {k: v for k, v in cli.items() if k != "source"}
    assert b["counts"] == c["counts"]
    for n, (x, y) in enumerate(zip(b["issues"], c["issues"], strict=False)):
        assert x == y, f"issue {n} differs"
    assert len(b["issues"]) == len(c["issues"])
    assert b == c


def package_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def zipped(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, Path(folder.name) / p.relative_to(folder))
    return out


def conformance_cases() -> list[tuple[str, str]]:
    out = []
    for v in std.supported_versions():
        suite = std.load(v).root / "conformance"
        if suite.is_dir():
            out += [(v, case.name) for case in sorted(suite.iterdir()) if (case / "input").is_dir()]
    return out


def case_input(version: str, case: str) -> tuple[Path, list[Path]]:
    """A conformance case's input as the CLI is given it, and the files a person would choose on the page."""
    inputs = std.load(version).root / "conformance" / case / "input"
    json_files = [p for p in inputs.iterdir() if p.suffix == ".json" and p.name != "datapackage.json"]
    given = json_files[0] if json_files and not (inputs / "datapackage.json").exists() else inputs
    return given, [given] if given != inputs else package_files(inputs)


@pytest.mark.sample(6)  # each case is a browser run
@pytest.mark.parametrize(("version", "case"), conformance_cases())
def test_conformance_case_gives_the_clis_report(browser: Browser, version: str, case: str) -> None:
    given, files = case_input(version, case)
    report = browser.check(files)
    same_report(report, cli_report(given))
    assert browser.problems == [] and browser.other_hosts == []


FIXTURE_DIRS = [ROOT / "fixtures" / "valid", ROOT / "fixtures" / "1.0"]
FIXTURES = sorted(p.name for p in FIXTURE_DIRS[0].iterdir() if p.is_dir())


def fixture_input(folder: Path, form: str, tmp_path: Path) -> tuple[Path, list[Path]]:
    """An example submission in one of the forms the page reads: what the CLI is given, and what is chosen."""
    name = folder.name
    if form == "files":
        return folder, package_files(folder)
    if form == "folder":
        return folder, [folder]
    if form == "zip":
        given = zipped(folder, tmp_path / f"{name}.zip")
        return given, [given]
    if form == "json":
        given = folder.with_suffix(".json")
        if not given.exists():
            pytest.skip(f"no JSON form of {folder}")
        return given, [given]
    given = tmp_path / f"{name}.xlsx"
    result = subprocess.run([MCDS, "convert", "package", str(folder), "--to", "xlsx",
                             "--out", str(given)], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return given, [given]


@pytest.mark.parametrize("where", ["valid", "1.0"])
@pytest.mark.parametrize("name", FIXTURES)
@pytest.mark.parametrize("form", ["files", "folder", "zip", "json", "xlsx"])
def test_fixture_in_every_form_gives_the_clis_report(browser: Browser, tmp_path: Path, where: str, name: str,
                                                     form: str) -> None:
    folder = ROOT / "fixtures" / where / name
    if not folder.is_dir():
        pytest.skip(f"no fixture {where}/{name}")
    given, files = fixture_input(folder, form, tmp_path)
    report = browser.check(files, folder=form == "folder")
    cli = cli_report(given)
    same_report(report, cli)
    assert report["issues"] or report["valid"]
    assert browser.problems == [] and browser.other_hosts == []


def test_a_broken_package_is_reported_in_the_users_coordinates(browser: Browser, tmp_path: Path) -> None:
    """Errors of every kind at once (a wrong code, a date written dd/mm/yyyy, a missing column, a row with
    too many cells, a duplicate key): the page gives the CLI's report, and shows each issue's file, row and
    column letter, and how to fix it."""
    folder = tmp_path / "broken"
    shutil.copytree(ROOT / "fixtures" / "valid" / "kent", folder)
    children = folder / "children.csv"
    lines = children.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    sex = header.index("sex")
    row = lines[1].split(",")
    row[sex] = "Male"
    lines[1] = ",".join(row)
    lines.append(lines[2] + ",extra")  # a duplicate child, and a cell too many
    children.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = browser.check(package_files(folder))
    same_report(report, cli_report(folder))
    codes = {i["code"] for i in report["issues"]}
    assert {"codelist-value", "row-extra-cells", "primary-key-duplicate"} <= codes
    assert report["valid"] is False
    page = browser.page
    group = page.locator("section.mcds-group", has=page.locator("h3 code", has_text="codelist-value"))
    text = group.inner_text()
    assert "How to fix" in text and "children.csv" in text
    letter = next(i["column"] for i in report["issues"] if i["code"] == "codelist-value")
    assert letter in text and "Male" in text
    assert browser.problems == [] and browser.other_hosts == []


def test_downloads_are_the_reports_json_and_csv(browser: Browser, tmp_path: Path) -> None:
    folder = ROOT / "fixtures" / "valid" / "kent"
    report = browser.check(package_files(folder))
    page = browser.page
    with page.expect_download() as info:
        page.click("#mcds-download-json")
    saved = tmp_path / "report.json"
    info.value.save_as(saved)
    assert json.loads(saved.read_text(encoding="utf-8")) == report
    with page.expect_download() as info:
        page.click("#mcds-download-csv")
    saved_csv = tmp_path / "issues.csv"
    info.value.save_as(saved_csv)
    cli = subprocess.run([MCDS, "validate", str(folder), "--format", "csv"],
                         capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert saved_csv.read_text(encoding="utf-8") == cli.stdout
    assert browser.problems == [] and browser.other_hosts == []


def test_works_offline_after_loading_and_asks_no_other_host(playwright, base_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    b = Browser(playwright, base_url, tmp_path / "profile")
    try:
        b.open()
        served: list[str] = []
        b.page.on("request", lambda r: served.append(r.url))
        b.context.set_offline(True)
        folder = ROOT / "fixtures" / "valid" / "croydon"
        report = b.check(package_files(folder))
        same_report(report, cli_report(folder))
        assert served == [] or all(u.startswith(("blob:", "data:")) for u in served), served
        policy = b.page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content")
        assert "default-src 'self'" in policy and "connect-src 'self'" in policy
        assert b.problems == [] and b.other_hosts == []
    finally:
        b.close()


def test_screenshots_and_keyboard_use(playwright, base_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The page at desktop width and on a 390-pixel phone: the file inputs are labelled and reached from the
    keyboard, the status is a live region, the report's heading takes the focus when it is ready, nothing is
    wider than the screen."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    folder = tmp_path / "broken"
    shutil.copytree(ROOT / "fixtures" / "valid" / "manchester", folder)
    placements = folder / "placements.csv"
    text = placements.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace("-", "/", 1)  # a date in another form
    placements.write_text("\n".join(text) + "\n", encoding="utf-8")
    for width, name in ((1280, "desktop"), (390, "phone")):
        b = Browser(playwright, base_url, tmp_path / f"profile-{name}", width=width)
        try:
            b.open()
            page = b.page
            page.screenshot(path=str(ARTIFACTS / f"{name}-1-ready.png"), full_page=True)
            assert page.get_by_label("Files:", exact=False).count() == 1
            assert page.get_by_label("Or a CSV package's folder").count() == 1
            assert page.locator("#mcds-status").get_attribute("role") == "status"
            assert page.locator("#mcds-status").get_attribute("aria-live") == "polite"
            page.focus("#mcds-files")
            assert page.evaluate("document.activeElement.id") == "mcds-files"
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == "mcds-folder"
            report = b.check(package_files(folder))
            assert report["valid"] is False
            assert page.evaluate("document.activeElement.id") == "mcds-report-title"
            page.screenshot(path=str(ARTIFACTS / f"{name}-2-report.png"), full_page=False)
            page.screenshot(path=str(ARTIFACTS / f"{name}-3-report-full.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"the page is {overflow} px wider than the {width} px screen"
            assert b.problems == [] and b.other_hosts == []
        finally:
            b.close()


# ------------------------------------------------------------------------------------------ Firefox
# The same page in Firefox: Debian's firefox-esr driven through WebDriver BiDi by puppeteer-core (npm,
# pinned in package-lock.json; no browser download), by tests/browser/firefox_check.mjs. One Firefox
# session checks every input the Firefox tests below selected (a node process per input would cost a
# browser start each); each test then compares its own input's report with the CLI's.

FIREFOX = Path(os.environ.get("MCDS_FIREFOX", "/usr/bin/firefox-esr"))
FIREFOX_SCRIPT = ROOT / "tests" / "browser" / "firefox_check.mjs"
FIREFOX_FORMS = ["files", "zip", "json", "xlsx"]  # the folder input (webkitdirectory) is left to the Chromium tests


def require_firefox() -> None:
    reasons = []
    if not FIREFOX.exists():
        reasons.append(f"{FIREFOX} is not installed (apt-get install firefox-esr)")
    if not (ROOT / "node_modules" / "puppeteer-core").exists():
        reasons.append("puppeteer-core is not installed (npm ci)")
    if not shutil.which("node"):
        reasons.append("node is not installed")
    skip_unless_met("the check page in Firefox", reasons)


class FirefoxRun:
    def __init__(self, given: dict[str, Path], out: dict) -> None:
        self.given = given
        self.results = dict(zip(given, out["results"], strict=True))
        self.user_agent: str = out["userAgent"]
        self.problems: list[str] = out["problems"]
        self.other_hosts: list[str] = out["otherHosts"]


def _firefox_key(item: pytest.Item) -> str | None:
    spec = getattr(item, "callspec", None)
    if getattr(item, "originalname", "") == "test_conformance_case_in_firefox" and spec:
        return f"case:{spec.params['version']}:{spec.params['case']}"
    if getattr(item, "originalname", "") == "test_fixture_in_firefox" and spec:
        return f"fixture:{spec.params['where']}:{spec.params['name']}:{spec.params['form']}"
    return None


@pytest.fixture(scope="module")
def firefox(request: pytest.FixtureRequest, base_url: str, tmp_path_factory: pytest.TempPathFactory) -> FirefoxRun:
    require_firefox()
    work = tmp_path_factory.mktemp("firefox")
    given: dict[str, Path] = {}
    jobs = []
    for key in dict.fromkeys(k for k in map(_firefox_key, request.session.items) if k):
        kind, *rest = key.split(":")
        if kind == "case":
            path, files = case_input(rest[0], rest[1])
        else:
            folder = ROOT / "fixtures" / rest[0] / rest[1]
            if not folder.is_dir() or (rest[2] == "json" and not folder.with_suffix(".json").exists()):
                continue
            here = work / key.replace(":", "_")
            here.mkdir()
            path, files = fixture_input(folder, rest[2], here)
        given[key] = path
        jobs.append({"files": [str(f) for f in files]})
    (work / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    result = subprocess.run(["node", str(FIREFOX_SCRIPT), base_url, str(work / "jobs.json"), str(work / "out.json")],
                            cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return FirefoxRun(given, json.loads((work / "out.json").read_text(encoding="utf-8")))


def _firefox_result(firefox: FirefoxRun, key: str) -> tuple[Path, dict]:
    if key not in firefox.given:
        pytest.skip(f"no such input: {key}")
    result = firefox.results[key]
    assert result["state"] == "done", result["status"]
    return firefox.given[key], result["report"]


@pytest.mark.sample(4)  # the cases Firefox checks: every fourth
@pytest.mark.parametrize(("version", "case"), conformance_cases())
def test_conformance_case_in_firefox(firefox: FirefoxRun, version: str, case: str) -> None:
    given, report = _firefox_result(firefox, f"case:{version}:{case}")
    same_report(report, cli_report(given))
    assert "Firefox/" in firefox.user_agent
    assert firefox.problems == [] and firefox.other_hosts == []


@pytest.mark.parametrize("where", ["valid", "1.0"])
@pytest.mark.parametrize("name", FIXTURES)
@pytest.mark.parametrize("form", FIREFOX_FORMS)
def test_fixture_in_firefox(firefox: FirefoxRun, where: str, name: str, form: str) -> None:
    given, report = _firefox_result(firefox, f"fixture:{where}:{name}:{form}")
    same_report(report, cli_report(given))
    assert report["issues"] or report["valid"]
    assert firefox.problems == [] and firefox.other_hosts == []
