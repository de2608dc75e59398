// DuckDB-WASM, started from the files this site serves itself (check/assets/duckdb/): the engine
// the validation plan runs on. Nothing is fetched from any other host: the bundles' URLs are
// relative to this script, and DuckDB is told never to install or load an extension (an extension
// would come from extensions.duckdb.org).

import * as duckdb from "@duckdb/duckdb-wasm";

const HERE = new URL(".", import.meta.url);

export function bundles() {
  const at = (name) => new URL(`duckdb/${name}`, HERE).href;
  return {
    mvp: { mainModule: at("duckdb-mvp.wasm"), mainWorker: at("duckdb-browser-mvp.worker.js") },
    eh: { mainModule: at("duckdb-eh.wasm"), mainWorker: at("duckdb-browser-eh.worker.js") },
  };
}

// A value of an Arrow result as plain JavaScript: whole numbers as numbers (BIGINT/HUGEINT arrive as
// BigInt), text as text, NULL as null; dates and timestamps are never asked for by the plan (its
// statements return text and integers) but would come as milliseconds since 1970.
function plain(value) {
  if (typeof value === "bigint") return Number(value);
  if (value === undefined) return null;
  if (value !== null && typeof value === "object" && typeof value.toJSON === "function") return value.toJSON();
  return value;
}

export class Engine {
  constructor(db, conn, worker) {
    this.db = db;
    this.conn = conn;
    this.worker = worker;
    this.files = new Set();
  }

  static async start() {
    const bundle = await duckdb.selectBundle(bundles());
    const worker = new Worker(bundle.mainWorker);
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
    await db.open({ query: { castBigIntToDouble: false, castDecimalToDouble: true } });
    const conn = await db.connect();
    const engine = new Engine(db, conn, worker);
    for (const sql of [
      "SET autoinstall_known_extensions = false",
      "SET autoload_known_extensions = false",
      "SET enable_progress_bar = false",
    ]) {
      await engine.exec(sql);
    }
    engine.version = (await engine.rows("SELECT version() AS v"))[0].v;
    engine.bundle = bundle.mainModule.endsWith("eh.wasm") ? "eh" : "mvp";
    return engine;
  }

  async exec(sql) {
    await this.conn.query(sql);
  }

  // The rows of a query, each an object of plain values keyed by column name.
  async rows(sql) {
    const table = await this.conn.query(sql);
    const names = table.schema.fields.map((f) => f.name);
    const columns = names.map((n) => table.getChild(n));
    const out = new Array(table.numRows);
    for (let i = 0; i < table.numRows; i++) {
      const row = {};
      for (let j = 0; j < names.length; j++) row[names[j]] = plain(columns[j].get(i));
      out[i] = row;
    }
    return out;
  }

  // The rows of a query, each an array of plain values in the columns' order.
  async tuples(sql) {
    const table = await this.conn.query(sql);
    const columns = table.schema.fields.map((f) => table.getChild(f.name));
    const out = new Array(table.numRows);
    for (let i = 0; i < table.numRows; i++) out[i] = columns.map((c) => plain(c.get(i)));
    return out;
  }

  // Make bytes (Uint8Array) readable by DuckDB as the file `name`. DuckDB-WASM takes the buffer over
  // (it is transferred to the worker), so it is given a copy: the caller's bytes stay readable.
  async addBuffer(name, bytes, { keep = true } = {}) {
    await this.db.registerFileBuffer(name, keep ? bytes.slice() : bytes);
    this.files.add(name);
  }

  // Make a browser File readable by DuckDB as `name`, without copying it into memory.
  async addFile(name, file) {
    await this.db.registerFileHandle(name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
    this.files.add(name);
  }

  async dropFiles() {
    for (const name of this.files) await this.db.dropFile(name);
    this.files.clear();
  }

  // A fresh database for the next submission (the engine itself stays started).
  async reset() {
    await this.conn.close();
    await this.dropFiles();
    await this.db.reset();
    await this.db.open({ query: { castBigIntToDouble: false, castDecimalToDouble: true } });
    this.conn = await this.db.connect();
    await this.exec("SET autoinstall_known_extensions = false");
    await this.exec("SET autoload_known_extensions = false");
    await this.exec("SET enable_progress_bar = false");
  }
}

// SQL text literal.
export function literal(text) {
  return text === null || text === undefined ? "NULL" : `'${String(text).replaceAll("'", "''")}'`;
}

// SQL identifier.
export function ident(name) {
  return `"${String(name).replaceAll('"', '""')}"`;
}
