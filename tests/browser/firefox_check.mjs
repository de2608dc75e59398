// Drive the page check/ in Firefox (Debian's firefox-esr, through WebDriver BiDi with puppeteer-core, no
// browser download) over a list of inputs, as tests/test_check_page.py does in Chromium with Playwright.
//
//   node tests/browser/firefox_check.mjs BASE_URL JOBS.json OUT.json
//
// JOBS.json: [{"files": ["/abs/path", ...]}, ...]. OUT.json: {"userAgent", "results": [{"state",
// "status", "report"}], "problems": [...], "otherHosts": [...]}: every request to a host other than
// BASE_URL is refused and listed; console errors, page errors and HTTP errors are listed as problems.
import fs from "node:fs";
import puppeteer from "puppeteer-core";

const [base, jobsFile, outFile] = process.argv.slice(2);
const jobs = JSON.parse(fs.readFileSync(jobsFile, "utf-8"));
const DONE = "#mcds-check[data-state=done], #mcds-check[data-state=failed]";
const problems = [];
const otherHosts = [];
const ours = (url) => url.startsWith(base) || url.startsWith("blob:") || url.startsWith("data:") || url === "about:blank";

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: process.env.MCDS_FIREFOX || "/usr/bin/firefox-esr",
  headless: true,
  extraPrefsFirefox: { "network.proxy.type": 0, "app.update.enabled": false, "datareporting.policy.dataSubmissionEnabled": false },
});
try {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on("request", (r) => {
    if (ours(r.url())) return r.continue();
    otherHosts.push(r.url());
    return r.abort();
  });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message ?? e}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(base + "check/", { waitUntil: "load" });
  await page.waitForSelector("#mcds-check[data-engine]", { timeout: 120_000 });
  const results = [];
  for (const job of jobs) {
    await page.evaluate(() => { document.getElementById("mcds-check").dataset.state = "waiting"; });
    const input = await page.$("#mcds-files");
    await input.uploadFile(...job.files);
    await page.waitForSelector(DONE, { timeout: 300_000 });
    results.push(await page.evaluate(() => ({
      state: document.getElementById("mcds-check").dataset.state,
      status: document.getElementById("mcds-status").innerText,
      report: window.mcdsReport ?? null,
    })));
  }
  const userAgent = await page.evaluate(() => navigator.userAgent);
  fs.writeFileSync(outFile, JSON.stringify({ userAgent, results, problems, otherHosts }));
} finally {
  await browser.close();
}
