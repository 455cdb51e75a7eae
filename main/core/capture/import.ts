/**
 * importCapture: a CSV, CSV.gz or Parquet NetFlow export becomes one capture in the project.
 * All-or-nothing: the flows table and the capture row are created in one transaction; a
 * failure or a cancel rolls both back. DuckDB reads the file itself (parallel, typed by column
 * name); this module polls its progress and maps its errors to one-line messages.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CaptureInfo, ImportResult } from '../../../preload/contract.ts';
import { flowsTable, ident, literal, queryObjects, scalar } from '../db.ts';
import { MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import { normaliseLineEndings, scanLineEndings, type LineEnding } from './lineEndings.ts';
import { EMPTY_LABEL, detectSchema, duplicateFields, isKnownField, sqlTypeOf, type DetectedSchema } from './schema.ts';
import { sniffFile, type Sniffed } from './sniff.ts';

export interface ProgressUpdate {
  phase: string;
  fraction: number | null;
  message: string;
}

export interface JobContext {
  /** the job's id, for events that belong to it */
  jobId?: string;
  signal: AbortSignal;
  progress: (p: ProgressUpdate) => void;
}

export const noJobContext: JobContext = { signal: new AbortController().signal, progress: () => {} };

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new MindflowError('cancelled', 'import cancelled');
}

/**
 * SHA-256 of the file, and for gzip a full decompression to prove the stream is complete:
 * DuckDB reads a truncated gzip up to where it breaks without complaint, which would import
 * part of a capture silently.
 */
export async function hashAndVerify(path: string, kind: Sniffed['kind'], signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (signal.aborted) return cb(new MindflowError('cancelled', 'import cancelled'));
      hash.update(chunk);
      cb(null, kind === 'csv.gz' ? chunk : null);
    },
  });
  try {
    if (kind === 'csv.gz') {
      const sink = new Writable({ write: (_c, _e, cb) => cb() });
      await pipeline(stream, tap, createGunzip(), sink);
    } else {
      await pipeline(stream, tap, new Writable({ write: (_c, _e, cb) => cb() }));
    }
  } catch (err) {
    if (err instanceof MindflowError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new MindflowError('truncated', `${basename(path)}: the gzip stream is truncated or damaged (${msg})`);
  }
  return hash.digest('hex');
}

/** A path in a new temporary folder, and how to remove the folder. */
async function tempFile(prefix: string, fileName: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { path: join(dir, fileName), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `CRLF and LF`: the line endings a file mixes. */
function mixOf(endings: Record<LineEnding, number>): string {
  const names = { crlf: 'CRLF', lf: 'LF', cr: 'CR' } as const;
  const seen = (Object.keys(names) as LineEnding[]).filter((k) => endings[k] > 0).map((k) => names[k]);
  return `${seen.slice(0, -1).join(', ')} and ${seen[seen.length - 1]}`;
}

/** UTF-16 text becomes a temporary UTF-8 file that DuckDB can read. */
async function transcodeToUtf8(path: string, encoding: 'utf-16le' | 'utf-16be', ctx: JobContext): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const temp = await tempFile('mindflow-utf8-', `${basename(path)}.utf8.csv`);
  const out = temp.path;
  const decoder = new TextDecoder(encoding);
  const transcode = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (ctx.signal.aborted) return cb(new MindflowError('cancelled', 'import cancelled'));
      cb(null, Buffer.from(decoder.decode(chunk, { stream: true }).replace(/^\uFEFF/, ''), 'utf8'));
    },
    flush(cb) {
      cb(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
  ctx.progress({ phase: 'transcoding', fraction: null, message: `converting ${basename(path)} from ${encoding.toUpperCase()} to UTF-8` });
  await pipeline(createReadStream(path), transcode, createWriteStream(out));
  return temp;
}

/** The SELECT that reads the file into canonical, typed columns. */
function sourceSql(file: string, sniffed: Sniffed, schema: DetectedSchema, rename: Map<string, string>, parquetTypes: Map<string, string>): { select: string; order: CaptureInfo['order'] } {
  const cols: string[] = [];
  for (const [raw, canonical] of rename) {
    if (sniffed.kind === 'parquet') {
      const type = sqlTypeOf(canonical);
      const have = parquetTypes.get(raw) ?? '';
      cols.push(have.toUpperCase() === type ? `${ident(raw)} AS ${ident(canonical)}` : `CAST(${ident(raw)} AS ${type}) AS ${ident(canonical)}`);
    } else {
      cols.push(`${ident(raw)} AS ${ident(canonical)}`);
    }
  }
  if (!schema.kept.includes('Attack') && schema.kept.includes('Label')) {
    cols.push(`CASE WHEN ${ident([...rename].find(([, c]) => c === 'Label')![0])} = 0 THEN 'Benign' ELSE 'Attack' END AS "Attack"`);
  }
  let from: string;
  if (sniffed.kind === 'parquet') {
    from = `read_parquet(${literal(file)})`;
  } else {
    // Every column typed by name: known NetFlow fields get their type, anything else is text.
    // A column we ignore is never selected, so it gets a name of its own: an index column
    // with no name, or a repeated extra column, would otherwise be a duplicate or empty name.
    const columns = sniffed.header
      .map((raw, i) => {
        const canonical = rename.get(raw);
        return canonical && isKnownField(canonical)
          ? `${literal(raw)}: ${literal(sqlTypeOf(canonical))}`
          : `${literal(`mindflow_ignored_${i + 1}`)}: 'VARCHAR'`;
      })
      .join(', ');
    from = `read_csv(${literal(file)}, header = true, auto_detect = false, delim = ${literal(sniffed.delimiter)}, quote = '"', escape = '"', ` +
      `columns = {${columns}}, strict_mode = true, null_padding = false, compression = ${literal(sniffed.kind === 'csv.gz' ? 'gzip' : 'none')})`;
  }
  const byStart = schema.kept.includes('FLOW_START_MILLISECONDS');
  const select = `SELECT ${cols.join(', ')} FROM ${from}${byStart ? ' ORDER BY "FLOW_START_MILLISECONDS"' : ''}`;
  return { select, order: byStart ? 'FLOW_START_MILLISECONDS' : 'file order' };
}

/** DuckDB's multi-line error text becomes one specific line. */
export function describeReadError(raw: string, name: string, header: string[], dataLineOffset: number): MindflowError {
  const msg = raw.replace(/\r/g, '');
  const lineMatch = /CSV Error on Line:\s*(\d+)/.exec(msg);
  const line = lineMatch ? Number(lineMatch[1]) + dataLineOffset : null;
  const where = line !== null ? ` line ${line}` : '';
  const cols = /Expected Number of Columns:\s*(\d+)\s*Found:\s*(\d+)/i.exec(msg);
  if (cols) {
    return new MindflowError('ragged-row', `${name}${where ? ',' + where : ''}: expected ${cols[1]} fields but found ${cols[2]} (ragged row)`);
  }
  const conv = /Error when converting column "([^"]+)"\.?\s*Could not convert string "([^"]*)" to '?(\w+)'?/i.exec(msg);
  if (conv) {
    const kind = /DOUBLE|FLOAT|DECIMAL/i.test(conv[3]!) ? 'a number' : 'an integer';
    return new MindflowError('bad-value', `${name}${where ? ',' + where : ''}, column ${conv[1]}: expected ${kind}, found "${conv[2]!.slice(0, 40)}"`);
  }
  const conv2 = /Could not convert string '([^']*)' to (\w+)/i.exec(msg);
  if (conv2) {
    const column = /column "([^"]+)"/.exec(msg)?.[1];
    return new MindflowError('bad-value', `${name}${where ? ',' + where : ''}${column ? `, column ${column}` : ''}: expected a number, found "${conv2[1]!.slice(0, 40)}"`);
  }
  if (/unterminated quote|quoted value/i.test(msg)) {
    return new MindflowError('ragged-row', `${name}${where ? ',' + where : ''}: unterminated quoted field`);
  }
  if (/gzip|inflate|zlib|compressed|unexpected end|truncated/i.test(msg)) {
    return new MindflowError('truncated', `${name}: the gzip stream is truncated or damaged (file ends before its data does)`);
  }
  if (/parquet|magic|footer|thrift/i.test(msg)) {
    return new MindflowError('corrupt-parquet', `${name}: corrupt Parquet file (${msg.split('\n')[0]!.slice(0, 160)})`);
  }
  if (/Maximum line size|Invalid unicode|UTF-8/i.test(msg)) {
    return new MindflowError('unsupported-format', `${name}${where ? ',' + where : ''}: not valid UTF-8 CSV text`);
  }
  void header;
  return new MindflowError('bad-value', `${name}: could not read the file: ${msg.split('\n')[0]!.slice(0, 200)}`);
}

/**
 * After DuckDB refused a CSV file: a copy with LF line endings when the file only mixes line
 * endings (lineEndings.ts), for DuckDB to read strictly; null when line endings do not explain
 * the refusal. Throws for a line no reading makes right (a carriage return inside it).
 */
async function lfCopyIfMixed(
  message: string, name: string, readPath: string, sniffed: Sniffed, fields: number, ctx: JobContext,
): Promise<{ path: string; cleanup: () => Promise<void> } | null> {
  if (sniffed.kind === 'parquet') return null;
  // a line ending DuckDB did not expect shows as one of these, or as a carriage return
  const invalidState = /state machine reached an invalid state/i.test(message);
  if (!invalidState && !/unterminated quote|Expected Number of Columns|\r/i.test(message)) return null;
  // DuckDB names the line for all but the invalid state; the first switch of line ending comes
  // before it (with room for a count thrown off by the endings themselves)
  const named = Number(/CSV Error on Line:\s*(\d+)/.exec(message)?.[1] ?? 0);
  const gzip = sniffed.kind === 'csv.gz';
  ctx.progress({ phase: 'checking', fraction: null, message: `checking the line endings of ${name}` });
  const scan = await scanLineEndings(readPath, gzip, fields, sniffed.delimiter, ctx.signal, named ? named * 2 + 1000 : Infinity);
  if (!scan.mixed) {
    // the invalid state names no line: say where it is
    if (invalidState && scan.problem) throw new MindflowError('ragged-row', `${name}, ${scan.problem}`);
    return null;
  }
  const copy = await tempFile('mindflow-lf-', `${name}.lf.csv`);
  try {
    ctx.progress({ phase: 'converting', fraction: null, message: `${name} mixes ${mixOf(scan.endings)} line endings: reading it with LF endings` });
    const normalised = await normaliseLineEndings(readPath, gzip, copy.path, fields, sniffed.delimiter, ctx.signal);
    if (normalised.problem) throw new MindflowError('ragged-row', `${name}, ${normalised.problem}`);
    ctx.progress({ phase: 'reading', fraction: 0, message: `reading ${name}` });
    return copy;
  } catch (err) {
    await copy.cleanup();
    throw err;
  }
}

async function parquetColumns(conn: DuckDBConnection, file: string, name: string): Promise<Map<string, string>> {
  try {
    const rows = await queryObjects<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM read_parquet(${literal(file)})`);
    return new Map(rows.map((r) => [r.column_name, r.column_type]));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new MindflowError('corrupt-parquet', `${name}: corrupt Parquet file (${msg.split('\n')[0]!.slice(0, 160)})`);
  }
}

/**
 * Per numeric column of a new capture's table, how many flows left it empty (one pass over the
 * table; only the columns with any). NetFlow exporters fill every field, so an empty one is a
 * damaged or hand-edited export: the import keeps the flows and says where values are missing.
 */
async function emptyNumericValues(conn: DuckDBConnection, table: string, columns: readonly string[]): Promise<Record<string, number>> {
  const numeric = columns.filter((c) => sqlTypeOf(c) !== 'VARCHAR' && c !== 'Label');
  if (!numeric.length) return {};
  const counts = await queryObjects<Record<string, number>>(conn, `SELECT ${numeric.map((c, i) => `count(*) FILTER (WHERE ${ident(c)} IS NULL) AS c${i}`).join(', ')} FROM ${table}`);
  const row = counts[0] ?? {};
  return Object.fromEntries(numeric.flatMap((c, i) => (Number(row[`c${i}`] ?? 0) > 0 ? [[c, Number(row[`c${i}`])]] : [])));
}

export async function importCapture(project: Project, inputPath: string, ctx: JobContext = noJobContext): Promise<ImportResult> {
  const started = performance.now();
  const path = resolve(inputPath);
  const name = basename(path);
  ctx.progress({ phase: 'checking', fraction: 0, message: `checking ${name}` });
  const sniffed = await sniffFile(path);
  throwIfAborted(ctx.signal);

  // Hashing (and proving a gzip stream complete) runs beside DuckDB's read. Only when a
  // capture of the same size exists do we hash first, to answer "already imported" at once.
  const verification = new AbortController();
  const abortVerification = () => verification.abort();
  ctx.signal.addEventListener('abort', abortVerification);
  let hashing: Promise<string> | null = null;
  const startHashing = () => {
    hashing ??= hashAndVerify(path, sniffed.kind, verification.signal);
    hashing.catch(() => {}); // observed below; never an unhandled rejection
    return hashing;
  };
  try {
    if (await project.hasCaptureOfSize(sniffed.sizeBytes)) {
      ctx.progress({ phase: 'hashing', fraction: null, message: `hashing ${name}` });
      const existing = await project.captureByHash(await startHashing());
      if (existing) return { capture: existing, reused: true };
    }
    return await readIntoProject(project, path, sniffed, ctx, startHashing, started);
  } finally {
    verification.abort();
    ctx.signal.removeEventListener('abort', abortVerification);
  }
}

async function readIntoProject(
  project: Project, path: string, sniffed: Sniffed, ctx: JobContext, hashing: () => Promise<string>, started: number,
): Promise<ImportResult> {
  const name = basename(path);
  const conn = await project.connect();
  let transcoded: { path: string; cleanup: () => Promise<void> } | null = null;
  let lfCopy: { path: string; cleanup: () => Promise<void> } | null = null;
  try {
    let header = sniffed.header;
    let parquetTypes = new Map<string, string>();
    if (sniffed.kind === 'parquet') {
      parquetTypes = await parquetColumns(conn, path, name);
      header = [...parquetTypes.keys()];
    }
    const repeated = duplicateFields(header);
    if (repeated) throw new MindflowError('duplicate-columns', `${name}: ${repeated}`);
    let detected;
    try {
      detected = detectSchema(header);
    } catch (err) {
      throw new MindflowError('missing-columns', `${name}: ${(err as Error).message}`);
    }
    const { schema, rename } = detected;
    let readPath = path;
    if (sniffed.encoding !== 'utf-8') {
      transcoded = await transcodeToUtf8(path, sniffed.encoding, ctx);
      readPath = transcoded.path;
    }
    const { select, order } = sourceSql(readPath, sniffed, schema, rename, parquetTypes);

    const id = Number(await scalar(conn, `SELECT nextval('capture_ids')`));
    const table = flowsTable(id);
    await conn.run('BEGIN TRANSACTION');
    const poll = setInterval(() => {
      const p = conn.progress;
      if (p.percentage >= 0) {
        ctx.progress({ phase: 'reading', fraction: Math.min(1, p.percentage / 100), message: `reading ${name}` });
      }
    }, 200);
    const onAbort = () => conn.interrupt();
    ctx.signal.addEventListener('abort', onAbort);
    try {
      throwIfAborted(ctx.signal);
      ctx.progress({ phase: 'reading', fraction: 0, message: `reading ${name}` });
      const verified = hashing();
      verified.catch(() => conn.interrupt());
      try {
        await conn.run(`CREATE TABLE ${table} AS ${select}`);
      } catch (err) {
        throwIfAborted(ctx.signal);
        await verified; // a broken gzip explains a read error better than DuckDB does
        const message = err instanceof Error ? err.message : String(err);
        lfCopy = await lfCopyIfMixed(message, name, readPath, sniffed, header.length, ctx);
        if (!lfCopy) throw describeReadError(message, name, header, 0);
        await conn.run('ROLLBACK'); // the failed read aborted the transaction
        throwIfAborted(ctx.signal);
        await conn.run('BEGIN TRANSACTION');
        const lf = sourceSql(lfCopy.path, { ...sniffed, kind: 'csv' }, schema, rename, parquetTypes);
        try {
          await conn.run(`CREATE TABLE ${table} AS ${lf.select}`);
        } catch (again) {
          throwIfAborted(ctx.signal);
          throw describeReadError(again instanceof Error ? again.message : String(again), name, header, 0);
        }
      }
      const sha256 = await verified;
      throwIfAborted(ctx.signal);
      const existing = await project.captureByHash(sha256, conn);
      if (existing) {
        await conn.run('ROLLBACK');
        return { capture: existing, reused: true };
      }
      ctx.progress({ phase: 'summarising', fraction: 1, message: `counting classes in ${name}` });
      const rows = Number(await scalar(conn, `SELECT count(*) FROM ${table}`));
      if (rows === 0) throw new MindflowError('no-flows', `${name} has a header but no flows`);
      const classCounts: Record<string, number> = {};
      if (schema.labelled) {
        const counts = await queryObjects<{ cls: string | null; n: number }>(
          conn, `SELECT "Attack" AS cls, count(*) AS n FROM ${table} GROUP BY 1 ORDER BY 2 DESC`);
        for (const c of counts) classCounts[c.cls ?? EMPTY_LABEL] = c.n;
      }
      const columns = [...schema.kept, ...(!schema.kept.includes('Attack') && schema.kept.includes('Label') ? ['Attack'] : [])];
      const emptyValues = await emptyNumericValues(conn, table, schema.kept);
      const importSeconds = (performance.now() - started) / 1000;
      await conn.run(
        `INSERT INTO captures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)`,
        [id, name, path, sniffed.sizeBytes, sha256, schema.version, schema.labelled, rows, JSON.stringify(classCounts),
          JSON.stringify(columns), JSON.stringify(schema.ignored), order, importSeconds],
      );
      throwIfAborted(ctx.signal);
      await conn.run('COMMIT');
      return { capture: await project.capture(id), reused: false, ...(Object.keys(emptyValues).length ? { emptyValues } : {}) };
    } catch (err) {
      try {
        await conn.run('ROLLBACK');
      } catch {
        // already rolled back, or DuckDB aborted the transaction itself
      }
      throw err;
    } finally {
      clearInterval(poll);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  } finally {
    conn.closeSync();
    if (transcoded) await transcoded.cleanup();
    if (lfCopy) await lfCopy.cleanup();
  }
}
