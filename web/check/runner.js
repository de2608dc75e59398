// The validation plan run on DuckDB-WASM: the same steps, in the same order, as the Python runner
// (src/mcds/plan/run.py), and the same pieces every runner has (the plan's contract): version choice,
// table and header matching with "did you mean", message templates, locations in the user's own
// coordinates, column faults and listing limits, the rules' knock-on filter, the report's order.

import { ident, literal } from "./engine.js";
import { checkHeader, closest, columnLetter, matchTables, norm, ratio } from "./structure.js";

export { closest, ratio };

export const MAX_ISSUES = 1000; // mcds validate lists at most this many issues of each code by default (--max-issues)
const VERSION = /^\d+\.\d+$/;

function versionKey(v) {
  return v.split(".").map(Number);
}

function older(a, b) {
  const x = versionKey(a);
  const y = versionKey(b);
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
}

// Python's str.format with plain {name} placeholders ({{ and }} are braces).
export function fill(template, params) {
  return template.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    if (!(name in params)) throw new Error(`the message template needs {${name}}`);
    const v = params[name];
    return v === null || v === undefined ? "" : String(v);
  });
}

function location(parts) {
  return { table: null, file: null, sheet: null, row: null, column: null, field: null, record_id: null, ...parts };
}

export class Plan {
  constructor(data) {
    this.data = data;
    this.version = data.standard_version;
    this.issues = data.issues;
    this.tables = new Map(data.tables.map((t) => [t.name, t]));
    this.structure = data.structure;
    this.codelists = data.codelists;
  }

  field(table, name) {
    const fields = table === "metadata" ? this.data.metadata.fields : this.tables.get(table).fields;
    return fields.find((f) => f.name === name);
  }

  codes(codelist, key) {
    const cl = this.codelists[codelist];
    const i = cl.columns.indexOf(key);
    return i < 0 ? [] : [...new Set(cl.rows.map((r) => r[i]).filter((x) => x))];
  }

  codeRow(codelist, key, value) {
    const cl = this.codelists[codelist];
    const i = cl.columns.indexOf(key);
    if (i < 0) return null;
    const row = cl.rows.find((r) => r[i] === value);
    return row ? Object.fromEntries(cl.columns.map((c, k) => [c, row[k]])) : null;
  }

  issue(code, loc, value = null, params = {}) {
    const kind = this.issues[code];
    const p = { table: loc.table, field: loc.field, row: loc.row, value, ...params };
    return { code, severity: kind.severity, message: fill(kind.message, p), location: loc, value, count: null, rows: null };
  }

  didYouMean(hint) {
    return hint ? fill(this.structure.suggestion_text, { suggestion: hint }) : "";
  }

  // The code a wrong value most likely meant (structure.suggest).
  suggest(codelist, key, value) {
    const codes = this.codes(codelist, key);
    let titles = null;
    if (key === "code") {
      const cl = this.codelists[codelist];
      const ti = cl.columns.indexOf("title");
      titles = new Map(cl.rows.map((r) => [r[0], r[ti]]));
    }
    const k = norm(value);
    let hint = codes.find((c) => norm(c) === k) ?? null;
    if (hint === null && titles) {
      for (const [c, t] of titles) {
        if (norm(t) === k) {
          hint = c;
          break;
        }
      }
    }
    if (hint === null) {
      const cut = this.structure.suggest;
      if (Array.from(k).length >= cut.code_min_length) {
        hint = closest(value, codes.filter((c) => Array.from(c).length >= cut.code_min_length), cut.code);
      }
      if (hint !== null && !codes.some((x) => /[a-z_]/.test(x))) return null;
    }
    return hint;
  }
}

// The version to validate against and the notes about it (mcds.plan.run.choose_version).
export function chooseVersion(sub, plans, current, requested = null) {
  const supported = Object.keys(plans);
  let declared = sub.metadata.values.standard_version ?? null;
  if (declared === null || declared === undefined) {
    for (const [k, v] of Object.entries(sub.metadata.values)) {
      if (["standard version", "standard_version"].includes(k.trim().toLowerCase())) declared = v;
    }
  }
  const notes = [];
  let version;
  if (requested) {
    if (!supported.includes(requested)) throw new Error(`version ${requested} of the standard is not supported (supported: ${supported.join(", ")})`);
    version = requested;
    if (declared && declared !== requested) notes.push(fill(plans[version].notes.version_asked, { declared, version }));
  } else if (declared && VERSION.test(declared.trim())) {
    version = declared.trim();
    if (!supported.includes(version)) {
      throw new Error(`the data follows version ${version} of the standard, which this page does not support (supported: ${supported.join(", ")})`);
    }
  } else {
    version = current;
  }
  const cur = plans[version].current_version;
  if (older(version, cur)) notes.push(fill(plans[version].notes.older_version, { current: cur, version }));
  return { version, notes };
}

function present(sub) {
  const out = new Map();
  for (const r of sub.tables) if (r.table && r.relation && !out.has(r.table)) out.set(r.table, r);
  return out;
}

function columnOf(raw, field) {
  const i = raw.fields.indexOf(field);
  return i < 0 || !raw.hasColumns ? null : columnLetter(i + 1);
}

function sqlColumn(raw, field) {
  const i = raw.fields.indexOf(field);
  return i < 0 ? null : `c${i + 1}`;
}

function sortKey(plan) {
  const order = new Map([...plan.tables.keys()].map((t, i) => [t, i]));
  return (i) => {
    const loc = i.location;
    const table = loc.table === "metadata" ? -2 : order.get(loc.table ?? "") ?? -1;
    return [table, loc.file ?? "", loc.sheet ?? "", loc.row ?? 0, loc.column ? loc.column.length : 0, loc.column ?? "", i.code];
  };
}

function compare(a, b) {
  for (let k = 0; k < a.length; k++) {
    if (a[k] < b[k]) return -1;
    if (a[k] > b[k]) return 1;
  }
  return 0;
}

export function sortIssues(plan, issues) {
  const key = sortKey(plan);
  const keyed = issues.map((i) => [key(i), i]);
  keyed.sort((x, y) => compare(x[0], y[0]));
  return keyed.map((x) => x[1]);
}

class Run {
  constructor(engine, plan, sub, maxIssues, progress) {
    this.engine = engine;
    this.plan = plan;
    this.sub = sub;
    this.maxIssues = maxIssues;
    this.progress = progress ?? (() => {});
    this.unlisted = new Map();
    this.suggestions = new Map();
  }

  async step(id) {
    await this.engine.exec(this.plan.data.steps.find((s) => s.id === id).sql);
  }

  runnable(step, have, kind) {
    if (step.when === "absent") {
      return !have.has(`${step.table}\u0000${step.field}`) && (step.forms === null || step.forms.includes(kind));
    }
    return step.requires.every(([t, f]) => have.has(`${t}\u0000${f}`));
  }

  metaLocation(field) {
    const meta = this.sub.metadata;
    const key = this.metaKeys.get(field ?? "");
    const row = key !== undefined ? meta.rows[key] ?? null : null;
    return location({ table: "metadata", file: meta.file, sheet: meta.present ? meta.sheet : null, row,
      column: row ? meta.column : null, field });
  }

  cellIssue(step, loc, value, param) {
    const plan = this.plan;
    const params = { ...(step.params ?? {}) };
    if (step.param_as) params[step.param_as] = param;
    for (const [name, text] of Object.entries(step.param_format ?? {})) params[name] = param ? fill(text, { param }) : "";
    if (step.suggest) {
      const f = plan.field(step.table, step.field);
      const key = `${f.codelist}\u0000${f.codelist_key}\u0000${value ?? ""}`;
      if (!this.suggestions.has(key)) this.suggestions.set(key, plan.suggest(f.codelist, f.codelist_key, value ?? ""));
      params.suggestion = plan.didYouMean(this.suggestions.get(key));
    }
    if (step.lookup) {
      const row = plan.codeRow(step.lookup.codelist, step.lookup.key, value ?? "") ?? {};
      for (const [name, [col, dflt]] of Object.entries(step.lookup.params)) params[name] = row[col] || dflt;
    }
    return plan.issue(step.code, loc, value, params);
  }

  structure() {
    const plan = this.plan;
    const out = [];
    for (const f of matchTables(this.sub, plan)) out.push(plan.issue(f.code, location(f.location), f.value, f.params));
    const p = present(this.sub);
    for (const r of this.sub.tables) {
      if (r.table && p.get(r.table) === r) {
        for (const f of checkHeader(r, plan.tables.get(r.table), plan)) out.push(plan.issue(f.code, location(f.location), f.value ?? null, f.params));
      }
    }
    for (const r of p.values()) {
      for (const [code, row] of r.rowProblems) out.push(plan.issue(code, location({ table: r.table, file: r.file, sheet: r.sheet, row })));
    }
    return out;
  }

  async metadata() {
    const plan = this.plan;
    const meta = this.sub.metadata;
    const byTitle = this.sub.form === "xlsx";
    const values = new Map();
    this.metaKeys = new Map();
    for (const f of plan.data.metadata.fields) {
      for (const [k, v] of Object.entries(meta.values)) {
        if (k === f.name || (byTitle && [norm(f.name), norm(f.title)].includes(norm(k)))) {
          values.set(f.name, v);
          this.metaKeys.set(f.name, k);
          break;
        }
      }
    }
    const fields = plan.data.metadata.fields;
    await this.engine.exec(`CREATE OR REPLACE TABLE raw_metadata (_row INTEGER, ${fields.map((f) => `${ident(f.name)} VARCHAR`).join(", ")})`);
    await this.engine.exec(`INSERT INTO raw_metadata VALUES (0, ${fields.map((f) => literal(values.get(f.name) || null)).join(", ")})`);
    const out = [];
    if (fields.some((f) => values.get(f.name))) {
      const have = new Set(fields.map((f) => `metadata\u0000${f.name}`));
      const steps = plan.data.steps.filter((s) => s.stage === "cells" && s.table === "metadata" && this.runnable(s, have, "metadata"));
      const found = steps.length ? await this.engine.tuples(steps.map((s) => s.sql).join(" UNION ALL ")) : [];
      const byCheck = new Map(steps.map((s) => [`${s.code}\u0000${s.field}`, s]));
      found.sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [code, name, , value, param] of found) {
        if (code === "type-error" && meta.superseded.has(name)) continue;
        const loc = this.metaLocation(name);
        if (code === "required-missing") out.push(plan.issue("metadata-missing", loc));
        else out.push(this.cellIssue(byCheck.get(`${code}\u0000${name}`), loc, value, param));
      }
    }
    await this.step("load/metadata");
    return out;
  }

  async views(p) {
    const blank = new Map();
    for (const [t, r] of p) {
      const cols = r.header.map((_, i) => `c${i + 1}`);
      const exprs = this.plan.tables.get(t).fields.map((f) => `${sqlColumn(r, f.name) ?? "CAST(NULL AS VARCHAR)"} AS ${ident(f.name)}`).join(", ");
      const rows = cols.length ? (await this.engine.tuples(`SELECT _row FROM ${r.relation} WHERE coalesce(${cols.join(", ")}) IS NULL ORDER BY _row`)).map((x) => x[0]) : [];
      blank.set(t, rows);
      let where = rows.length ? ` WHERE coalesce(${cols.join(", ")}) IS NOT NULL` : "";
      if (!cols.length) where = " WHERE FALSE";
      await this.engine.exec(`CREATE OR REPLACE VIEW raw_${t} AS SELECT _row, ${exprs} FROM ${r.relation}${where}`);
    }
    return blank;
  }

  async table(t, r, blank, have) {
    const plan = this.plan;
    const engine = this.engine;
    const cf = plan.data.column_faults;
    const steps = plan.data.steps.filter((s) => s.stage === "cells" && s.table === t && this.runnable(s, have, r.kind));
    const byCheck = new Map();
    for (const s of steps) if (!byCheck.has(`${s.code}\u0000${s.field}`)) byCheck.set(`${s.code}\u0000${s.field}`, s);
    const codes = cf.codes.map(literal).join(", ");
    const body = steps.length ? steps.map((s) => s.sql).join(" UNION ALL ")
      : "SELECT NULL::VARCHAR AS code, NULL::VARCHAR AS field, NULL::INTEGER AS _row, NULL::VARCHAR AS value, NULL::VARCHAR AS param WHERE FALSE";
    const rel = ident(`_cells_${t}`);
    await engine.exec(`CREATE OR REPLACE TABLE ${rel} AS SELECT *, CASE WHEN code IN (${codes}) THEN ${cf.form_sql} END AS form FROM (${body}) c`);
    if (r.superseded.size) {
      const pairs = [...r.superseded].map((x) => x.split("\u0000"));
      await engine.exec("CREATE OR REPLACE TEMP TABLE _superseded (_row INTEGER, field VARCHAR)");
      await engine.exec(`INSERT INTO _superseded VALUES ${pairs.map(([row, f]) => `(${Number(row)}, ${literal(f)})`).join(", ")}`);
      await engine.exec(`DELETE FROM ${rel} c USING _superseded x WHERE c._row = x._row AND c.field = x.field`);
    }
    const out = [];
    const faults = [];
    if (cf.enabled) {
      const groups = await engine.tuples(`SELECT code, field, form, count(*) FROM ${rel} WHERE form IS NOT NULL GROUP BY ALL HAVING count(*) >= ${Number(cf.min)}`);
      for (const [code, name, form, n] of groups) {
        const col = sqlColumn(r, name);
        if (col === null) continue;
        const whole = code === "required-missing" ? "count(*)" : `count(${col})`;
        const [[of]] = await engine.tuples(`SELECT ${whole} FROM ${r.relation}`);
        if (2 * n <= of) continue;
        const first = await engine.tuples(`SELECT _row, value FROM ${rel} WHERE code = ${literal(code)} AND field = ${literal(name)} `
          + `AND form = ${literal(form)} ORDER BY _row LIMIT ${Number(cf.first_rows)}`);
        faults.push({ code, name, n, rows: first.map((x) => x[0]), value: first[0][1], form });
      }
    }
    const names = plan.tables.get(t).fields.map((f) => f.name);
    faults.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    for (const f of faults) {
      const field = plan.field(t, f.name);
      const expected = f.code === "type-error" ? plan.data.type_expected[field.type] ?? "" : "";
      const loc = location({ table: t, file: r.file, sheet: r.sheet, column: columnOf(r, f.name), field: f.name });
      const issue = plan.issue("column-fault", loc, f.value, {
        count: f.n.toLocaleString("en-US"), check: plan.issues[f.code].title.toLowerCase(), check_code: f.code,
        expected: expected ? `, not ${expected}` : "", first: f.rows.slice(0, cf.message_rows).join(", "),
      });
      issue.count = f.n;
      issue.rows = f.rows;
      out.push(issue);
    }
    let keep = "TRUE";
    if (faults.length) {
      keep = `NOT (${faults.map((f) => `(code = ${literal(f.code)} AND field = ${literal(f.name)} AND form = ${literal(f.form)})`).join(" OR ")})`;
    }
    const counts = new Map(await engine.tuples(`SELECT code, count(*) FROM ${rel} WHERE ${keep} GROUP BY code`));
    const limit = this.maxIssues;
    const qualify = limit !== null ? `QUALIFY row_number() OVER (PARTITION BY code ORDER BY _row, field) <= ${Number(limit)}` : "";
    const listed = await engine.tuples(`SELECT code, field, _row, value, param FROM ${rel} WHERE ${keep} ${qualify} ORDER BY _row, code, field`);
    const nListed = new Map();
    for (const [c] of listed) nListed.set(c, (nListed.get(c) ?? 0) + 1);
    for (const [c, n] of counts) {
      const k = nListed.get(c) ?? 0;
      if (n > k) this.unlisted.set(c, (this.unlisted.get(c) ?? 0) + n - k);
    }
    await engine.exec(`DELETE FROM ${rel} WHERE code NOT IN (${codes})`);
    for (const row of blank) out.push(plan.issue("row-blank", location({ table: t, file: r.file, sheet: r.sheet, row })));
    for (const [code, name, row, value, param] of listed) {
      if (r.superseded.has(`${row}\u0000${name}`)) continue;
      const loc = location({ table: t, file: r.file, sheet: r.sheet, row, column: columnOf(r, name), field: name });
      out.push(this.cellIssue(byCheck.get(`${code}\u0000${name}`), loc, value, param));
    }
    for (const s of plan.data.steps) {
      if (s.stage !== "keys" || s.table !== t || !s.requires.every(([a, b]) => have.has(`${a}\u0000${b}`))) continue;
      for (const [row, value, param] of await engine.tuples(s.sql)) {
        if (r.superseded.has(`${row}\u0000${s.field}`)) continue;
        const loc = location({ table: t, file: r.file, sheet: r.sheet, row, column: columnOf(r, s.field), field: s.field });
        out.push(this.cellIssue(s, loc, value, param));
      }
    }
    await this.step(`load/${t}`);
    return out;
  }

  async rules(p) {
    const plan = this.plan;
    const engine = this.engine;
    const failed = new Map();
    for (const t of p.keys()) {
      const fields = (await engine.tuples(`SELECT DISTINCT field FROM ${ident(`_cells_${t}`)}`)).map((x) => x[0]);
      if (fields.length) failed.set(t, new Set(fields));
    }
    const out = [];
    const rules = plan.data.steps.filter((s) => s.stage === "rules");
    let done = 0;
    for (const s of rules) {
      this.progress("Checking rules", ++done, rules.length, s.id);
      let rows = await engine.rows(s.sql);
      if (failed.size && rows.length && s.knock_on_sql) {
        const skipping = s.knock_on_sql;
        {
          const key = (x) => JSON.stringify(s.returns.map((c) => x[c]));
          const kept = new Set((await engine.rows(skipping)).map(key));
          rows = rows.filter((x) => kept.has(key(x)));
        }
      }
      const located = new Map();
      const byTable = new Map();
      for (const f of rows) {
        if (plan.tables.has(f.table_name) && f.row_id !== null) {
          if (!byTable.has(f.table_name)) byTable.set(f.table_name, new Set());
          byTable.get(f.table_name).add(f.row_id);
        }
      }
      for (const [t, ids] of byTable) {
        const key = plan.tables.get(t).record_id_sql;
        if (key === null) continue;
        const list = [...ids].sort().map(literal).join(", ");
        for (const [rid, row] of await engine.tuples(`SELECT ${key} AS k, min(_row) FROM ${ident(t)} WHERE ${key} IN (${list}) GROUP BY k`)) {
          located.set(`${t}\u0000${rid}`, row);
        }
      }
      for (const f of rows) {
        const t = f.table_name;
        const name = f.field;
        const params = {};
        for (const [k, v] of Object.entries(f)) if (!["table_name", "row_id", "field", "value"].includes(k)) params[k] = v;
        let loc;
        if (t === "metadata" || !plan.tables.has(t)) loc = this.metaLocation(name);
        else {
          const r = p.get(t);
          loc = location({ table: t, file: r ? r.file : null, sheet: r ? r.sheet : null,
            row: located.get(`${t}\u0000${f.row_id ?? ""}`) ?? null, column: r && name ? columnOf(r, name) : null,
            field: name, record_id: f.row_id });
        }
        out.push(plan.issue(s.code, loc, f.value, params));
      }
    }
    return out;
  }

  // Each issue on a row of a table holding children gains the row's child_id (as the CLI's report).
  async childIds(issues) {
    const plan = this.plan;
    if (!plan.data.report_child_ids) return;
    const wanted = new Set(issues.filter((i) => i.location.row !== null && !i.location.child_id).map((i) => i.location.table));
    const ids = new Map();
    for (const t of [...wanted].filter((x) => plan.tables.has(x)).sort()) {
      const sql = plan.tables.get(t).child_id_sql;
      if (!sql) continue;
      try {
        for (const [row, c] of await this.engine.tuples(sql)) if (c !== null) ids.set(`${t}\u0000${row}`, String(c));
      } catch {
        // a table not loaded: no identifiers to add
      }
    }
    for (const i of issues) {
      const id = ids.get(`${i.location.table ?? ""}\u0000${i.location.row ?? 0}`);
      if (id !== undefined && !i.location.child_id) i.location.child_id = id;
    }
  }

  async issues() {
    const plan = this.plan;
    const found = [];
    this.progress("Preparing the checks", 0, 1);
    await this.engine.exec(plan.data.setup.join(";\n")); // one round trip to the engine's worker
    found.push(...this.structure());
    const p = present(this.sub);
    this.progress("Checking metadata", 0, 1);
    found.push(...(await this.metadata()));
    const have = new Set();
    for (const [t, r] of p) for (const f of r.fields) if (f) have.add(`${t}\u0000${f}`);
    const blank = await this.views(p);
    let done = 0;
    for (const [t, r] of p) {
      this.progress(`Checking cells and keys of ${t}`, done++, p.size);
      found.push(...(await this.table(t, r, blank.get(t), have)));
    }
    found.push(...(await this.rules(p)));
    return { found, present: p };
  }
}

// Run `plan` over the submission `sub` (already read into `engine`): the report as `mcds validate
// --format json` gives it. `maxIssues`: list at most this many issues of each code (null: every one),
// counting every one.
export async function runPlan(engine, plan, sub, { notes = [], maxIssues = MAX_ISSUES, progress } = {}) {
  const run = new Run(engine, plan, sub, maxIssues, progress);
  const { found } = await run.issues();
  const byCode = new Map();
  for (const i of found) {
    if (!byCode.has(i.code)) byCode.set(i.code, []);
    byCode.get(i.code).push(i);
  }
  const unlisted = new Map();
  let blocking = 0;
  let issues = [];
  for (const kept of byCode.values()) {
    let list = kept;
    if (maxIssues !== null && list.length > maxIssues) {
      list = sortIssues(plan, list);
      for (const i of list.slice(maxIssues)) {
        unlisted.set(i.code, (unlisted.get(i.code) ?? 0) + 1);
        if (i.severity !== "warning") blocking++;
      }
      list = list.slice(0, maxIssues);
    }
    issues = issues.concat(list);
  }
  for (const [code, n] of run.unlisted) {
    unlisted.set(code, (unlisted.get(code) ?? 0) + n);
    if (plan.issues[code].severity === "error") blocking += n;
  }
  if (issues.length) await run.childIds(issues);
  issues = sortIssues(plan, issues);
  const counts = { error: 0, query: 0, warning: 0 };
  for (const i of issues) counts[i.severity]++;
  for (const [code, n] of unlisted) counts[plan.issues[code].severity] += n;
  const valid = blocking === 0 && !issues.some((i) => i.severity !== "warning");
  const truncated = [...unlisted.values()].reduce((a, b) => a + b, 0);
  const report = { valid, standard_version: plan.version, counts, issues: issues.map(issueJson) };
  if (truncated) {
    report.truncated = truncated;
    const byCodeCounts = {};
    for (const i of issues) byCodeCounts[i.code] = (byCodeCounts[i.code] ?? 0) + 1;
    for (const [code, n] of unlisted) byCodeCounts[code] = (byCodeCounts[code] ?? 0) + n;
    report.counts_by_code = byCodeCounts;
  }
  if (notes.length) report.notes = notes;
  report.source = sub.source;
  return report;
}

// An issue as the report's JSON gives it (mcds.issues.Issue.to_dict).
function issueJson(i) {
  const loc = i.location;
  const out = { code: i.code, severity: i.severity, table: loc.table, file: loc.file, sheet: loc.sheet, row: loc.row,
    column: loc.column, field: loc.field };
  for (const extra of ["line", "source_field", "child_id"]) if (loc[extra] !== null && loc[extra] !== undefined) out[extra] = loc[extra];
  out.value = i.value;
  out.message = i.message;
  if (i.count !== null) {
    out.count = i.count;
    out.rows = i.rows;
  }
  return out;
}
