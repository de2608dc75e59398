// Worksheets of an XLSX file as text, with Excel's own row numbers: what mcds.workbook.read_workbook_raw
// gives (through python-calamine), read here from the file's XML (fflate unzips it). Each cell becomes
// the text it stands for: dates ISO, date-times ISO to the second, times HH:MM:SS, booleans true/false,
// 3.0 as 3 and other numbers as Python writes them; a formula reads as its cached value. A hand-written
// reader rather than SheetJS or ExcelJS: the cell-to-text rules must be calamine's exactly (its
// date formats), and a 100,000-row sheet must read in well under a second.

import { unzipSync, strFromU8 } from "fflate";

import { InputError } from "./csv.js";

const MAX_SHEET_CELLS = 10_000_000;

function xml(text) {
  return new DOMParser().parseFromString(text, "application/xml");
}

function children(node, local) {
  const out = [];
  for (let c = node.firstElementChild; c; c = c.nextElementSibling) if (c.localName === local) out.push(c);
  return out;
}

function child(node, local) {
  for (let c = node.firstElementChild; c; c = c.nextElementSibling) if (c.localName === local) return c;
  return null;
}

// The text of a string item (<si> or <is>): its <t>, or its runs' <t>s; phonetic runs left out.
function stringItem(si) {
  const t = child(si, "t");
  if (t) return t.textContent;
  let s = "";
  for (const r of children(si, "r")) {
    const rt = child(r, "t");
    if (rt) s += rt.textContent;
  }
  return s;
}

// calamine's date formats: the built-in ones, and custom formats that hold d, m, y, h or s outside
// quotes, brackets and escapes; [h], [m] and [s] make a duration.
const BUILTIN_DATE = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47,
  50, 51, 52, 53, 54, 55, 56, 57, 58]);
const BUILTIN_DURATION = new Set([46]);

function formatKind(code) {
  let escaped = false;
  let inQuote = false;
  let inBracket = false;
  let bracket = "";
  let date = false;
  let duration = false;
  for (const ch of code) {
    if (escaped) {
      escaped = false;
      continue;
    }
    if (ch === "\\" || ch === "_" || ch === "*") {
      escaped = true;
      continue;
    }
    if (inQuote) {
      if (ch === '"') inQuote = false;
      continue;
    }
    if (inBracket) {
      if (ch === "]") {
        inBracket = false;
        if (/^[hms]+$/i.test(bracket)) duration = true;
      } else bracket += ch;
      continue;
    }
    if (ch === '"') inQuote = true;
    else if (ch === "[") {
      inBracket = true;
      bracket = "";
    } else if ("dmyhsDMYHS".includes(ch)) date = true;
  }
  return duration ? "duration" : date ? "date" : "number";
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

// Python's repr of a float (shortest round trip; exponent below 1e-4 and from 1e16).
export function pyFloat(x) {
  if (Number.isInteger(x)) return String(BigInt(x));
  if (!Number.isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) return String(x);
  const [m, e] = x.toExponential().split("e");
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${pad(Math.abs(exp))}`;
}

function serialText(value, kind, date1904) {
  if (kind === "duration") {
    const secs = Math.round(value * 86400);
    return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor((secs % 3600) / 60))}:${pad(secs % 60)}`;
  }
  const ms = Math.round(value * 86400000);
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const d = new Date(epoch + ms);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const micro = d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}000` : "";
  if (!date1904 && value < 1 && value >= 0) return time + micro; // a time of day alone
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (ms % 86400000 === 0) return day;
  return `${day}T${time}`;
}

function columnIndex(ref) {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

function rowNumber(ref) {
  const m = /\d+$/.exec(ref);
  return m ? Number(m[0]) : null;
}

function resolve(base, target) {
  if (target.startsWith("/")) return target.slice(1);
  const parts = base.split("/").slice(0, -1);
  for (const p of target.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/");
}

// [{name, hidden, header, headerRow, rows: [[number, cells]]}] of every worksheet, in workbook order.
export function readWorkbook(name, bytes) {
  let files;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new InputError(name, `not readable as an XLSX workbook (${e.message})`);
  }
  const text = (path) => (files[path] ? strFromU8(files[path]) : null);
  const wbXml = text("xl/workbook.xml");
  if (!wbXml) throw new InputError(name, "not readable as an XLSX workbook (no xl/workbook.xml)");
  const wb = xml(wbXml);
  const date1904 = [...wb.getElementsByTagNameNS("*", "workbookPr")].some((p) => ["1", "true"].includes(p.getAttribute("date1904")));
  const rels = new Map();
  const relsXml = text("xl/_rels/workbook.xml.rels");
  if (relsXml) {
    for (const r of xml(relsXml).getElementsByTagNameNS("*", "Relationship")) {
      rels.set(r.getAttribute("Id"), resolve("xl/workbook.xml", r.getAttribute("Target")));
    }
  }
  const shared = [];
  const ssPath = [...rels.values()].find((p) => p.endsWith("sharedStrings.xml")) ?? "xl/sharedStrings.xml";
  const ss = text(ssPath);
  if (ss) for (const si of xml(ss).documentElement.children) if (si.localName === "si") shared.push(stringItem(si));
  const styleKinds = [];
  const stylesXml = text([...rels.values()].find((p) => p.endsWith("styles.xml")) ?? "xl/styles.xml");
  if (stylesXml) {
    const st = xml(stylesXml);
    const custom = new Map();
    for (const f of st.getElementsByTagNameNS("*", "numFmt")) custom.set(Number(f.getAttribute("numFmtId")), f.getAttribute("formatCode") ?? "");
    const xfs = st.getElementsByTagNameNS("*", "cellXfs")[0];
    if (xfs) {
      for (const xf of children(xfs, "xf")) {
        const id = Number(xf.getAttribute("numFmtId") ?? 0);
        styleKinds.push(custom.has(id) ? formatKind(custom.get(id)) : BUILTIN_DURATION.has(id) ? "duration"
          : BUILTIN_DATE.has(id) ? "date" : "number");
      }
    }
  }
  const sheets = [];
  const sheetsNode = wb.getElementsByTagNameNS("*", "sheets")[0];
  for (const s of sheetsNode ? children(sheetsNode, "sheet") : []) {
    const rid = s.getAttributeNS("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id")
      ?? s.getAttribute("r:id");
    const path = rels.get(rid);
    const state = s.getAttribute("state");
    const sheet = { name: s.getAttribute("name"), hidden: !!state && state !== "visible", header: [], headerRow: 1, rows: [] };
    sheets.push(sheet);
    const body = path ? text(path) : null;
    if (!body) continue;
    const doc = xml(body);
    if (doc.getElementsByTagName("parsererror").length) throw new InputError(name, `not readable as an XLSX workbook (sheet ${sheet.name})`);
    const data = doc.getElementsByTagNameNS("*", "sheetData")[0];
    if (!data) continue;
    let cellCount = 0;
    let pending = [];
    let lastRow = 0;
    for (const row of children(data, "row")) {
      const number = Number(row.getAttribute("r")) || lastRow + 1;
      lastRow = number;
      const cells = [];
      let col = -1;
      for (const c of children(row, "c")) {
        const ref = c.getAttribute("r");
        col = ref ? columnIndex(ref) : col + 1;
        const t = c.getAttribute("t") ?? "n";
        const v = child(c, "v");
        let value = null;
        if (t === "s") value = v ? shared[Number(v.textContent)] ?? null : null;
        else if (t === "inlineStr") {
          const is = child(c, "is");
          value = is ? stringItem(is) : null;
        } else if (t === "str") value = v ? v.textContent : null;
        else if (t === "b") value = v ? (v.textContent.trim() === "1" || v.textContent.trim() === "true" ? "true" : "false") : null;
        else if (t === "e") value = v ? v.textContent : null;
        else if (v && v.textContent.trim() !== "") {
          const x = Number(v.textContent);
          const kind = styleKinds[Number(c.getAttribute("s") ?? 0)] ?? "number";
          value = kind === "number" || Number.isNaN(x) ? pyFloat(x) : serialText(x, kind, date1904);
        }
        if (value === "" || (value !== null && !value.trim() && t !== "n")) value = null;
        if (value !== null) {
          while (cells.length < col) cells.push(null);
          cells[col] = value;
          if (++cellCount > MAX_SHEET_CELLS) throw new InputError(name, `the sheet ${sheet.name} holds more than ${MAX_SHEET_CELLS.toLocaleString("en-GB")} cells; refused`);
        }
      }
      const any = cells.some((x) => x !== null);
      if (!sheet.header.length && !any) continue;
      if (!sheet.header.length) {
        sheet.header = cells;
        sheet.headerRow = number;
        continue;
      }
      // blank rows inside the data are kept (reported as row-blank), the ones after the last row dropped
      for (let gap = (pending.length ? pending[pending.length - 1][0] : lastDataRow(sheet)) + 1; gap < number; gap++) pending.push([gap, []]);
      pending.push([number, cells]);
      if (any) {
        sheet.rows.push(...pending);
        pending = [];
      }
    }
  }
  return sheets;
}

function lastDataRow(sheet) {
  return sheet.rows.length ? sheet.rows[sheet.rows.length - 1][0] : sheet.headerRow;
}

// The time the workbook was last saved (docProps/core.xml dcterms:modified), for value-filled.
export function savedAt(bytes) {
  try {
    const files = unzipSync(bytes, { filter: (f) => f.name === "docProps/core.xml" });
    const core = files["docProps/core.xml"];
    if (!core) return null;
    const m = xml(strFromU8(core)).getElementsByTagNameNS("*", "modified")[0];
    return m ? m.textContent.trim() : null;
  } catch {
    return null;
  }
}
