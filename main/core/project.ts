/**
 * A project is one DuckDB file: captures, their flows (one table per capture, `flows_<id>`,
 * whose rowid is the flow id in capture order), and later models, scans, verdicts and the
 * audit log. This module opens it, migrates its schema and hands out connections.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { CaptureInfo, ProjectSpace, SchemaVersion } from '../../preload/contract.ts';
import { queryObjects } from './db.ts';
import { MindflowError } from './errors.ts';
import { nameList } from './words.ts';

const SCHEMA_VERSION = 7;

const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
    `CREATE SEQUENCE IF NOT EXISTS capture_ids START 1`,
    `CREATE TABLE IF NOT EXISTS captures (
       id INTEGER PRIMARY KEY,
       file_name VARCHAR NOT NULL,
       file_path VARCHAR NOT NULL,
       size_bytes BIGINT NOT NULL,
       sha256 VARCHAR NOT NULL,
       schema_version VARCHAR NOT NULL,
       labelled BOOLEAN NOT NULL,
       row_count BIGINT NOT NULL,
       class_counts VARCHAR NOT NULL,
       columns VARCHAR NOT NULL,
       ignored_columns VARCHAR NOT NULL,
       order_by VARCHAR NOT NULL,
       imported_at TIMESTAMP NOT NULL,
       import_seconds DOUBLE NOT NULL)`,
  ],
  [
    // The detector: models (package files inside the project), scans, flagged windows.
    // Each scan's per-flow predictions are a table scan_<id>, row i = flow i of the capture.
    `CREATE TABLE IF NOT EXISTS models (
       id VARCHAR PRIMARY KEY,
       name VARCHAR NOT NULL,
       manifest VARCHAR NOT NULL,
       model_json VARCHAR NOT NULL,
       weights BLOB NOT NULL,
       created TIMESTAMP NOT NULL,
       history VARCHAR NOT NULL,
       settings VARCHAR NOT NULL)`,
    `CREATE SEQUENCE IF NOT EXISTS scan_ids START 1`,
    `CREATE TABLE IF NOT EXISTS scans (
       id INTEGER PRIMARY KEY,
       capture_id INTEGER NOT NULL,
       model_id VARCHAR NOT NULL,
       model_name VARCHAR NOT NULL,
       classes VARCHAR NOT NULL,
       threshold DOUBLE NOT NULL,
       keyed BOOLEAN NOT NULL,
       created_at TIMESTAMP NOT NULL,
       flows BIGINT NOT NULL,
       seconds DOUBLE NOT NULL,
       windows_per_second DOUBLE NOT NULL,
       backend VARCHAR NOT NULL,
       predicted_counts VARCHAR NOT NULL,
       flagged_windows BIGINT NOT NULL,
       metrics VARCHAR)`,
    `CREATE TABLE IF NOT EXISTS flagged_windows (
       scan_id INTEGER NOT NULL,
       id INTEGER NOT NULL,
       class VARCHAR NOT NULL,
       first_flow BIGINT NOT NULL,
       last_flow BIGINT NOT NULL,
       flows INTEGER NOT NULL,
       peak DOUBLE NOT NULL,
       mean DOUBLE NOT NULL,
       src_hosts VARCHAR[] NOT NULL,
       dst_hosts VARCHAR[] NOT NULL,
       dst_ports INTEGER[] NOT NULL,
       key VARCHAR,
       PRIMARY KEY (scan_id, id))`,
  ],
  [
    // Triage: the current verdict per window, notes, and the append-only audit log.
    `CREATE TABLE IF NOT EXISTS verdicts (
       scan_id INTEGER NOT NULL,
       window_id INTEGER NOT NULL,
       verdict VARCHAR NOT NULL,
       reason VARCHAR,
       analyst VARCHAR NOT NULL,
       ts TIMESTAMP NOT NULL,
       PRIMARY KEY (scan_id, window_id))`,
    `CREATE SEQUENCE IF NOT EXISTS note_ids START 1`,
    `CREATE TABLE IF NOT EXISTS notes (
       id INTEGER PRIMARY KEY,
       scan_id INTEGER NOT NULL,
       window_id INTEGER NOT NULL,
       ts TIMESTAMP NOT NULL,
       analyst VARCHAR NOT NULL,
       text VARCHAR NOT NULL)`,
    `CREATE SEQUENCE IF NOT EXISTS audit_ids START 1`,
    `CREATE TABLE IF NOT EXISTS audit_log (
       id INTEGER PRIMARY KEY,
       batch INTEGER NOT NULL,
       ts TIMESTAMP NOT NULL,
       analyst VARCHAR NOT NULL,
       action VARCHAR NOT NULL,
       scan_id INTEGER NOT NULL,
       window_id INTEGER NOT NULL,
       previous VARCHAR,
       value VARCHAR,
       reason VARCHAR,
       undone BOOLEAN NOT NULL DEFAULT false)`,
  ],
  [
    // Incidents: windows of one scan grouped, with their fields and timestamped notes.
    `CREATE SEQUENCE IF NOT EXISTS incident_ids START 1`,
    `CREATE TABLE IF NOT EXISTS incidents (
       id INTEGER PRIMARY KEY,
       scan_id INTEGER NOT NULL,
       title VARCHAR NOT NULL,
       status VARCHAR NOT NULL,
       severity VARCHAR NOT NULL,
       tlp VARCHAR NOT NULL,
       summary VARCHAR NOT NULL,
       analyst VARCHAR NOT NULL,
       created TIMESTAMP NOT NULL,
       updated TIMESTAMP NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS incident_windows (
       incident_id INTEGER NOT NULL,
       window_id INTEGER NOT NULL,
       PRIMARY KEY (incident_id, window_id))`,
    `CREATE SEQUENCE IF NOT EXISTS incident_note_ids START 1`,
    `CREATE TABLE IF NOT EXISTS incident_notes (
       id INTEGER PRIMARY KEY,
       incident_id INTEGER NOT NULL,
       ts TIMESTAMP NOT NULL,
       analyst VARCHAR NOT NULL,
       text VARCHAR NOT NULL)`,
  ],
  [
    // When a flagged window happened, for captures with real timestamps (v3's
    // FLOW_START_MILLISECONDS / FLOW_END_MILLISECONDS, epoch ms); NULL for the others and for
    // windows derived before this column existed (scan again to fill it).
    `ALTER TABLE flagged_windows ADD COLUMN IF NOT EXISTS start_ms BIGINT`,
    `ALTER TABLE flagged_windows ADD COLUMN IF NOT EXISTS end_ms BIGINT`,
  ],
  [
    // A capture's data hash as training computes it (model/dataset.ts, captureDataHash), per way
    // of reading it (feature set, classes, keys): how an evaluation knows a capture holds a
    // model's training flows. A capture never changes once imported, so it is read once.
    `CREATE TABLE IF NOT EXISTS capture_data_hashes (
       capture_id INTEGER NOT NULL,
       reading VARCHAR NOT NULL,
       hash VARCHAR NOT NULL,
       PRIMARY KEY (capture_id, reading))`,
  ],
  [
    // What a verdict change replaced, beyond the verdict: an undo puts the reason, analyst and
    // time back as they were (NULL in entries written before: the undo's own analyst and time).
    `ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS previous_reason VARCHAR`,
    `ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS previous_analyst VARCHAR`,
    `ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS previous_at TIMESTAMP`,
  ],
];

interface CaptureRow {
  id: number;
  file_name: string;
  file_path: string;
  size_bytes: number;
  sha256: string;
  schema_version: string;
  labelled: boolean;
  row_count: number;
  class_counts: string;
  columns: string;
  ignored_columns: string;
  order_by: string;
  imported_at: string;
  import_seconds: number;
}

function toCaptureInfo(r: CaptureRow): CaptureInfo {
  return {
    id: r.id,
    fileName: r.file_name,
    filePath: r.file_path,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    schemaVersion: r.schema_version as SchemaVersion,
    labelled: r.labelled,
    rows: r.row_count,
    classCounts: JSON.parse(r.class_counts) as Record<string, number>,
    columns: JSON.parse(r.columns) as string[],
    ignoredColumns: JSON.parse(r.ignored_columns) as string[],
    order: r.order_by === 'FLOW_START_MILLISECONDS' ? 'FLOW_START_MILLISECONDS' : 'file order',
    importedAt: r.imported_at,
    importSeconds: r.import_seconds,
  };
}

const CAPTURE_SELECT = `SELECT id, file_name, file_path, size_bytes, sha256, schema_version, labelled, row_count,
  class_counts, columns, ignored_columns, order_by, strftime(imported_at, '%Y-%m-%dT%H:%M:%SZ') AS imported_at, import_seconds
  FROM captures`;

/** A tiny pool: queries from the UI run on a few shared connections, one query each at a time. */
class ConnectionPool {
  private idle: DuckDBConnection[] = [];
  private waiters: ((c: DuckDBConnection) => void)[] = [];
  private all: DuckDBConnection[] = [];
  constructor(private readonly instance: DuckDBInstance, private readonly size: number) {}

  async acquire(): Promise<DuckDBConnection> {
    const free = this.idle.pop();
    if (free) return free;
    if (this.all.length < this.size) {
      const c = await this.instance.connect();
      this.all.push(c);
      return c;
    }
    return new Promise((resolveWaiter) => this.waiters.push(resolveWaiter));
  }

  release(c: DuckDBConnection): void {
    const next = this.waiters.shift();
    if (next) next(c);
    else this.idle.push(c);
  }

  /** Resolves once every connection handed out has come back (or after `timeoutMs`). */
  async drain(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.idle.length < this.all.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  closeAll(): void {
    for (const c of this.all) c.closeSync();
    this.all = [];
    this.idle = [];
  }
}

export type ProjectOpenMode = 'any' | 'existing' | 'new';

/** Whether a file starts like a DuckDB database (its magic bytes at offset 8). */
export function isDuckDbFile(path: string): boolean {
  const head = Buffer.alloc(12);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, head, 0, 12, 0) === 12 && head.subarray(8, 12).toString('latin1') === 'DUCK';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Refuses, with what is wrong, a path that cannot be an existing project. */
function checkProjectFile(full: string): void {
  if (!existsSync(full)) throw new MindflowError('not-found', `no project at ${full}`);
  const stat = statSync(full);
  if (stat.isDirectory()) throw new MindflowError('not-a-file', `${full} is a folder, not a project file (a project is one .duckdb file)`);
  if (stat.size === 0) throw new MindflowError('empty-file', `${full} is empty, not a MindFlow project`);
  if (!isDuckDbFile(full)) {
    throw new MindflowError('bad-args', `${full} is not a MindFlow project (not a DuckDB database file)`);
  }
}

export class Project {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly pool: ConnectionPool,
  ) {}

  /**
   * Opens a project file, creating it where none is. `existing` refuses a path with no project
   * (DuckDB would quietly make one); `new` refuses a path where a file already is. A file that
   * is there but is not a DuckDB database (a folder, an empty file, a CSV or Parquet capture:
   * DuckDB opens some of those as an empty in-memory database, so what was written to it would
   * be lost) is refused in every mode, as is a DuckDB database that holds other tables but no
   * MindFlow project: MindFlow never adds its tables to someone else's data.
   */
  static async open(path: string, mode: ProjectOpenMode = 'any'): Promise<Project> {
    const full = resolve(path);
    if (mode === 'existing' || (mode === 'any' && existsSync(full))) checkProjectFile(full);
    if (mode === 'new' && existsSync(full)) throw new MindflowError('bad-args', `${full} already exists: open it instead of creating it`);
    mkdirSync(dirname(full), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(full);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/lock/i.test(msg)) {
        throw new MindflowError('project-locked', `project ${full} is open in another MindFlow process (close it first)`);
      }
      if (/not a valid DuckDB database|invalid|corrupt/i.test(msg)) {
        throw new MindflowError('bad-args', `${full} is not a MindFlow project (not a DuckDB database file)`);
      }
      throw err;
    }
    const project = new Project(full, instance, new ConnectionPool(instance, 3));
    try {
      await project.migrate();
    } catch (err) {
      project.close(); // let go of the file (and its lock) that was refused
      throw err;
    }
    return project;
  }

  /** A dedicated connection for a long job (import, scan), so it can be interrupted alone. */
  async connect(): Promise<DuckDBConnection> {
    const c = await this.instance.connect();
    await c.run('SET enable_progress_bar = true');
    await c.run('SET enable_progress_bar_print = false');
    return c;
  }

  async withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const c = await this.pool.acquire();
    try {
      return await fn(c);
    } finally {
      this.pool.release(c);
    }
  }

  /** Runs `fn` in one transaction on a pooled connection: committed when it returns, rolled back when it throws. */
  async transaction<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.withConnection(async (c) => {
      await c.run('BEGIN TRANSACTION');
      try {
        const out = await fn(c);
        await c.run('COMMIT');
        return out;
      } catch (err) {
        await c.run('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  private async migrate(): Promise<void> {
    await this.withConnection(async (c) => {
      const tables = await queryObjects<{ name: string }>(c, `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary`);
      if (tables.length && !tables.some((t) => t.name === 'meta')) {
        const names = tables.slice(0, 3).map((t) => t.name).join(', ');
        throw new MindflowError('bad-args', `${this.path} is a DuckDB database but not a MindFlow project (it holds ${tables.length} other table${tables.length === 1 ? '' : 's'}: ${names}${tables.length > 3 ? ', …' : ''}); MindFlow leaves it as it is`);
      }
      await c.run(MIGRATIONS[0]![0]!); // the meta table, so the version can be read
      const rows = await queryObjects<{ value: string }>(c, `SELECT value FROM meta WHERE key = 'schema_version'`);
      const current = rows.length ? Number(rows[0]!.value) : 0;
      if (current > SCHEMA_VERSION) {
        throw new MindflowError('bad-args', `project ${this.path} was written by a newer MindFlow (schema ${current})`);
      }
      for (let v = current; v < SCHEMA_VERSION; v++) {
        await c.run('BEGIN');
        for (const sql of MIGRATIONS[v]!) await c.run(sql);
        await c.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)`, [String(v + 1)]);
        await c.run('COMMIT');
      }
    });
  }

  async listCaptures(): Promise<CaptureInfo[]> {
    const rows = await this.withConnection((c) => queryObjects<CaptureRow>(c, `${CAPTURE_SELECT} ORDER BY id`));
    return rows.map(toCaptureInfo);
  }

  async capture(id: number): Promise<CaptureInfo> {
    const rows = await this.withConnection((c) => queryObjects<CaptureRow>(c, `${CAPTURE_SELECT} WHERE id = ?`, [id]));
    if (!rows[0]) throw new MindflowError('unknown-capture', `no capture #${id} in this project`);
    return toCaptureInfo(rows[0]);
  }

  async captureByHash(sha256: string, conn?: DuckDBConnection): Promise<CaptureInfo | null> {
    const run = (c: DuckDBConnection) => queryObjects<CaptureRow>(c, `${CAPTURE_SELECT} WHERE sha256 = ?`, [sha256]);
    const rows = conn ? await run(conn) : await this.withConnection(run);
    return rows[0] ? toCaptureInfo(rows[0]) : null;
  }

  async hasCaptureOfSize(sizeBytes: number): Promise<boolean> {
    const rows = await this.withConnection((c) => queryObjects(c, `SELECT 1 FROM captures WHERE size_bytes = ? LIMIT 1`, [sizeBytes]));
    return rows.length > 0;
  }

  async deleteCapture(id: number): Promise<void> {
    const capture = await this.capture(id);
    await this.transaction(async (c) => {
      // an incident is case work: it goes only when the analyst deletes it, never with its capture
      const held = await queryObjects<{ id: number; title: string; scan_id: number }>(
        c, `SELECT i.id, i.title, i.scan_id FROM incidents i JOIN scans s ON s.id = i.scan_id WHERE s.capture_id = ? ORDER BY i.id`, [id]);
      if (held.length) {
        const named = nameList(held.map((i) => `incident #${i.id} "${i.title}" (scan #${i.scan_id})`));
        const them = held.length === 1 ? 'it' : 'them';
        throw new MindflowError(
          'bad-args',
          `capture #${id} ${capture.fileName} has ${named}: delete ${them} first (or export ${them} as a report to keep); nothing was deleted`,
        );
      }
      const scans = await queryObjects<{ id: number }>(c, `SELECT id FROM scans WHERE capture_id = ?`, [id]);
      for (const scan of scans) {
        await c.run(`DROP TABLE IF EXISTS scan_${scan.id}`);
        await c.run(`DELETE FROM flagged_windows WHERE scan_id = ?`, [scan.id]);
        await c.run(`DELETE FROM verdicts WHERE scan_id = ?`, [scan.id]);
        await c.run(`DELETE FROM notes WHERE scan_id = ?`, [scan.id]);
      }
      await c.run(`DELETE FROM scans WHERE capture_id = ?`, [id]);
      await c.run(`DROP TABLE IF EXISTS flows_${id}`);
      await c.run(`DELETE FROM capture_data_hashes WHERE capture_id = ?`, [id]);
      await c.run(`DELETE FROM captures WHERE id = ?`, [id]);
    });
  }

  /**
   * What the project takes on disk, and how much of its file is free space (left by deleted
   * captures and scans) that compacting would give back. Folds the log into the file first when
   * it can, so the figure counts what was just deleted.
   */
  async space(): Promise<ProjectSpace> {
    return this.withConnection(async (c) => {
      await c.run('CHECKPOINT').catch(() => {}); // another transaction open: measure as it stands
      const [row] = await queryObjects<{ block_size: bigint; free_blocks: bigint }>(c, 'SELECT block_size, free_blocks FROM pragma_database_size()');
      const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
      return { fileBytes: size(this.path), walBytes: size(`${this.path}.wal`), freeBytes: row ? Number(row.block_size) * Number(row.free_blocks) : 0 };
    });
  }

  /** Resolves once no query runs on a pooled connection (or after `timeoutMs`). */
  idle(timeoutMs = 10_000): Promise<void> {
    return this.pool.drain(timeoutMs);
  }

  /** Closes once the queries running on pooled connections have finished (at most `timeoutMs` later). */
  async closeWhenIdle(timeoutMs = 10_000): Promise<void> {
    await this.pool.drain(timeoutMs);
    this.close();
  }

  close(): void {
    this.pool.closeAll();
    this.instance.closeSync();
  }
}
