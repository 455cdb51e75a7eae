/**
 * The `mindflow` CLI never loses data it was pointed at by mistake: a capture named as the
 * project, an output named over another project, a mistyped project path (which must not leave
 * an empty project behind), a run stopped by a signal (which must not leave its temporary
 * project behind); and the commands it suggests paste back into a shell as they are.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../main/cli/flags.ts';
import { tempDir } from './helpers.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/mindflow.js');
const tmp = tempDir('mindflow-cli-safety-');
const sample = join(tmp.dir, 'sample.csv');
const project = join(tmp.dir, 'p.duckdb');

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, MINDFLOW_HOME: join(tmp.dir, 'home'), ...extra };
  delete base.MINDFLOW_BACKEND;
  return base;
}

function mindflow(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: env(), timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A refusal: exit 1, one line on stderr, nothing on stdout. */
function refused(args: string[]): string {
  const r = mindflow(args);
  expect(r.code, `${args.join(' ')}: ${r.out}${r.err}`).toBe(1);
  expect(r.out).toBe('');
  expect(r.err.trim().split('\n')).toHaveLength(1);
  return r.err.trim();
}

beforeAll(() => {
  expect(mindflow(['sample', '--rows', '400', '--seed', '5', '--out', sample]).code).toBe(0);
  expect(mindflow(['import', sample, '--project', project]).code).toBe(0);
}, 60_000);
afterAll(() => tmp.cleanup());

describe('mindflow CLI: data safety', () => {
  it('refuses a --project that is a file but not a DuckDB database (a CSV, a Parquet file), and leaves the file as it was', () => {
    const csv = join(tmp.dir, 'victim.csv');
    copyFileSync(sample, csv);
    const parquet = join(tmp.dir, 'victim.parquet');
    expect(mindflow(['flows', '--project', project, '--capture', '1', '--out', parquet]).code).toBe(0);
    for (const file of [csv, parquet]) {
      const before = readFileSync(file);
      const message = `mindflow: ${file} is not a MindFlow project (not a DuckDB database file)`;
      expect(refused(['import', sample, '--project', file])).toBe(message);
      expect(refused(['captures', '--project', file])).toBe(message);
      expect(refused(['scan', sample, '--project', file])).toBe(message);
      expect(readFileSync(file).equals(before), file).toBe(true);
    }
  }, 120_000);

  it('never writes an output over a DuckDB database, whatever its name; an ordinary output is replaced on a rerun', () => {
    const other = join(tmp.dir, 'other.duckdb');
    copyFileSync(project, other);
    const disguised = join(tmp.dir, 'other-project.csv');
    copyFileSync(project, disguised);
    const before = readFileSync(other);
    expect(mindflow(['scan', sample, '--project', project, '--top', '1']).code).toBe(0);
    const windowId = String((JSON.parse(mindflow(['windows', '--project', project, '--limit', '1', '--json']).out) as { windows: { id: number }[] }).windows[0]!.id);
    expect(mindflow(['incident', 'create', '--project', project, '--windows', windowId, '--title', 'x']).code).toBe(0);
    const message = (target: string) => `mindflow: ${target} is a DuckDB database (a MindFlow project, or another program's): MindFlow never writes over one; give another file name`;
    expect(refused(['sample', '--rows', '5', '--out', other])).toBe(message(other));
    expect(refused(['flows', '--project', project, '--capture', '1', '--out', other, '--format', 'csv'])).toBe(message(other));
    expect(refused(['windows', '--project', project, '--out', other])).toBe(message(other));
    expect(refused(['audit', '--project', project, '--out', other])).toBe(message(other));
    expect(refused(['report', '--project', project, '--incident', '1', '--format', 'md', '--out', other])).toBe(message(other));
    // told by its first bytes, not its name
    expect(refused(['sample', '--rows', '5', '--out', disguised])).toBe(message(disguised));
    expect(refused(['flows', '--project', project, '--capture', '1', '--out', disguised])).toBe(message(disguised));
    for (const target of [other, disguised]) expect(readFileSync(target).equals(before), target).toBe(true);
    expect(refused(['sample', '--rows', '5', '--out', `${other}.wal`])).toBe(
      `mindflow: ${other}.wal is the write-ahead log of the DuckDB database ${other}: MindFlow never writes over one; give another file name`);
    expect(existsSync(`${other}.wal`)).toBe(false);
    // the other project still opens, with its capture
    expect(JSON.parse(mindflow(['captures', '--project', other, '--json']).out).captures).toHaveLength(1);
    // reruns replace ordinary outputs, as scripts expect
    const csv = join(tmp.dir, 'flows.csv');
    for (let i = 0; i < 2; i++) expect(mindflow(['flows', '--project', project, '--capture', '1', '--out', csv]).code).toBe(0);
    for (let i = 0; i < 2; i++) expect(mindflow(['sample', '--rows', '5', '--out', join(tmp.dir, 'five.csv')]).code).toBe(0);
  }, 120_000);

  it('refuses a missing project in every command that only works in one, creating no file and no folder', () => {
    const model = join(tmp.dir, 'model-out');
    const cases: ((p: string) => string[])[] = [
      (p) => ['captures', '--project', p],
      (p) => ['scans', '--project', p],
      (p) => ['scans', '--project', p, '--delete', '1'],
      (p) => ['windows', '--project', p],
      (p) => ['windows', '--project', p, '--out', join(tmp.dir, 'w.csv')],
      (p) => ['verdict', '--project', p, '--window', '1', '--set', 'tp'],
      (p) => ['verdict', '--project', p, '--carry-from', '1'],
      (p) => ['audit', '--project', p],
      (p) => ['host', '192.168.100.3', '--project', p],
      (p) => ['incident', 'list', '--project', p],
      (p) => ['report', '--project', p, '--incident', '1', '--format', 'md', '--out', join(tmp.dir, 'r.md')],
      (p) => ['flows', '--project', p, '--capture', '1', '--out', join(tmp.dir, 'f.csv')],
      (p) => ['train', '--project', p, '--capture', '1', '--out', model],
      (p) => ['compact', '--project', p],
    ];
    const missing = join(tmp.dir, 'nodir', 'x.duckdb');
    for (const args of cases) expect(refused(args(missing))).toBe(`mindflow: no project at ${missing}`);
    // a name with no folder to make either
    const typo = join(tmp.dir, 'typo2');
    expect(refused(['captures', '--project', typo])).toBe(`mindflow: no project at ${typo}`);
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(join(tmp.dir, 'nodir'))).toBe(false);
    for (const name of ['w.csv', 'r.md', 'f.csv', 'model-out']) expect(existsSync(join(tmp.dir, name)), name).toBe(false);
    // the commands that bring data in still make a project, and its folder
    const fresh = join(tmp.dir, 'new case', 'p.duckdb');
    expect(mindflow(['import', sample, '--project', fresh]).code).toBe(0);
    expect(JSON.parse(mindflow(['captures', '--project', fresh, '--json']).out).captures).toHaveLength(1);
  }, 180_000);

  it('SIGTERM and SIGINT during eval without --project cancel it, remove its temporary project and exit 143 and 130', async () => {
    const big = join(tmp.dir, 'big.csv');
    expect(mindflow(['sample', '--rows', '300000', '--seed', '3', '--out', big]).code).toBe(0);
    for (const [signal, status] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      const scratch = join(tmp.dir, `tmp-${signal}`);
      mkdirSync(scratch);
      const child = spawn(process.execPath, [bin, 'eval', big], { cwd: root, env: env({ TMPDIR: scratch }), stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, sig) => done({ code, signal: sig })));
      const work = () => readdirSync(scratch).filter((n) => n.startsWith('mindflow-cli-'));
      // wait until the temporary project is there (the import is starting)
      for (let i = 0; i < 400 && !work().some((d) => existsSync(join(scratch, d, 'work.duckdb'))); i++) await new Promise((r) => setTimeout(r, 25));
      expect(work()).toHaveLength(1);
      child.kill(signal);
      const ended = await closed;
      expect(ended, err).toEqual({ code: status, signal: null });
      expect(err.trim()).toMatch(/^mindflow: \w+ cancelled$/);
      expect(work()).toEqual([]);
    }
  }, 180_000);

  it('quotes the project path in the commands it suggests, so they paste into a shell as they are', () => {
    expect(shellQuote('/tmp/p-1.duckdb')).toBe('/tmp/p-1.duckdb');
    expect(shellQuote('/tmp/dir ü ß/proj 1.duckdb')).toBe(`'/tmp/dir ü ß/proj 1.duckdb'`);
    expect(shellQuote(`it's $HOME`)).toBe(`'it'\\''s $HOME'`);
    expect(shellQuote('')).toBe(`''`);

    const odd = join(tmp.dir, 'dir ü ß', `proj 1's $x.duckdb`);
    const first = mindflow(['scan', sample, '--project', odd]);
    expect(first.code).toBe(0);
    const windows = (JSON.parse(mindflow(['windows', '--project', odd, '--json']).out) as { scanId: number; windows: { id: number }[] });
    expect(mindflow(['verdict', '--project', odd, '--window', String(windows.windows[0]!.id), '--set', 'tp']).code).toBe(0);
    // the same model again: the same windows, one of them judged in the first scan
    const rescan = mindflow(['scan', sample, '--project', odd]);
    expect(rescan.code).toBe(0);
    const suggested = `mindflow verdict --project ${shellQuote(odd)} --carry-from ${windows.scanId}`;
    expect(rescan.out).toContain(`\n1 of these windows has the flows and class of windows judged in scan #${windows.scanId}; to carry their verdicts: ${suggested}\n`);
    // pasted into a shell, the suggestion works
    const shell = (line: string) => spawnSync('bash', ['-c', `mindflow() { "${process.execPath}" "${bin}" "$@"; }\n${line}`], { cwd: tmp.dir, encoding: 'utf8', env: env() });
    const pasted = shell(rescan.out.split('to carry their verdicts: ')[1]!.split('\n')[0]!);
    expect(pasted.stderr).toBe('');
    expect(pasted.stdout).toMatch(/^carried 1 verdict from scan #\d+ to scan #\d+ /);
    // so does the one after deleting a scan
    const deleted = mindflow(['scans', '--project', odd, '--delete', String(windows.scanId)]);
    expect(deleted.code).toBe(0);
    const compact = /"(mindflow compact --project .*)" gives the space back/.exec(deleted.out)![1]!;
    expect(compact).toBe(`mindflow compact --project ${shellQuote(odd)}`);
    const compacted = shell(compact);
    expect(compacted.stderr).toBe('');
    expect(compacted.stdout).toMatch(/^compacted /);
  }, 120_000);
});
