// The report's words and files, as mcds.render gives them: the verdict, issues grouped by code with
// how to fix them, the CSV of `mcds validate --format csv` and the JSON of `--format json`.

const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SHORT = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

// mcds.issues.printable: control characters, separators and bidirectional controls as visible escapes.
export function printable(text) {
  return String(text).replace(UNPRINTABLE, (ch) => {
    if (SHORT[ch]) return SHORT[ch];
    const c = ch.charCodeAt(0);
    return c < 0x100 ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`;
  });
}

const FORMULA_START = new Set(["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20"]);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// mcds.forms.excel_safe: text a spreadsheet would run as a formula, shown instead (CWE-1236).
export function excelSafe(text) {
  if (!text) return text;
  const first = text[0];
  if (first >= "!" && first <= "~" && !"=+-@".includes(first)) return text;
  if (first === "\t" || first === "\r") return `'${text}`;
  let guarded;
  if (FORMULA_START.has(first)) guarded = !NUMBER.test(text);
  else {
    guarded = /^[\p{C}\p{Z}]/u.test(text) && [...FORMULA_START].some((c) => text.includes(c)) && !NUMBER.test(text.trim());
  }
  return guarded ? `'${text}` : text;
}

export const CSV_COLUMNS = ["code", "severity", "table", "file", "sheet", "row", "column", "field", "value", "message", "explanation"];

function csvCell(v) {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? excelSafe(printable(v)) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvText(report) {
  const lines = [CSV_COLUMNS.join(",")];
  for (const i of report.issues) lines.push(CSV_COLUMNS.map((k) => csvCell(i[k])).join(","));
  return lines.join("\n") + "\n";
}

export function jsonText(report) {
  return JSON.stringify(report, null, 2) + "\n";
}

function plural(n, word) {
  if (n !== 1) word = word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`;
  return `${n.toLocaleString("en-GB")} ${word}`;
}

export function verdict(report) {
  const c = report.counts;
  return `${report.valid ? "Valid" : "Not valid"}: ${[plural(c.error, "error"), plural(c.query, "query"), plural(c.warning, "warning")].join(", ")}.`;
}

const SEVERITY_ORDER = { error: 0, query: 1, warning: 2 };

// The issues of each code, most serious first, then the commonest (mcds.render._groups).
export function groups(report) {
  const by = new Map();
  for (const i of report.issues) {
    if (!by.has(i.code)) by.set(i.code, []);
    by.get(i.code).push(i);
  }
  return [...by.entries()].sort((a, b) => SEVERITY_ORDER[a[1][0].severity] - SEVERITY_ORDER[b[1][0].severity]
    || b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// The values a message was made with, read back by its template.
function messageValues(template, message) {
  let pattern = "";
  const seen = new Set();
  const parts = template.split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/);
  for (const part of parts) {
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part);
    if (m) {
      pattern += seen.has(m[1]) ? `\\k<${m[1]}>` : `(?<${m[1]}>.*?)`;
      seen.add(m[1]);
    } else pattern += escapeRegExp(part.replaceAll("{{", "{").replaceAll("}}", "}"));
  }
  const found = new RegExp(`^${pattern}$`, "s").exec(message);
  return found ? found.groups ?? {} : {};
}

// How to fix the issues of one code, the values its guidance names filled in from their messages.
export function guidance(kind, items) {
  const names = [...kind.guidance.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
  if (!names.length) return kind.guidance;
  const values = Object.fromEntries(names.map((n) => [n, new Set()]));
  for (const i of items) {
    const found = messageValues(kind.message, i.message);
    for (const n of names) if (found[n]) values[n].add(found[n]);
  }
  return kind.guidance.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, n) => (values[n].size ? [...values[n]].join(" or ") : n));
}

// Where an issue is, in the words of mcds.issues.Location.describe: file, sheet, row, column.
export function where(i) {
  const parts = [];
  if (i.file) parts.push(i.file);
  if (i.sheet) parts.push(`sheet ${i.sheet}`);
  if (i.row !== null && i.row !== undefined) parts.push(`row ${i.row}`);
  if (i.column) parts.push(`column ${i.column}`);
  let text = parts.join(", ");
  if (i.field) text = text ? `${text} (${i.field})` : i.field;
  return printable(text || i.table || "submission");
}
