// The files a person drops, read into DuckDB in the raw shape of mcds.readers: the form found by
// content (a CSV package's files or a .zip of it, an XLSX workbook, the JSON form), the metadata as
// text, and each table as a source relation (_row, c1 .. cN) with its header and where it came from.

import { unzipSync } from "fflate";

import { InputError, loadRows, readTable } from "./csv.js";
import { columnLetter, norm } from "./structure.js";
import { readWorkbook } from "./xlsx.js";

const MAX_RESOURCES = 200;
const MAX_ZIP_MEMBERS = 10_000;
const METADATA_SHEET = "Metadata";
const METADATA_HEADER = ["Field", "Value"];
const ISSUES_SHEET = "Issues";

function rawTable(parts) {
  return { name: null, table: null, header: [], fields: [], relation: null, file: null, sheet: null, positional: false,
    hasColumns: true, rowProblems: [], headerRow: 1, hidden: false, kind: "resource", superseded: new Set(), ...parts };
}

// A JSON value as the text of a CSV cell (mcds.submission.json_value_text); numbers as written.
class Num {
  constructor(text) {
    this.text = text;
  }
}

function pyStr(v) {
  if (v instanceof Num) return v.text;
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null) return "None";
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
  return String(v);
}

function pyRepr(v) {
  return typeof v === "string" ? `'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'` : pyStr(v);
}

function jsonDumps(v) {
  if (v instanceof Num) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonDumps).join(", ")}]`;
  if (v !== null && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${asciiJson(k)}: ${jsonDumps(x)}`).join(", ")}}`;
  return typeof v === "string" ? asciiJson(v) : JSON.stringify(v);
}

function asciiJson(s) {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function jsonText(v) {
  if (v === null || v === undefined) return null;
  if (v === true) return "true";
  if (v === false) return "false";
  if (Array.isArray(v)) return v.map(pyStr).join(";");
  if (v instanceof Num) return v.text;
  if (typeof v === "object") return jsonDumps(v);
  const text = String(v);
  return text !== "" ? text : null;
}

// JSON.parse keeping each number's text as written (numbers are cells) and refusing a repeated key.
export function parseJson(name, text) {
  if (text.startsWith("\ufeff")) text = text.slice(1);
  try {
    return JSON.parse(text, function reviver(key, value, context) {
      if (typeof value === "number") return new Num(context && context.source !== undefined ? context.source : String(value));
      return value;
    });
  } catch (e) {
    throw new InputError(name, `not valid JSON (${e.message})`);
  }
}

function decodeText(bytes) {
  return new TextDecoder("utf-8").decode(bytes);
}

async function bytesOf(entry) {
  return entry.bytes ?? new Uint8Array(await entry.file.arrayBuffer());
}

function sourceOf(entry) {
  return entry.bytes ?? entry.file;
}

async function head(entry, n = 512) {
  if (entry.bytes) return entry.bytes.subarray(0, n);
  return new Uint8Array(await entry.file.slice(0, n).arrayBuffer());
}

const isZip = (h) => h[0] === 0x50 && h[1] === 0x4b && h[2] === 0x03 && h[3] === 0x04;

function unzip(name, bytes) {
  let files;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new InputError(name, `a damaged ZIP file (${e.message})`);
  }
  const names = Object.keys(files);
  if (names.length > MAX_ZIP_MEMBERS) throw new InputError(name, `holds ${names.length.toLocaleString("en-GB")} files; refused`);
  return files;
}

// What the dropped entries ([{path, file} or {path, bytes}]) hold: "csv", "zip", "xlsx" or "json".
export async function detectForm(entries) {
  if (entries.some((e) => baseName(e.path) === "datapackage.json")) return "csv";
  if (entries.length !== 1) {
    throw new InputError(entries.map((e) => e.path).join(", "),
      "a CSV package needs its datapackage.json beside its CSV files; otherwise choose one file: a .zip of the package, an XLSX workbook or the JSON form");
  }
  const [e] = entries;
  const h = await head(e);
  if (isZip(h)) {
    const files = unzip(e.path, await bytesOf(e));
    e.zip = files;
    const names = Object.keys(files);
    if (names.includes("[Content_Types].xml") && names.some((n) => n.startsWith("xl/"))) return "xlsx";
    if (names.some((n) => baseName(n) === "datapackage.json")) return "zip";
    throw new InputError(e.path, "a ZIP file that holds neither a CSV package (datapackage.json) nor an XLSX workbook");
  }
  let i = 0;
  if (h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf) i = 3;
  while (i < h.length && [0x20, 0x09, 0x0d, 0x0a].includes(h[i])) i++;
  if (h[i] === 0x7b) return "json";
  if (h[i] === 0x5b || (h[0] === 0xd0 && h[1] === 0xcf && h[2] === 0x11 && h[3] === 0xe0)) {
    throw new InputError(e.path, "not a submission: expected a CSV package, an XLSX workbook (not the old .xls) or a JSON document with metadata and tables");
  }
  throw new InputError(e.path, "not a submission this page can read: expected a CSV package's files (with its datapackage.json) or a .zip of it, an XLSX workbook, or the JSON form");
}

function baseName(p) {
  return p.split("/").pop();
}

function dirName(p) {
  const parts = p.split("/");
  parts.pop();
  return parts.join("/");
}

function checkResourcePath(dp, res) {
  const p = res.path;
  const name = res.name ?? "?";
  if (Array.isArray(p)) throw new InputError(dp, `resource '${name}' is split over several files; give one file per table`);
  if (typeof p !== "string" || !p) throw new InputError(dp, `resource '${name}' has no path`);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(p) || p.startsWith("/") || p.startsWith("\\") || p.includes("\\")) {
    throw new InputError(dp, `resource '${name}' points outside the package ('${p}'); only files inside the package are read, and nothing is fetched`);
  }
  if (p.split("/").includes("..")) throw new InputError(dp, `resource '${name}' points outside the package ('${p}')`);
  return p.split("/").filter((x) => x && x !== ".").join("/");
}

// A CSV package: `files` maps a path (relative to the drop or the ZIP) to a File or bytes.
async function readPackage(engine, files, source, progress) {
  const descriptors = [...files.keys()].filter((p) => baseName(p) === "datapackage.json").sort((a, b) => a.split("/").length - b.split("/").length);
  const dpPath = descriptors[0];
  const folder = dirName(dpPath);
  const dpEntry = files.get(dpPath);
  const desc = parseJson("datapackage.json", decodeText(dpEntry instanceof Uint8Array ? dpEntry : new Uint8Array(await dpEntry.arrayBuffer())));
  if (desc === null || typeof desc !== "object" || Array.isArray(desc) || desc instanceof Num) {
    throw new InputError("datapackage.json", "a Data Package descriptor must be a JSON object");
  }
  const resources = desc.resources ?? [];
  if (!Array.isArray(resources) || !resources.every((r) => r && typeof r === "object" && !Array.isArray(r))) {
    throw new InputError("datapackage.json", "'resources' must be a list of objects");
  }
  if (resources.length > MAX_RESOURCES) throw new InputError("datapackage.json", `'resources' lists ${resources.length} files; refused`);
  const meta = desc.mcds;
  const isObj = meta && typeof meta === "object" && !Array.isArray(meta) && !(meta instanceof Num);
  const metadata = { values: isObj ? Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, jsonText(v)])) : {},
    present: !!isObj, file: "datapackage.json", sheet: null, rows: {}, column: null, superseded: new Set() };
  const paths = resources.map((res) => checkResourcePath("datapackage.json", res));
  const tables = [];
  let n = 0;
  for (const [k, res] of resources.entries()) {
    n++;
    const rel = String(res.path);
    const name = String(res.name || baseName(rel).replace(/\.[^.]*$/, ""));
    const raw = rawTable({ name, file: rel, positional: true, kind: "resource" });
    tables.push(raw);
    const full = folder ? `${folder}/${paths[k]}` : paths[k];
    const src = files.get(full);
    if (src !== undefined) {
      progress(`Reading ${rel}`, k, resources.length);
      const relation = `_raw_${n}`;
      const { header, problems } = await readTable(engine, rel, src, relation);
      raw.header = header;
      raw.rowProblems = problems;
      raw.relation = relation;
    }
  }
  return { form: "csv", source, metadata, tables };
}

async function readJson(engine, name, bytes) {
  const doc = parseJson(name, decodeText(bytes));
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || doc instanceof Num) {
    throw new InputError(name, "a submission in JSON form must be an object with metadata and one array per table");
  }
  const meta = doc.metadata;
  const isObj = meta && typeof meta === "object" && !Array.isArray(meta) && !(meta instanceof Num);
  const metadata = { values: isObj ? Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, jsonText(v)])) : {},
    present: !!isObj, file: name, sheet: null, rows: {}, column: null, superseded: new Set() };
  const tables = [];
  let n = 0;
  for (const [key, records] of Object.entries(doc)) {
    if (key === "metadata") continue;
    n++;
    if (!Array.isArray(records) || !records.every((r) => r && typeof r === "object" && !Array.isArray(r) && !(r instanceof Num))) {
      throw new InputError(name, `'${key}' must be an array of objects, one per row`, `/${key}`);
    }
    const header = [...new Set(records.flatMap((r) => Object.keys(r)))];
    const relation = `_raw_${n}`;
    await loadRows(engine, relation, header.length, records.map((r, i) => [i + 2, header.map((k) => jsonText(r[k]))]));
    tables.push(rawTable({ name: key, header, relation, file: name, hasColumns: false, kind: "key" }));
  }
  return { form: "json", source: name, metadata, tables };
}

async function readXlsx(engine, name, bytes) {
  const sheets = readWorkbook(name, bytes);
  const metadata = { values: {}, present: false, file: name, sheet: METADATA_SHEET, rows: {}, column: null, superseded: new Set() };
  const tables = [];
  let n = 0;
  for (const sheet of sheets) {
    n++;
    if (norm(sheet.name) === norm(ISSUES_SHEET) && isIssuesSheet(sheet.header)) continue;
    if (norm(sheet.name) === norm(METADATA_SHEET)) {
      metadata.present = true;
      metadata.sheet = sheet.name;
      const header = sheet.header.map(norm);
      const keyCol = header.includes(norm(METADATA_HEADER[0])) ? header.indexOf(norm(METADATA_HEADER[0])) : 0;
      const valCol = header.includes(norm(METADATA_HEADER[1])) ? header.indexOf(norm(METADATA_HEADER[1])) : 1;
      metadata.column = columnLetter(valCol + 1);
      for (const [number, cells] of sheet.rows) {
        const key = cells[keyCol] ?? null;
        if (key === null) continue;
        metadata.values[key.trim()] = cells[valCol] ?? null;
        metadata.rows[key.trim()] = number;
      }
      continue;
    }
    const relation = `_raw_${n}`;
    while (sheet.header.length && sheet.header[sheet.header.length - 1] === null) sheet.header.pop();
    await loadRows(engine, relation, sheet.header.length, sheet.rows);
    tables.push(rawTable({ name: sheet.name, header: sheet.header.map((h) => h ?? null), relation, file: name, sheet: sheet.name,
      kind: "sheet", headerRow: sheet.headerRow, hidden: sheet.hidden }));
  }
  return { form: "xlsx", source: name, metadata, tables };
}

// mcds.annotate.is_issues_sheet: an annotated copy's list of issues is not data.
const ISSUE_COLUMNS = ["code", "severity", "table", "file", "sheet", "row", "column", "field", "value", "message",
  "explanation", "how to fix", "go to"];
function isIssuesSheet(header) {
  return ISSUE_COLUMNS.every((c, i) => String(header[i] ?? "").trim().toLowerCase() === c);
}

// Read the dropped entries into `engine`: the submission in the raw shape.
export async function readSubmission(engine, entries, progress = () => {}) {
  const form = await detectForm(entries);
  if (form === "csv") {
    const files = new Map(entries.map((e) => [e.path, sourceOf(e)]));
    const top = entries[0].path.includes("/") ? entries[0].path.split("/")[0] : `${entries.length} files chosen`;
    return readPackage(engine, files, top, progress);
  }
  const [e] = entries;
  if (form === "zip") {
    const files = new Map(Object.entries(e.zip).filter(([p]) => !p.endsWith("/")));
    const sub = await readPackage(engine, files, e.path, progress);
    sub.form = "zip";
    return sub;
  }
  progress(`Reading ${e.path}`, 0, 1);
  if (form === "xlsx") return readXlsx(engine, baseName(e.path), await bytesOf(e));
  return readJson(engine, baseName(e.path), await bytesOf(e));
}
