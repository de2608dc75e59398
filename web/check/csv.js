// CSV files into DuckDB in the raw shape (mcds.readers.csvpkg): `_row` (the row as the file shows
// it, header = 1) and c1 .. cN, all VARCHAR, NULL when empty. DuckDB reads a file strictly first; a
// file it will not take as it is (ragged rows, blank lines, another encoding, mixed line ends) is read
// again here as Python's csv module reads it, numbering every record and noting the ragged rows.

import { ident, literal } from "./engine.js";

export const MAX_CSV_COLUMNS = 1000;
const CHUNK = 1 << 22;

export class InputError extends Error {
  constructor(file, message, where = null) {
    super(`${file}${where ? ` (${where})` : ""}: ${message}`);
    this.file = file;
  }
}

async function* chunks(source) {
  if (source instanceof Uint8Array) {
    for (let i = 0; i < source.length; i += CHUNK) yield source.subarray(i, i + CHUNK);
    return;
  }
  for (let i = 0; i < source.size; i += CHUNK) {
    yield new Uint8Array(await source.slice(i, i + CHUNK).arrayBuffer());
  }
}

async function allBytes(source) {
  return source instanceof Uint8Array ? source : new Uint8Array(await source.arrayBuffer());
}

// The encoding to read a file with: utf-8 (with or without BOM), utf-16le/be, or windows-1252 for a
// file that is not UTF-8 (Excel's "CSV" on Windows). Streams the file.
export async function detectEncoding(name, source) {
  const head = source instanceof Uint8Array ? source.subarray(0, 65536)
    : new Uint8Array(await source.slice(0, 65536).arrayBuffer());
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return "utf-8";
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  let zeros = 0;
  for (const b of head) if (b === 0) zeros++;
  if (head.length >= 4 && zeros * 4 >= head.length) {
    let odd = 0;
    let even = 0;
    for (let i = 0; i < head.length; i++) if (head[i] === 0) (i % 2 ? odd++ : even++);
    return odd > even ? "utf-16le" : "utf-16be";
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let utf8 = true;
  for await (const c of chunks(source)) {
    if (c.indexOf(0) >= 0) {
      throw new InputError(name, "holds a NUL byte, so it is not a text file (or it is UTF-16 damaged); save it as CSV UTF-8");
    }
    if (utf8) {
      try {
        decoder.decode(c, { stream: true });
      } catch {
        utf8 = false;
      }
    }
  }
  if (utf8) {
    try {
      decoder.decode();
    } catch {
      throw new InputError(name, "ends in the middle of a UTF-8 character; save it as CSV UTF-8");
    }
    return "utf-8";
  }
  return "windows-1252";
}

// The number of lines (a last line without a line end counts) and whether every line ends the same
// way (all LF, or all CRLF with no other carriage return).
export async function lineEnds(source) {
  let lf = 0;
  let cr = 0;
  let crlf = 0;
  let last = 10;
  let prev = -1;
  for await (const c of chunks(source)) {
    if (prev === 13 && c[0] === 10) crlf++;
    for (let i = 0; i < c.length; i++) {
      const b = c[i];
      if (b === 10) lf++;
      else if (b === 13) {
        cr++;
        if (c[i + 1] === 10) crlf++;
      }
    }
    if (c.length) {
      last = c[c.length - 1];
      prev = last;
    }
  }
  const uniform = cr === 0 || (cr === crlf && crlf === lf);
  return { lines: lf + (last !== 10 ? 1 : 0), uniform };
}

// Records of CSV text as Python's csv module (excel dialect, not strict) reads them: a blank line is
// an empty record; a quote is special only at the start of a field.
export function* records(text) {
  const n = text.length;
  let i = 0;
  if (n === 0) return;
  while (i < n) {
    const rec = [];
    let field = "";
    let state = "start"; // start of record | field start | in field | quoted | quote in quoted
    let done = false;
    while (i < n && !done) {
      const ch = text[i];
      switch (state) {
        case "start":
          if (ch === "\n" || ch === "\r") {
            i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
            done = true; // an empty record
            break;
          }
          state = "field";
          continue;
        case "field":
          if (ch === '"') {
            state = "quoted";
            i++;
          } else if (ch === ",") {
            rec.push(field);
            field = "";
            i++;
          } else if (ch === "\n" || ch === "\r") {
            rec.push(field);
            field = "";
            i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
            done = true;
          } else {
            field += ch;
            state = "in";
            i++;
          }
          break;
        case "in":
          if (ch === ",") {
            rec.push(field);
            field = "";
            state = "field";
            i++;
          } else if (ch === "\n" || ch === "\r") {
            rec.push(field);
            field = "";
            i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
            done = true;
          } else {
            field += ch;
            i++;
          }
          break;
        case "quoted":
          if (ch === '"') state = "quote";
          else field += ch;
          i++;
          break;
        case "quote":
          if (ch === '"') {
            field += '"';
            state = "quoted";
            i++;
          } else if (ch === ",") {
            rec.push(field);
            field = "";
            state = "field";
            i++;
          } else if (ch === "\n" || ch === "\r") {
            rec.push(field);
            field = "";
            i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
            done = true;
          } else {
            field += ch;
            state = "in";
            i++;
          }
          break;
      }
    }
    if (!done && state !== "start") rec.push(field); // the last record, without a line end
    yield rec;
  }
}

function decode(bytes, encoding) {
  const text = new TextDecoder(encoding).decode(bytes); // TextDecoder drops a BOM itself
  return text;
}

// A CSV file of rows in the raw shape, as bytes for DuckDB (mcds.readers.base.load_rows).
export function rawCsv(width, rows) {
  const quote = (c) => (c === null || c === undefined ? "" : `"${c.replaceAll('"', '""')}"`);
  const parts = [["_row", ...Array.from({ length: width }, (_, k) => `c${k + 1}`)].join(",")];
  for (const [number, cells] of rows) {
    const line = [String(number)];
    for (let k = 0; k < width; k++) line.push(quote(cells[k]));
    parts.push(line.join(","));
  }
  return new TextEncoder().encode(parts.join("\r\n") + "\r\n");
}

function columnsSpec(width, withRow) {
  const cols = Array.from({ length: width }, (_, k) => `'c${k + 1}': 'VARCHAR'`);
  if (withRow) cols.unshift("'_row': 'INTEGER'");
  return `{${cols.join(", ")}}`;
}

export async function loadRows(engine, relation, width, rows) {
  const name = `${relation}.rows.csv`;
  await engine.addBuffer(name, rawCsv(width, rows), { keep: false });
  await engine.exec(`CREATE OR REPLACE TABLE ${relation} AS SELECT * FROM read_csv(${literal(name)}, header=true, `
    + `columns=${columnsSpec(width, true)}, auto_detect=false, delim=',', quote='"', escape='"', strict_mode=true)`);
}

// Load one CSV file (a File or bytes) into `relation`; return its header (blank cells null) and the
// rows found ragged while parsing.
export async function readTable(engine, name, source, relation) {
  const encoding = await detectEncoding(name, source);
  const headBytes = source instanceof Uint8Array ? source.subarray(0, 1 << 20)
    : new Uint8Array(await source.slice(0, 1 << 20).arrayBuffer());
  let first = records(decode(headBytes, encoding)).next().value ?? [];
  const size = source instanceof Uint8Array ? source.length : source.size;
  let whole = null;
  if (size > headBytes.length && first.length && /["\r\n]/.test(first[first.length - 1] ?? "")) {
    whole = decode(await allBytes(source), encoding);
    first = records(whole).next().value ?? [];
  }
  const header = first.map((h) => (h.trim() ? h : null));
  const width = first.length;
  if (width > MAX_CSV_COLUMNS) {
    throw new InputError(name, `the header has ${width.toLocaleString("en-GB")} columns (at most ${MAX_CSV_COLUMNS} are read); refused`, "row 1");
  }
  if (width === 0) {
    await loadRows(engine, relation, 0, []);
    return { header: [], problems: [] };
  }
  if (encoding === "utf-8") {
    const file = `${relation}.csv`;
    if (source instanceof Uint8Array) await engine.addBuffer(file, source);
    else await engine.addFile(file, source);
    let ok = true;
    try {
      await engine.exec(`CREATE OR REPLACE TABLE ${relation}_data AS SELECT * FROM read_csv(${literal(file)}, header=true, `
        + `columns=${columnsSpec(width, false)}, auto_detect=false, delim=',', quote='"', escape='"', `
        + "strict_mode=true, null_padding=false, encoding='utf-8', parallel=false)");
    } catch {
      ok = false;
    }
    if (ok) {
      await engine.exec(`CREATE OR REPLACE VIEW ${relation} AS SELECT CAST(rowid + 2 AS INTEGER) AS _row, * FROM ${relation}_data`);
      const { lines, uniform } = await lineEnds(source);
      const [{ n }] = await engine.rows(`SELECT count(*) AS n FROM ${relation}`);
      if (uniform && n === lines - 1) return { header, problems: [] };
      await engine.exec(`DROP VIEW IF EXISTS ${relation}`);
      await engine.exec(`DROP TABLE IF EXISTS ${relation}_data`);
    }
  }
  const text = whole ?? decode(await allBytes(source), encoding);
  const problems = [];
  const rows = [];
  let number = 0;
  for (const rec of records(text)) {
    number++;
    if (number === 1) continue;
    if (rec.length > width) problems.push(["row-extra-cells", number]);
    else if (rec.length > 0 && rec.length < width) problems.push(["row-missing-cells", number]);
    rows.push([number, rec.slice(0, width).map((c) => (c !== "" ? c : null))]);
  }
  await loadRows(engine, relation, width, rows);
  return { header, problems };
}

export { ident };
