// The page check/: files chosen or dropped are read and validated here, in this browser tab, by the
// standard's validation plan on DuckDB-WASM. Nothing is sent anywhere: the page asks its own site for
// the engine and the plans, and for nothing else.

import { Engine } from "./engine.js";
import { readSubmission } from "./readers.js";
import { csvText, groups, guidance, jsonText, printable, verdict, where } from "./report.js";
import { Plan, chooseVersion, runPlan } from "./runner.js";

const HERE = new URL(".", import.meta.url);
const SHOWN = 100; // locations shown of each code on the page (the downloads hold every one listed)

const $ = (id) => document.getElementById(id);
let enginePromise = null;
let index = null;
const plans = {};

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function status(text, { busy = false, done = null, total = null, error = false } = {}) {
  const s = $("mcds-status");
  s.textContent = text;
  s.classList.toggle("mcds-error", error);
  const bar = $("mcds-bar");
  bar.hidden = !busy;
  if (busy && total) {
    bar.max = total;
    bar.value = done;
  } else bar.removeAttribute("value");
  $("mcds-check").setAttribute("aria-busy", busy ? "true" : "false");
}

function engine() {
  if (!enginePromise) {
    const t0 = performance.now();
    enginePromise = Engine.start().then((e) => {
      e.startMs = performance.now() - t0;
      $("mcds-check").dataset.engine = e.version;
      return e;
    });
  }
  return enginePromise;
}

async function plansIndex() {
  if (!index) index = await (await fetch(new URL("plans/index.json", HERE))).json();
  return index;
}

async function planOf(version) {
  if (!plans[version]) plans[version] = await (await fetch(new URL(`plans/${version}.json`, HERE))).json();
  return plans[version];
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function stem(source) {
  return String(source).split("/").pop().replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9._-]+/g, "-") || "submission";
}

function render(report, plan) {
  const box = $("mcds-report");
  box.replaceChildren();
  box.hidden = false;
  const title = el("h2", { id: "mcds-report-title", tabindex: "-1", text: "Report" });
  box.append(title);
  const v = el("p", { class: `mcds-verdict ${report.valid ? "mcds-valid" : "mcds-invalid"}`, id: "mcds-verdict" },
    el("strong", { text: verdict(report) }));
  box.append(v);
  box.append(el("p", { text: `Checked against version ${report.standard_version} of the standard: ${printable(report.source)}.` }));
  const dl = el("p", { class: "mcds-downloads" });
  const json = el("button", { type: "button", class: "md-button", id: "mcds-download-json", text: "Download the report (JSON)" });
  json.addEventListener("click", () => download(`${stem(report.source)}-report.json`, "application/json", jsonText(report)));
  const csv = el("button", { type: "button", class: "md-button", id: "mcds-download-csv", text: "Download the issues (CSV)" });
  csv.addEventListener("click", () => download(`${stem(report.source)}-issues.csv`, "text/csv", csvText(report)));
  dl.append(json, " ", csv);
  box.append(dl);
  for (const note of report.notes ?? []) box.append(el("p", { class: "mcds-note", text: `Note: ${printable(note)}` }));
  if (report.truncated) {
    box.append(el("p", { class: "mcds-note", text: `${report.truncated.toLocaleString("en-GB")} more issues are counted but not listed.` }));
  }
  if (!report.issues.length) {
    box.append(el("p", { text: "No issues: the submission follows the standard." }));
  }
  for (const [code, items] of groups(report)) {
    const kind = plan.issues[code];
    const total = report.counts_by_code?.[code] ?? items.length;
    const id = `mcds-code-${code}`;
    const section = el("section", { class: `mcds-group mcds-sev-${items[0].severity}`, "aria-labelledby": id });
    const heading = el("h3", { id },
      el("span", { class: "mcds-severity", text: items[0].severity }), " ",
      el("code", { text: code }), ` ${kind.title} (${total.toLocaleString("en-GB")})`);
    section.append(heading);
    section.append(el("p", {}, el("strong", { text: "How to fix: " }), printable(guidance(kind, items)), " ",
      el("a", { href: `../reference/issues/#${code}`, text: `About ${code}` })));
    const table = el("table", { "data-mcds-stack": "" });
    table.append(el("caption", { class: "mcds-sr", text: `Where ${code} was found` }));
    const heads = ["File", "Sheet", "Row", "Column", "Field", "Value", "Message"];
    table.append(el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col", text: h })))));
    const body = el("tbody");
    for (const i of items.slice(0, SHOWN)) {
      const cells = [i.file, i.sheet, i.row, i.column, i.field, i.value, i.message];
      body.append(el("tr", {}, ...cells.map((c, k) => el("td", { "data-label": heads[k], text: c === null || c === undefined ? "" : printable(String(c)) }))));
    }
    table.append(body);
    section.append(el("div", { class: "mcds-scroll" }, table));
    const shown = Math.min(items.length, SHOWN);
    if (total > shown) {
      const listed = items.length < total ? `the downloads list the first ${items.length.toLocaleString("en-GB")} and count every one` : "the downloads list every one";
      section.append(el("p", { text: `… and ${(total - shown).toLocaleString("en-GB")} more: ${listed}.` }));
    }
    box.append(section);
  }
  title.focus();
}

async function entriesOf(fileList) {
  return [...fileList].map((f) => ({ path: f.webkitRelativePath || f.name, file: f }));
}

async function entriesOfDrop(items) {
  const out = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((ok, fail) => entry.file(ok, fail));
      out.push({ path: prefix + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
        if (!batch.length) break;
        for (const e of batch) await walk(e, `${prefix}${entry.name}/`);
      }
    }
  };
  const roots = [...items].map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null)).filter(Boolean);
  for (const r of roots) await walk(r, "");
  return out;
}

let running = false;

async function check(entries) {
  if (running || !entries.length) return;
  running = true;
  $("mcds-report").hidden = true;
  const t0 = performance.now();
  try {
    status("Starting the checker…", { busy: true });
    const e = await engine();
    await e.reset();
    const timings = [];
    window.mcdsTimings = timings;
    const progress = (what, done, total, step = null) => {
      timings.push([step ?? what, Math.round(performance.now() - t0)]);
      status(`${what}…`, { busy: true, done, total });
    };
    const sub = await readSubmission(e, entries, progress);
    const idx = await plansIndex();
    const available = Object.fromEntries(await Promise.all(idx.versions.map(async (v) => [v, await planOf(v)])));
    const { version, notes } = chooseVersion(sub, available, idx.current);
    const plan = new Plan(available[version]);
    const report = await runPlan(e, plan, sub, { notes, progress });
    const ms = performance.now() - t0;
    window.mcdsReport = report;
    const root = $("mcds-check");
    root.dataset.seconds = (ms / 1000).toFixed(3);
    root.dataset.engineSeconds = (e.startMs / 1000).toFixed(3);
    render(report, plan);
    status(`Done in ${(ms / 1000).toFixed(1)} s. ${verdict(report)}`);
    root.dataset.state = "done";
  } catch (err) {
    console.warn(err);
    window.mcdsReport = null;
    status(`These files could not be checked: ${printable(err.message ?? String(err))}`, { error: true });
    $("mcds-check").dataset.state = "failed";
  } finally {
    running = false;
  }
}

function setUp() {
  const root = $("mcds-check");
  if (!root) return;
  root.hidden = false;
  const noScript = $("mcds-check-off");
  if (noScript) noScript.hidden = true;
  // the plans too, now: a check made later needs no network at all
  plansIndex().then((idx) => Promise.all(idx.versions.map(planOf))).catch((err) => console.warn(err));
  engine().then((e) => {
    if (!root.dataset.state) status(`Ready. Choose or drop your files (DuckDB ${e.version}, in this tab).`);
  }, (err) => status(`The checker could not start in this browser: ${err.message}`, { error: true }));
  for (const id of ["mcds-files", "mcds-folder"]) {
    $(id).addEventListener("change", async (ev) => {
      root.dataset.state = "running";
      await check(await entriesOf(ev.target.files));
      ev.target.value = "";
    });
  }
  const drop = $("mcds-drop");
  drop.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    drop.classList.add("mcds-over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("mcds-over"));
  drop.addEventListener("drop", async (ev) => {
    ev.preventDefault();
    drop.classList.remove("mcds-over");
    root.dataset.state = "running";
    const items = ev.dataTransfer.items;
    const entries = items && items.length && items[0].webkitGetAsEntry ? await entriesOfDrop(items) : await entriesOf(ev.dataTransfer.files);
    await check(entries);
  });
  window.mcdsCheck = check; // for the tests and the benchmark: the same path as a drop
}

setUp();
