// Tables and headers matched to the standard's, and "did you mean" (the plan's section S). The same
// rules as mcds.validation.structure and mcds.validation.suggest: names normalised (case folded,
// each run of white space or underscores one space), similarity rapidfuzz's fuzz.ratio.

export function norm(text) {
  return String(text ?? "").replace(/[\s_]+/gu, " ").trim().toLowerCase();
}

// rapidfuzz fuzz.ratio: 100 * (1 - indel / (len(a) + len(b))), indel = len(a) + len(b) - 2 * LCS.
export function ratio(a, b) {
  const x = Array.from(a);
  const y = Array.from(b);
  const total = x.length + y.length;
  if (total === 0) return 100;
  let prev = new Array(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    const cur = new Array(y.length + 1).fill(0);
    for (let j = 1; j <= y.length; j++) {
      cur[j] = x[i - 1] === y[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    prev = cur;
  }
  const lcs = prev[y.length];
  return (100 * 2 * lcs) / total;
}

// The choice closest to value: an exact match ignoring case and spacing, else the best fuzzy one at
// or above cutoff (the first of equal scores).
export function closest(value, choices, cutoff) {
  const unique = [...new Set(choices)];
  const key = norm(value);
  for (const c of unique) if (norm(c) === key) return c;
  if (!key) return null;
  let best = null;
  let bestScore = -1;
  for (const c of unique) {
    const score = ratio(key, norm(c));
    if (score >= cutoff && score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

// Excel's column letters of a 1-based column number.
export function columnLetter(n) {
  let s = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function matchTable(raw, plan) {
  if (raw.kind === "sheet") {
    const key = norm(raw.name);
    for (const t of plan.data.tables) if (key === norm(t.name) || key === norm(t.title)) return t.name;
    return null;
  }
  return plan.tables.has(raw.name) ? raw.name : null;
}

function matchField(raw, header, table) {
  if (raw.kind === "sheet") {
    const key = norm(header);
    for (const f of table.fields) if (key === norm(f.name) || key === norm(f.title)) return f.name;
    return null;
  }
  return table.fields.some((f) => f.name === header) ? header : null;
}

// Assign each raw table to the table it stands for; yield table-unknown and table-missing findings
// ({code, location, value, params}).
export function matchTables(sub, plan) {
  const out = [];
  const seen = new Set();
  for (const raw of sub.tables) {
    const t = matchTable(raw, plan);
    raw.table = t && !seen.has(t) ? t : null;
    if (raw.table) seen.add(raw.table);
  }
  const missing = plan.data.tables.map((t) => t.name).filter((t) => !seen.has(t));
  const title = (name) => plan.tables.get(name).title;
  for (const raw of sub.tables) {
    if (raw.table || raw.hidden) continue;
    const choices = raw.kind === "sheet" ? [...missing, ...missing.map(title)] : missing;
    const hint = closest(raw.name, choices, plan.structure.suggest.table);
    out.push({ code: "table-unknown", location: { file: raw.file, sheet: raw.sheet }, value: raw.name,
      params: { suggestion: plan.didYouMean(hint) } });
  }
  for (const raw of sub.tables) {
    if (raw.table && raw.relation === null) {
      seen.delete(raw.table);
      out.push({ code: "table-missing", location: { table: raw.table, file: raw.file }, value: null, params: {} });
    }
  }
  for (const t of missing) out.push({ code: "table-missing", location: { table: t }, value: null, params: {} });
  return out;
}

// Map a table's header to fields (raw.fields); yield the header's findings.
export function checkHeader(raw, table, plan) {
  const out = [];
  const fields = [];
  const unknown = [];
  const names = table.fields.map((f) => f.name);
  const col = (i) => (raw.hasColumns ? columnLetter(i + 1) : null);
  const headerRow = raw.hasColumns ? raw.headerRow : null;
  raw.header.forEach((h, i) => {
    const where = { table: table.name, file: raw.file, sheet: raw.sheet, row: headerRow, column: col(i) };
    if (h === null || h === undefined || !String(h).trim()) {
      fields.push(null);
      out.push({ code: "column-blank", location: where, value: null, params: {} });
      return;
    }
    const f = matchField(raw, h, table);
    if (f !== null && fields.includes(f)) {
      fields.push(null);
      out.push({ code: "column-duplicate", location: { ...where, field: f }, value: h, params: {} });
      return;
    }
    fields.push(f);
    if (f === null) unknown.push(i);
  });
  raw.fields = fields;
  const absent = names.filter((f) => !fields.includes(f));
  const byName = new Map(table.fields.map((f) => [f.name, f]));
  const meant = new Set();
  for (const i of unknown) {
    const h = String(raw.header[i]);
    const choices = [...absent, ...(raw.kind === "sheet" ? absent.map((f) => byName.get(f).title) : [])];
    let hint = closest(h, choices, 75);
    if (hint && !absent.includes(hint)) hint = absent.find((f) => byName.get(f).title === hint);
    if (hint) meant.add(hint);
    out.push({ code: "column-unknown", location: { table: table.name, file: raw.file, sheet: raw.sheet, row: headerRow,
      column: col(i) }, value: h, params: { suggestion: plan.didYouMean(hint) } });
  }
  if (raw.kind !== "key") {
    for (const f of absent) {
      if (meant.has(f) || byName.get(f).deprecated) continue;
      out.push({ code: "column-missing", location: { table: table.name, file: raw.file, sheet: raw.sheet, field: f },
        value: null, params: { suggestion: "" } });
    }
  }
  if (raw.positional) {
    const order = fields.filter((f) => f !== null).map((f) => names.indexOf(f));
    for (let k = 1; k < order.length; k++) {
      if (order[k] < order[k - 1]) {
        const name = names[order[k]];
        const c = fields.indexOf(name);
        out.push({ code: "column-order", location: { table: table.name, file: raw.file, sheet: raw.sheet,
          row: raw.headerRow, column: col(c), field: name }, value: raw.header[c], params: { expected: order[k] + 1 } });
        break;
      }
    }
  }
  return out;
}
