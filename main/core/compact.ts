/**
 * Compacting a project: a DuckDB file keeps the space of a dropped table (a deleted capture, a
 * deleted scan) and only reuses it for new data; it never shrinks. Compacting copies every
 * table and sequence into a new file, checks that each table came across whole and in order
 * (flow ids are rowids: the order is the data), then puts the copy in the project's place.
 * Until the copy is in place and opens, the original is kept: any failure puts it back.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import type { CompactResult } from '../../preload/contract.ts';
import { ident, literal, queryObjects, scalar } from './db.ts';
import { MindflowError } from './errors.ts';
import type { Project } from './project.ts';

const COPY_ALIAS = 'mindflow_compact';

function fileBytes(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/**
 * Copies the open project into `target` (a new file) and checks the copy: every table's row
 * count and a hash of each row with its place, and every sequence's last value. Returns how
 * many tables were copied. A copy that does not match is removed and refused.
 */
export async function writeCompactCopy(project: Project, target: string): Promise<number> {
  if (existsSync(target)) rmSync(target);
  const conn = await project.connect();
  try {
    const source = String(await scalar(conn, 'SELECT current_database()'));
    await conn.run(`ATTACH ${literal(target)} AS ${COPY_ALIAS}`);
    try {
      await conn.run(`COPY FROM DATABASE ${ident(source)} TO ${COPY_ALIAS}`);
      const tables = await queryObjects<{ name: string }>(conn, `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = ? AND NOT temporary ORDER BY 1`, [source]);
      for (const { name } of tables) {
        // a row's place is its rowid where the rowids run 0..n-1 (flows: a flow id is its rowid);
        // rows deleted from a table (a verdict changed, an incident deleted) leave gaps the copy
        // closes, so there a row's place is its rank by rowid
        const [shape] = await queryObjects<{ n: number; top: number }>(
          conn, `SELECT count(*)::BIGINT AS n, coalesce(max(rowid), -1)::BIGINT AS top FROM ${ident(source)}.${ident(name)}`);
        const dense = !!shape && Number(shape.top) === Number(shape.n) - 1;
        const digest = (db: string) =>
          dense
            ? `SELECT count(*) AS n, coalesce(bit_xor(hash(rowid, r)), 0) AS h FROM ${ident(db)}.${ident(name)} r`
            : `SELECT count(*) AS n, coalesce(bit_xor(hash(pos, r)), 0) AS h FROM (SELECT row_number() OVER (ORDER BY rowid) AS pos, r FROM ${ident(db)}.${ident(name)} r)`;
        const [a] = await queryObjects<{ n: number; h: bigint }>(conn, digest(source));
        const [b] = await queryObjects<{ n: number; h: bigint }>(conn, digest(COPY_ALIAS));
        if (!a || !b || Number(a.n) !== Number(b.n) || a.h !== b.h) {
          throw new MindflowError('internal', `compacting: table ${name} did not copy whole and in order (${a?.n ?? '?'} rows, copied ${b?.n ?? '?'}); the project is unchanged`);
        }
      }
      // ids must never be given twice (the audit trail keeps the ids of deleted scans): the copy
      // of each sequence must hand out a value at least as high as the original would. DuckDB
      // reports a used sequence differently before and after a reopen, so each side is asked for
      // its next value; the two it hands out are skipped, which costs nothing.
      const names = await queryObjects<{ name: string }>(conn, `SELECT sequence_name AS name FROM duckdb_sequences() WHERE database_name = ? ORDER BY 1`, [source]);
      for (const { name } of names) {
        const next = async (db: string) => BigInt(String(await scalar(conn, `SELECT nextval(${literal(`${db}.main.${name}`)})`)));
        const [original, copied] = [await next(source), await next(COPY_ALIAS)];
        if (copied < original) throw new MindflowError('internal', `compacting: sequence ${name} did not copy with its value (${original}, copied ${copied}); the project is unchanged`);
      }
      return tables.length;
    } finally {
      await conn.run(`DETACH ${COPY_ALIAS}`).catch(() => {});
    }
  } catch (err) {
    rmSync(target, { force: true });
    rmSync(`${target}.wal`, { force: true });
    throw err;
  } finally {
    conn.closeSync();
  }
}

/**
 * Compacts the project at `project.path`: writes and checks the copy while the project is open,
 * then `close()` (the project and everything on it), puts the copy in place and `reopen()`s it.
 * If the copy does not open, the original goes back and is reopened, and the error is thrown.
 */
export async function compactProject(project: Project, close: () => Promise<void>, reopen: () => Promise<void>): Promise<CompactResult> {
  const t0 = performance.now();
  const path = project.path;
  const copy = `${path}.compact-${process.pid}.tmp`;
  const backup = `${path}.before-compact`;
  const bytesBefore = fileBytes(path) + fileBytes(`${path}.wal`);
  const tables = await writeCompactCopy(project, copy);
  await close();
  if (existsSync(`${path}.wal`)) {
    // closing checkpoints the log into the file; a log left behind holds changes the copy may lack
    rmSync(copy, { force: true });
    await reopen();
    throw new MindflowError('internal', `compacting: ${path}.wal was still there after closing; the project is unchanged`);
  }
  renameSync(path, backup);
  renameSync(copy, path);
  try {
    await reopen();
  } catch (err) {
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
    renameSync(backup, path);
    await reopen();
    throw new MindflowError('internal', `compacting: the compacted copy did not open (${err instanceof Error ? err.message : String(err)}); the project is unchanged`);
  }
  rmSync(backup, { force: true });
  return { path, bytesBefore, bytesAfter: fileBytes(path) + fileBytes(`${path}.wal`), tables, seconds: (performance.now() - t0) / 1000 };
}
