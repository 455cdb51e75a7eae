/**
 * The `mindflow` CLI as scripts run it: a real process (bin/mindflow.js), a real DuckDB project,
 * the built-in models on the WebAssembly backend. Its JSON output is a public interface, so these
 * tests pin the keys, and they check that the numbers add up.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V1_FIELDS, V2_EXTRA_FIELDS } from '../../main/core/capture/schema.ts';
import { tempDir } from './helpers.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = tempDir('mindflow-cli-');
const sample = join(tmp.dir, 'sample.csv');
const project = join(tmp.dir, 'p.duckdb');

function mindflow(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const base: NodeJS.ProcessEnv = { ...process.env, MINDFLOW_HOME: join(tmp.dir, 'home') };
  delete base.MINDFLOW_BACKEND;
  const r = spawnSync(process.execPath, [join(root, 'bin/mindflow.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...base, ...env }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function json<T = Record<string, unknown>>(args: string[]): T {
  const r = mindflow([...args, '--json']);
  expect(r.err.includes('mindflow:') ? r.err : '', 'no error on stderr').toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Runs SQL on the project between two CLI runs (none holds it then); the rows as arrays. */
async function sqlRows(sql: string): Promise<unknown[][]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(project);
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowsJS() as unknown[][];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
/** A flagged window's keys in scan --json and windows --json (startMs/endMs are null on captures without v3 times). */
const windowKeys = [
  'analyst', 'class', 'dstHosts', 'dstPorts', 'endMs', 'firstFlow', 'flows', 'hosts', 'id', 'key', 'lastFlow', 'mean', 'meanScore', 'peak',
  'reason', 'scanId', 'score', 'srcHosts', 'startMs', 'verdict', 'verdictAt', 'verdictBy', 'verdictReason',
];

beforeAll(() => {
  const r = mindflow(['sample', '--rows', '3000', '--seed', '5', '--out', sample]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^wrote 3,000 flows to /);
}, 60_000);
afterAll(() => tmp.cleanup());

describe('mindflow CLI', () => {
  it('prints its usage; a usage mistake exits 2 with one line and the usage, a failure exits 1 with one line', () => {
    const help = mindflow(['help']);
    expect(help.code).toBe(0);
    for (const cmd of ['import FILE', 'train --project P --capture ID --out DIR', 'eval FILE [--model DIR]', 'scan FILE [--model DIR]', 'backend [--json]']) expect(help.out).toContain(`mindflow ${cmd}`);
    // one command's usage: its forms and their continuation lines, nothing of the others
    for (const args of [['eval', '--help'], ['help', 'eval'], ['eval', 'x.csv', '-h']]) {
      const one = mindflow(args);
      expect(one.code, args.join(' ')).toBe(0);
      expect(one.out).toMatch(/^usage:\n {2}mindflow eval FILE \[--model DIR\]/);
      expect(one.out).not.toContain('mindflow scan');
    }
    const train = mindflow(['train', '--help']).out;
    expect(train).toContain('--patience N');
    expect(train.match(/^ {2}mindflow /gm)).toHaveLength(1);
    expect(mindflow(['scan', '--help']).out).not.toContain('mindflow scans');
    const unknown = mindflow(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err.split('\n')[0]).toBe('mindflow: unknown command "frobnicate"');
    expect(mindflow(['eval']).err.split('\n')[0]).toBe('mindflow: eval takes exactly one FILE');
    expect(mindflow(['train', '--project', project]).err.split('\n')[0]).toBe('mindflow: --capture ID is required (see "mindflow captures")');
    const missing = mindflow(['eval', join(tmp.dir, 'no-such.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toContain('no-such.csv');
  }, 60_000);

  it('stops quietly when its output is piped into a reader that stops early', async () => {
    const child = spawn(process.execPath, [join(root, 'bin/mindflow.js'), 'help'], { cwd: root, env: { ...process.env, MINDFLOW_HOME: join(tmp.dir, 'home') }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first line is written
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(err).toBe('');
    expect(code).toBe(0);
  }, 60_000);

  it('import --json reports the capture; the same file again is reused, not copied', () => {
    const first = json<{ reused: boolean; emptyValues: Record<string, number>; capture: { id: number; rows: number; schemaVersion: string; classCounts: Record<string, number> } }>(['import', sample, '--project', project]);
    expect(first.reused).toBe(false);
    expect(first.emptyValues).toEqual({});
    expect(first.capture).toMatchObject({ rows: 3000, schemaVersion: 'v1' });
    expect(sum(Object.values(first.capture.classCounts))).toBe(3000);
    const again = json<{ reused: boolean; capture: { id: number } }>(['import', sample, '--project', project]);
    expect(again).toMatchObject({ reused: true, capture: { id: first.capture.id } });
  }, 60_000);

  it('eval --json keeps its shape, and its numbers agree with each other', () => {
    const ev = json<{
      accuracy: number; macroF1: number; weightedF1: number; classes: string[]; confusion: number[][]; backend: string; flows: number; seconds: number;
      perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>; heldOutNote: string | null;
    }>(['eval', sample, '--project', project]);
    expect(Object.keys(ev).sort()).toEqual([
      'accuracy', 'backend', 'binary', 'classes', 'confusion', 'flows', 'heldOut', 'heldOutNote', 'macroF1', 'model', 'modelId', 'otherAttacks', 'perClass', 'seconds', 'trainedOnCapture', 'unknownLabels', 'weightedF1',
    ]);
    expect(ev.flows).toBe(3000);
    // the built-in model's held-out estimate beside its figures here: it was trained on sample A, not on this capture
    expect(ev).toMatchObject({ trainedOnCapture: false, heldOut: { flows: 22_863 } });
    expect(ev.heldOutNote === null || ev.heldOutNote.includes('This model was not trained on sample.csv.')).toBe(true);
    // which model answered: the built-in one for the capture's features, when none is given
    expect(ev).toMatchObject({ model: 'default-v1', modelId: 'default-v1' });
    expect(ev).toMatchObject({ unknownLabels: {}, otherAttacks: { flagged: 0, missed: 0 } });
    expect(ev.backend).toMatch(/^wasm/);
    expect(Object.keys(ev.perClass)).toEqual(ev.classes);
    for (const c of Object.values(ev.perClass)) expect(Object.keys(c)).toEqual(['precision', 'recall', 'f1', 'support']);
    // rows of the confusion matrix are the true classes: they sum to each class's support, and the diagonal is the accuracy
    expect(ev.confusion.map((row) => sum(row))).toEqual(ev.classes.map((c) => ev.perClass[c]!.support));
    expect(sum(ev.confusion.map((row) => sum(row)))).toBe(3000);
    expect(ev.accuracy).toBeCloseTo(sum(ev.confusion.map((row, i) => row[i]!)) / 3000, 10);
    const f1s = ev.classes.map((c) => ev.perClass[c]!.f1);
    expect(ev.macroF1).toBeCloseTo(sum(f1s) / f1s.length, 10);
    // the built-in v1 model knows this synthetic sample's shape of traffic
    expect(ev.accuracy).toBeGreaterThan(0.5);
    // the file was imported above: eval reused that capture
    expect(json<{ captures: unknown[] }>(['captures', '--project', project]).captures).toHaveLength(1);
  }, 60_000);

  it('scan --json counts every flow once and lists the top flagged windows by confidence', () => {
    const scan = json<{ predicted: Record<string, number>; flows: number; threshold: number; flaggedWindows: number; windows: { peak: number; flows: number; class: string }[]; metrics: { accuracy: number } | null }>(
      ['scan', sample, '--project', project, '--threshold', '0.7', '--top', '5'],
    );
    expect(Object.keys(scan).sort()).toEqual(['backend', 'captureId', 'flaggedWindows', 'flows', 'flowsPerSecond', 'metrics', 'model', 'predicted', 'scanId', 'seconds', 'threshold', 'windows']);
    expect(scan.flows).toBe(3000);
    expect(scan.threshold).toBe(0.7);
    expect(sum(Object.values(scan.predicted))).toBe(3000);
    expect(scan.windows.length).toBeLessThanOrEqual(5);
    expect(scan.flaggedWindows).toBeGreaterThanOrEqual(scan.windows.length);
    for (const w of scan.windows) expect(Object.keys(w).sort()).toEqual(windowKeys);
    for (let i = 1; i < scan.windows.length; i++) expect(scan.windows[i]!.peak).toBeLessThanOrEqual(scan.windows[i - 1]!.peak);
    for (const w of scan.windows) {
      expect(w.peak).toBeGreaterThanOrEqual(0.7);
      expect(w.class).not.toBe('Benign');
    }
    expect(scan.metrics?.accuracy).toBeGreaterThan(0.5);
  }, 60_000);

  it('eval and scan count, and name, the flows whose label is not one of the model\'s classes, instead of dropping them silently', () => {
    // another dataset's vocabulary (NF-ToN-IoT): "dos" is DoS spelt in lower case, "scanning" another name
    const rows = readFileSync(sample, 'utf8').trimEnd().split('\n');
    const renamed = { DoS: 'dos', Reconnaissance: 'scanning' } as Record<string, string>;
    const counted: Record<string, number> = {};
    const foreign = join(tmp.dir, 'foreign-labels.csv');
    writeFileSync(foreign, `${[rows[0], ...rows.slice(1).map((line) => {
      const cut = line.lastIndexOf(',');
      const label = line.slice(cut + 1);
      const to = renamed[label];
      if (!to) return line;
      counted[to] = (counted[to] ?? 0) + 1;
      return `${line.slice(0, cut + 1)}${to}`;
    })].join('\n')}\n`);
    const left = counted.scanning!;
    expect(left, 'the sample has Reconnaissance flows to rename').toBeGreaterThan(100);
    expect(counted.dos, 'the sample has DoS flows to rename').toBeGreaterThan(100);

    type Figures = { precision: number; recall: number; f1: number };
    type Eval = { flows: number; unknownLabels: Record<string, number>; otherAttacks: { flagged: number; missed: number }; confusion: number[][]; classes: string[]; perClass: Record<string, { support: number }>; binary: Figures };
    const ev = json<Eval>(['eval', foreign, '--project', project]);
    expect(ev.flows).toBe(3000);
    expect(ev.unknownLabels).toEqual({ scanning: left });
    expect(sum(ev.confusion.map((row) => sum(row)))).toBe(3000 - left);
    expect(ev.perClass.DoS!.support, '"dos" is counted as DoS').toBe(counted.dos);
    expect(ev.perClass.Reconnaissance!.support).toBe(0);
    // the scanning flows are attacks of a class the model lacks: benign vs attack counts them
    expect(ev.otherAttacks.flagged + ev.otherAttacks.missed).toBe(left);
    expect(ev.otherAttacks.flagged / left, 'they are sample flows of an attack class').toBeGreaterThan(0.9);
    const b = ev.classes.indexOf('Benign');
    const tp = sum(ev.confusion.map((row, t) => (t === b ? 0 : sum(row) - row[b]!))) + ev.otherAttacks.flagged;
    const fn = sum(ev.confusion.map((row, t) => (t === b ? 0 : row[b]!))) + ev.otherAttacks.missed;
    expect(ev.binary.recall).toBeCloseTo(tp / (tp + fn), 10);
    const human = mindflow(['eval', foreign, '--project', project]);
    expect(human.out).toContain(`left out of the per-class metrics: ${left.toLocaleString('en-US')} flows whose label is not one of the model's classes (scanning ${left.toLocaleString('en-US')})`);
    expect(human.out).toMatch(new RegExp(`weighted F1 [\\d.]+  \\(on ${(3000 - left).toLocaleString('en-US')} of 3,000 flows\\)\\nbinary \\(benign vs attack, 3,000 flows; classes the model lacks count as attacks\\)`));
    expect(human.out).toContain(`${ev.otherAttacks.flagged.toLocaleString('en-US')} of ${left.toLocaleString('en-US')} flows of attack classes the model lacks flagged as attacks (`);

    const scan = json<{ metrics: { unknownLabels: Record<string, number>; otherAttacks: { flagged: number; missed: number }; binary: Figures } }>(['scan', foreign, '--project', project]);
    expect(scan.metrics.unknownLabels).toEqual({ scanning: left });
    expect(scan.metrics.otherAttacks).toEqual(ev.otherAttacks);
    expect(scan.metrics.binary).toEqual(ev.binary);
    const humanScan = mindflow(['scan', foreign, '--project', project]).out;
    expect(humanScan).toMatch(/^against the capture's labels: accuracy [\d.]+, macro F1 [\d.]+, weighted F1 [\d.]+\nleft out of the per-class metrics: .*\n[\d,]+ of [\d,]+ flows of attack classes the model lacks flagged as attacks/m);
    expect(humanScan).not.toContain('no metrics');

    // nothing to compare against: eval refuses, scan still scores and says why there are no metrics
    const none = join(tmp.dir, 'only-foreign-labels.csv');
    writeFileSync(none, `${[rows[0], ...rows.slice(1).map((line) => `${line.slice(0, line.lastIndexOf(',') + 1)}ransomware`)].join('\n')}\n`);
    const refused = mindflow(['eval', none, '--project', project]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^mindflow: none of capture #\d+'s classes \(ransomware\) are among the model's \(Benign, .*\); [\d,]+ of 3,000 flows of attack classes the model lacks flagged as attacks \([\d.]+ %\)$/m);
    const scanned = mindflow(['scan', none, '--project', project]);
    expect(scanned.code).toBe(0);
    expect(scanned.out).toContain("no metrics: none of the capture's labels (ransomware) is a class of the model (");

    // Benign and attacks of classes the model lacks: the per-class figures are Benign's alone, and say so
    const benignAndForeign = join(tmp.dir, 'benign-and-foreign.csv');
    writeFileSync(benignAndForeign, `${[rows[0], ...rows.slice(1).map((line) => (line.endsWith(',Benign') ? line : `${line.slice(0, line.lastIndexOf(',') + 1)}ransomware`))].join('\n')}\n`);
    const benignOnly = mindflow(['eval', benignAndForeign, '--project', project]);
    expect(benignOnly.code).toBe(0);
    expect(benignOnly.out).toMatch(/\(on [\d,]+ of 3,000 flows\)\nonly Benign among the model's classes has flows here: the per-class figures are that class's alone; benign vs attack is the measure\nbinary /);
    expect(human.out).not.toContain('the per-class figures are that class');
  }, 120_000);

  it('train writes a package that eval then loads; a package for another feature set or with a corrupt manifest is refused', async () => {
    const out = join(tmp.dir, 'model');
    const trained = json<{ model: { id: number; backend: string }; dir: string }>(['train', '--project', project, '--capture', '1', '--out', out, '--epochs', '1', '--name', 'cli test']);
    expect(trained.dir).toBe(out);
    for (const f of ['manifest.json', 'model.json', 'weights.bin']) expect(existsSync(join(out, f)), f).toBe(true);
    // the package records the app that made it (it was empty outside npm scripts)
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).appVersion).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    const ev = json<{ flows: number; accuracy: number; trainedOnCapture: boolean }>(['eval', sample, '--project', project, '--model', out]);
    expect(ev.flows).toBe(3000);
    // the capture's flows hash to the package's training data hash
    expect(ev.trainedOnCapture).toBe(true);
    // the project keeps that hash: a later evaluation reads it instead of the capture (a wrong
    // hash kept there shows it was read), and hashes again when it is gone
    const dataHash = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { training: { dataHash: string } }).training.dataHash;
    expect(await sqlRows(`SELECT capture_id, hash FROM capture_data_hashes`)).toEqual([[1, dataHash]]);
    await sqlRows(`UPDATE capture_data_hashes SET hash = 'not this one'`);
    expect(json<{ trainedOnCapture: boolean }>(['eval', sample, '--project', project, '--model', out]).trainedOnCapture).toBe(false);
    await sqlRows(`DELETE FROM capture_data_hashes`);
    expect(json<{ trainedOnCapture: boolean }>(['eval', sample, '--project', project, '--model', out]).trainedOnCapture).toBe(true);
    expect(await sqlRows(`SELECT capture_id, hash FROM capture_data_hashes`)).toEqual([[1, dataHash]]);

    // a package whose held-out estimate is far above what it does on its own training capture:
    // eval prints the Model view's note, and --json carries it
    const optimistic = join(tmp.dir, 'optimistic');
    cpSync(out, optimistic, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(optimistic, 'manifest.json'), 'utf8')) as { name: string; metrics: { macroF1: number; weightedF1: number; perClass: { f1: number }[] } };
    manifest.name = 'optimistic';
    manifest.metrics = { ...manifest.metrics, macroF1: 0.99, weightedF1: 0.99, perClass: manifest.metrics.perClass.map((c) => ({ ...c, precision: 1, recall: 1, f1: 1 })) };
    writeFileSync(join(optimistic, 'manifest.json'), JSON.stringify(manifest));
    // (in a project of its own: this one holds the same weights already, under the first manifest)
    const gap = json<{ trainedOnCapture: boolean; heldOut: { macroF1: number; weightedF1: number }; heldOutNote: string | null }>(['eval', sample, '--model', optimistic]);
    expect(gap).toMatchObject({ trainedOnCapture: true, heldOut: { macroF1: 0.99, weightedF1: 0.99 } });
    expect(gap.heldOutNote).toMatch(/^On sample\.csv the model scores macro F1 [\d.]+, [\d.]+ below its held-out estimate of 0\.990 \(weighted F1 [\d.]+ against 0\.990\)\. This model was trained on the flows of sample\.csv\. The loss is mostly in /);
    expect(gap.heldOutNote).toContain("The held-out split keeps a flood's repeated rows in training, so the estimate never tested them");
    expect(mindflow(['eval', sample, '--model', optimistic]).out).toContain(`\nnote: ${gap.heldOutNote}\n`);
    // the package's model.json names its folder; an empty --model is a mistake, not the built-in model
    expect(json<{ accuracy: number }>(['eval', sample, '--project', project, '--model', join(out, 'model.json')]).accuracy).toBe(ev.accuracy);
    const empty = mindflow(['eval', sample, '--project', project, '--model', '']);
    expect(empty.code).toBe(2);
    expect(empty.err.split('\n')[0]).toBe('mindflow: --model needs a model package folder (leave it out for the built-in model)');

    const v2 = mindflow(['eval', sample, '--project', project, '--model', join(root, 'resources/models/default')]);
    expect(v2.code).toBe(1);
    expect(v2.err).toMatch(/^mindflow: model "default" uses feature set v2, but capture #1 \(sample\.csv, v1\) lacks \d+ of its columns \(CLIENT_TCP_FLAGS, /);

    const corrupt = join(tmp.dir, 'corrupt');
    cpSync(out, corrupt, { recursive: true });
    writeFileSync(join(corrupt, 'manifest.json'), readFileSync(join(out, 'manifest.json'), 'utf8').slice(0, 100));
    const bad = mindflow(['eval', sample, '--project', project, '--model', corrupt]);
    expect(bad.code).toBe(1);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toContain(`model package ${corrupt}`);
  }, 180_000);

  it('train takes the v2 features when the capture has their columns, v1 when asked', () => {
    const header = [...V1_FIELDS, ...V2_EXTRA_FIELDS, 'Label', 'Attack'];
    // 300 flows of two classes told apart by bytes and TTL (v2-only), so a run of one epoch has two classes to split
    const rows = Array.from({ length: 300 }, (_, i) => {
      const attack = i % 3 !== 0;
      return header.map((h) => {
        if (h === 'IPV4_SRC_ADDR') return attack ? '192.168.100.147' : '192.168.100.3';
        if (h === 'IPV4_DST_ADDR') return '192.168.100.5';
        if (h === 'Label') return attack ? 1 : 0;
        if (h === 'Attack') return attack ? 'DoS' : 'Benign';
        if (h === 'PROTOCOL') return 6;
        if (h === 'IN_BYTES') return attack ? 280 + (i % 7) : 1200 + i;
        if (h === 'MIN_TTL' || h === 'MAX_TTL') return attack ? 64 : 128;
        return i % 5;
      }).join(',');
    });
    const file = join(tmp.dir, 'v2-small.csv');
    writeFileSync(file, `${header.join(',')}\n${rows.join('\n')}\n`);
    const v2project = join(tmp.dir, 'v2.duckdb');
    expect(mindflow(['import', file, '--project', v2project]).code).toBe(0);
    const setOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { featureSet: { name: string; columns: string[] } }).featureSet;
    const auto = join(tmp.dir, 'model-v2-auto');
    expect(mindflow(['train', '--project', v2project, '--capture', '1', '--out', auto, '--epochs', '1']).code).toBe(0);
    expect(setOf(auto).name).toBe('v2');
    expect(setOf(auto).columns).toContain('MIN_TTL');
    const v1 = join(tmp.dir, 'model-v2-as-v1');
    expect(mindflow(['train', '--project', v2project, '--capture', '1', '--out', v1, '--epochs', '1', '--features', 'v1']).code).toBe(0);
    expect(setOf(v1).name).toBe('v1');
  }, 120_000);

  it('train --identifiers adds hosts and ports to the features, and the package says so', () => {
    const out = join(tmp.dir, 'model-ids');
    const trained = json<{ model: { featureColumns: string[]; identifiers: boolean; features: string[] } }>(['train', '--project', project, '--capture', '1', '--out', out, '--epochs', '1', '--identifiers', '--name', 'with hosts']);
    expect(trained.model.identifiers).toBe(true);
    expect(trained.model.featureColumns.slice(-4)).toEqual(['IPV4_SRC_ADDR', 'IPV4_DST_ADDR', 'L4_SRC_PORT', 'L4_DST_PORT']);
    expect(trained.model.features).toContain('IPV4_SRC_ADDR.octet4');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { featureSet: { identifiers: boolean } };
    expect(manifest.featureSet.identifiers).toBe(true);
    const evaluated = json<{ flows: number; accuracy: number; macroF1: number }>(['eval', sample, '--project', project, '--model', out]);
    expect(evaluated.flows).toBe(3000);
    // the scan streams and encodes the addresses in its workers, eval reads them in one pass: same answers
    const scanned = json<{ flows: number; metrics: { accuracy: number; macroF1: number } }>(['scan', sample, '--project', project, '--model', out]);
    expect(scanned.flows).toBe(3000);
    expect(scanned.metrics.accuracy).toBe(evaluated.accuracy);
    expect(scanned.metrics.macroF1).toBeCloseTo(evaluated.macroF1, 12);
  }, 120_000);

  it('the triage commands: windows, verdict, incident, report', () => {
    const listed = json<{ scanId: number; total: number; windows: { id: number; score: number; peak: number; meanScore: number; mean: number; hosts: string[] }[] }>(['windows', '--project', project, '--limit', '2']);
    expect(listed.windows).toHaveLength(2);
    // one window shape for windows --json and scan --json, with the old names beside the window's own
    for (const w of listed.windows) {
      expect(Object.keys(w).sort()).toEqual(windowKeys);
      expect([w.score, w.meanScore]).toEqual([w.peak, w.mean]);
      expect(w.hosts.length).toBeGreaterThan(0);
    }
    const [a, b] = listed.windows.map((w) => w.id);
    const verdict = mindflow(['verdict', '--project', project, '--window', String(a), '--set', 'tp', '--reason', 'syn scan']);
    expect(verdict.code).toBe(0);
    expect(verdict.out.trim()).toBe(`window #${a} of scan #${listed.scanId}: tp (syn scan)`);
    // the same verdict again is no change (no audit entry); another reason is one, said as such
    const audited = json<{ total: number }>(['audit', '--project', project, '--limit', '1']).total;
    expect(mindflow(['verdict', '--project', project, '--window', String(a), '--set', 'tp', '--reason', 'syn scan']).out.trim()).toBe(
      `window #${a} of scan #${listed.scanId}: already tp with that reason (syn scan); nothing changed`);
    expect(json<{ total: number }>(['audit', '--project', project, '--limit', '1']).total).toBe(audited);
    expect(json(['verdict', '--project', project, '--window', String(a), '--set', 'tp', '--reason', 'syn scan of .3'])).toEqual(
      { scanId: listed.scanId, windowId: a, updated: 1, reasonChanged: 1, unchanged: 0, verdict: 'tp', reason: 'syn scan of .3' });
    expect(mindflow(['verdict', '--project', project, '--window', String(a), '--set', 'tp', '--reason', 'syn scan']).out.trim()).toBe(
      `window #${a} of scan #${listed.scanId}: tp, reason changed (syn scan)`);
    expect(json<{ total: number }>(['audit', '--project', project, '--limit', '1']).total).toBe(audited + 2);
    // the trail's text says a reason change as such, not 'tp -> tp'
    const trail = mindflow(['audit', '--project', project, '--limit', '2']).out;
    expect(trail).toContain(`window #${a} (`);
    expect(trail).toMatch(/: tp, reason changed \(syn scan\)\n/);
    expect(trail).toMatch(/: tp, reason changed \(syn scan of \.3\)\n/);
    expect(trail).not.toContain('tp -> tp');
    expect(json<{ statusCounts: { tp: number } }>(['windows', '--project', project, '--status', 'tp']).statusCounts.tp).toBe(1);
    const created = json<{ id: number; incident: { windowIds: number[]; title: string } }>(['incident', 'create', '--project', project, '--windows', `${a},${b}`, '--title', 'Scan of .149']);
    expect(created.incident).toMatchObject({ title: 'Scan of .149', windowIds: [a, b] });
    const file = join(tmp.dir, 'report.json');
    const report = json<{ incidentId: number; format: string; path: string; bytes: number }>(['report', '--project', project, '--incident', String(created.id), '--format', 'json', '--out', file]);
    expect(report).toMatchObject({ incidentId: created.id, format: 'json', path: file });
    expect(readFileSync(file).length).toBe(report.bytes);
    expect(JSON.stringify(JSON.parse(readFileSync(file, 'utf8')))).toContain('Scan of .149');
  }, 60_000);

  it('audit prints the trail newest first, and --json pins its keys', () => {
    // a window the other stories leave alone (they mark the first two)
    const listed = json<{ scanId: number; windows: { id: number; class: string }[] }>(['windows', '--project', project, '--limit', '3']);
    const w = listed.windows[2]!;
    expect(mindflow(['verdict', '--project', project, '--window', String(w.id), '--set', 'review', '--reason', 'second look']).code).toBe(0);
    const trail = json<{ total: number; entries: Record<string, unknown>[] }>(['audit', '--project', project, '--scan', String(listed.scanId), '--window', String(w.id)]);
    expect(trail.total).toBeGreaterThanOrEqual(1);
    expect(Object.keys(trail.entries[0]!).sort()).toEqual(
      ['action', 'analyst', 'at', 'batch', 'captureId', 'captureName', 'id', 'previous', 'reason', 'scanId', 'undone', 'value', 'windowClass', 'windowId'],
    );
    expect(trail.entries[0]).toMatchObject({ action: 'verdict', value: 'review', reason: 'second look', windowId: w.id, windowClass: w.class });
    const text = mindflow(['audit', '--project', project, '--limit', '1']);
    expect(text.code).toBe(0);
    const [head, line] = text.out.trim().split('\n');
    expect(head).toMatch(/^\d+ audit entr(y|ies)(, the newest 1)?$/);
    expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  \\S+  verdict   scan #${listed.scanId} window #${w.id} \\(${w.class}, sample\\.csv\\): (untriaged|tp|fp|review) -> review \\(second look\\)$`));
    const bad = mindflow(['audit', '--project', project, '--window', '3']);
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')[0]).toBe('mindflow: --window needs --scan (window ids are per scan)');
    // the whole trail to a file, oldest first
    const file = join(tmp.dir, 'audit.csv');
    const all = json<{ total: number }>(['audit', '--project', project]);
    const written = json<Record<string, unknown>>(['audit', '--project', project, '--out', file]);
    expect(Object.keys(written).sort()).toEqual(['bytes', 'entries', 'format', 'path', 'scanId', 'url']);
    expect(written).toMatchObject({ scanId: null, format: 'csv', entries: all.total, path: file, url: null });
    const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
    expect(header).toBe('id,batch,at,analyst,action,scan_id,window_id,window_class,capture_id,capture_name,previous,value,reason,undone');
    expect(lines).toHaveLength(all.total);
    expect(lines.at(-1)).toContain('second look');
    expect(mindflow(['audit', '--project', project, '--out', file, '--window', '3', '--scan', '1']).code).toBe(2);
  }, 60_000);

  it('windows --out writes every matching window to a file, with the keys scripts read', () => {
    const listed = json<{ total: number; statusCounts: { tp: number } }>(['windows', '--project', project, '--status', 'tp']);
    const file = join(tmp.dir, 'tp-windows.csv');
    const written = json<Record<string, unknown>>(['windows', '--project', project, '--status', 'tp', '--out', file]);
    expect(Object.keys(written).sort()).toEqual(['bytes', 'format', 'path', 'rows', 'scanId', 'url']);
    expect(written).toMatchObject({ format: 'csv', rows: listed.total, path: file });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]!.startsWith('window,class,score,mean_score,flows,')).toBe(true);
    expect(lines).toHaveLength(listed.total + 1);
    const bad = mindflow(['windows', '--project', project, '--format', 'parquet']);
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')[0]).toBe('mindflow: --format goes with --out FILE');
  }, 60_000);

  it('flows writes what an Explore filter matches, with the scan\'s columns, as CSV or Parquet', () => {
    const captureId = json<{ captures: { id: number; fileName: string }[] }>(['captures', '--project', project]).captures.find((c) => c.fileName === 'sample.csv')!.id;
    const tp = json<{ scanId: number; windows: { flows: number }[] }>(['windows', '--project', project, '--status', 'tp']);
    // the window marked true positive above, through the scan's verdict column
    const out = join(tmp.dir, 'tp-flows.csv');
    const written = json<Record<string, unknown>>(['flows', '--project', project, '--capture', String(captureId), '--scan', 'latest', '--where', 'verdict = tp', '--sort', 'flow_id:desc', '--out', out]);
    expect(Object.keys(written).sort()).toEqual(['bytes', 'captureId', 'columns', 'format', 'path', 'rows', 'scanId', 'url']);
    expect(written).toMatchObject({ captureId, format: 'csv', scanId: tp.scanId, rows: tp.windows[0]!.flows, path: out, url: null });
    const [header, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header!.split(',').slice(-4)).toEqual(['predicted', 'confidence', 'attack_score', 'verdict']);
    expect(lines.map((l) => Number(l.split(',')[0]))).toEqual(lines.map((l) => Number(l.split(',')[0])).sort((x, y) => y - x));
    // several clauses, the format from the extension, and the human line
    const parquet = join(tmp.dir, 'dos.parquet');
    const human = mindflow(['flows', '--project', project, '--capture', String(captureId), '--where', 'Attack = DoS', '--where', 'IN_BYTES >= 0', '--out', parquet]);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(new RegExp(`^wrote [\\d,]+ flows of capture #${captureId} as PARQUET to `));
    expect(readFileSync(parquet).subarray(0, 4).toString()).toBe('PAR1');
    // a clause it cannot read is a usage error naming the clause
    const bad = mindflow(['flows', '--project', project, '--capture', String(captureId), '--where', 'hots = 1', '--out', join(tmp.dir, 'x.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')[0]).toBe('mindflow: --where "hots = 1": Unknown field "hots". Try host, port or a column name.');
    expect(existsSync(join(tmp.dir, 'x.csv'))).toBe(false);
  }, 60_000);

  it('host lists the captures an address appears in, with the keys scripts read', () => {
    const found = json<{ host: string; searched: number; ms: number; captures: Record<string, unknown>[] }>(['host', '192.168.100.3', '--project', project]);
    expect(Object.keys(found).sort()).toEqual(['captures', 'host', 'incidents', 'ms', 'searched']);
    // the triage commands made an incident of two windows against .3
    const incidents = (found as unknown as { incidents: Record<string, unknown>[] }).incidents;
    const incident = incidents.find((i) => i.title === 'Scan of .149')!;
    expect(Object.keys(incident)).toEqual(['id', 'title', 'status', 'severity', 'tlp', 'scanId', 'captureId', 'role', 'windows']);
    expect(incident).toMatchObject({ status: 'open', captureId: 1, role: 'destination' });
    expect(incident.windows).toBeGreaterThanOrEqual(1);
    expect(found.captures.length).toBeGreaterThan(0);
    expect(found.captures.length).toBeLessThanOrEqual(found.searched);
    const c = found.captures.find((x) => x.fileName === 'sample.csv')!;
    expect(Object.keys(c).sort()).toEqual(['captureFlows', 'captureId', 'classes', 'endMs', 'fileName', 'firstFlow', 'flows', 'lastFlow', 'peers', 'received', 'scan', 'sent', 'startMs', 'topPeers', 'topPorts']);
    expect((c.sent as number) + (c.received as number)).toBeGreaterThanOrEqual(c.flows as number);
    expect(Object.values(c.classes as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(c.flows);
    const human = mindflow(['host', '192.168.100.3', '--project', project]);
    expect(human.out.split('\n')[0]).toMatch(new RegExp(`^192\\.168\\.100\\.3: in ${found.captures.length} of ${found.searched} captures `));
    expect(human.out).toContain(`incident #${incident.id} "Scan of .149" (open, medium, scan #${incident.scanId}): destination in ${incident.windows} window`);
    const bad = mindflow(['host', 'not-an-ip', '--project', project]);
    expect(bad.code).toBe(1);
    expect(bad.err.trim()).toBe('mindflow: "not-an-ip" is not an IP address (e.g. 192.168.100.3)');
  }, 60_000);

  it('verdict --carry-from gives a rescan the verdicts of windows with the same flows and class; verdict --all judges what a filter matches', () => {
    const judged = json<{ scanId: number; statusCounts: { tp: number; fp: number; review: number } }>(['windows', '--project', project]);
    const { tp, fp, review } = judged.statusCounts;
    expect(tp + review).toBeGreaterThan(0);
    // the same model again (the package of the scan judged above): the same windows, untriaged
    const rescan = mindflow(['scan', sample, '--project', project, '--model', join(tmp.dir, 'model-ids')]);
    expect(rescan.code).toBe(0);
    const next = json<{ scanId: number; statusCounts: { untriaged: number; tp: number } }>(['windows', '--project', project]);
    expect(next.scanId).toBeGreaterThan(judged.scanId);
    expect(next.statusCounts.tp).toBe(0);
    expect(rescan.out).toContain(`${tp + fp + review} of these windows have the flows and class of windows judged in scan #${judged.scanId}; to carry their verdicts: mindflow verdict --project ${project} --carry-from ${judged.scanId}`);
    // the two scans side by side, with the keys scripts read; the same model scores the same
    const { scans } = json<{ scans: Record<string, unknown>[] }>(['scans', '--project', project, '--capture', '1']);
    expect(scans.map((x) => x.id)).toEqual(expect.arrayContaining([judged.scanId, next.scanId]));
    expect(scans[0]!.id).toBe(next.scanId);
    expect(Object.keys(scans[0]!).sort()).toEqual(
      ['backend', 'captureId', 'captureName', 'createdAt', 'flaggedWindows', 'flows', 'id', 'metrics', 'model', 'modelId', 'predicted', 'seconds', 'threshold', 'windowsPerSecond']);
    const [newer, older] = [scans.find((x) => x.id === next.scanId)!, scans.find((x) => x.id === judged.scanId)!];
    expect(Object.keys(newer.metrics as object).sort()).toEqual(['accuracy', 'binary', 'macroF1', 'otherAttacks', 'perClass', 'unknownLabels', 'weightedF1']);
    expect(newer.metrics).toEqual(older.metrics);
    expect(newer.flaggedWindows).toBe(older.flaggedWindows);
    expect(mindflow(['scans', '--project', project, '--capture', '1']).out.split('\n')[0]).toMatch(new RegExp(`^#${next.scanId}  capture #1 sample\\.csv  "with hosts"  threshold 0\\.5  \\S+  [\\d,]+ flagged windows  accuracy \\d\\.\\d{4}  macro F1 `));
    expect(mindflow(['scans', '--project', project, '--capture', '99']).err.trim()).toBe('mindflow: no capture #99 in this project (see "mindflow captures")');
    // the same model found the same windows: none is new against the first scan
    expect(json<{ total: number }>(['windows', '--project', project, '--not-in', String(judged.scanId)]).total).toBe(0);
    const carried = json<Record<string, unknown>>(['verdict', '--project', project, '--carry-from', String(judged.scanId)]);
    expect(Object.keys(carried)).toEqual(['fromScanId', 'toScanId', 'carried', 'windowIds']);
    expect(carried).toMatchObject({ fromScanId: judged.scanId, toScanId: next.scanId, carried: tp + fp + review });
    expect(json<{ statusCounts: { tp: number; fp: number; review: number } }>(['windows', '--project', project]).statusCounts).toMatchObject({ tp, fp, review });
    // nothing left: a second carry says so
    expect(mindflow(['verdict', '--project', project, '--carry-from', String(judged.scanId)]).out.trim()).toBe(
      `no untriaged window of scan #${next.scanId} has the flows and class of a judged window of scan #${judged.scanId}`);
    const mixed = mindflow(['verdict', '--project', project, '--carry-from', String(judged.scanId), '--set', 'tp']);
    expect(mixed.code).toBe(2);
    expect(mixed.err.split('\n')[0]).toBe('mindflow: --carry-from takes no --window, --all, --set or --reason: each window gets the verdict and reason of its match');
    const self = mindflow(['verdict', '--project', project, '--carry-from', String(next.scanId)]);
    expect(self.code).toBe(1);
    expect(self.err.trim()).toBe(`mindflow: scan #${next.scanId} cannot carry verdicts from itself`);

    // every window a filter matches at once: one host's untriaged windows
    const host = json<{ windows: { srcHosts: string[]; dstHosts: string[]; verdict: string | null }[] }>(['windows', '--project', project, '--host', '192.168.100.3', '--status', 'untriaged']).windows;
    expect(host.length).toBeGreaterThan(0);
    for (const w of host) expect([...w.srcHosts, ...w.dstHosts]).toContain('192.168.100.3');
    const all = json<Record<string, unknown>>(['verdict', '--project', project, '--all', '--host', '192.168.100.3', '--status', 'untriaged', '--set', 'fp', '--reason', 'lab traffic']);
    expect(Object.keys(all)).toEqual(['scanId', 'updated', 'reasonChanged', 'unchanged', 'verdict', 'reason']);
    expect(all).toEqual({ scanId: next.scanId, updated: host.length, reasonChanged: 0, unchanged: 0, verdict: 'fp', reason: 'lab traffic' });
    // again, over the host's false positives: those judged so with this reason are left as they were, the others get the reason
    const fps = json<{ windows: { verdictReason: string | null }[] }>(['windows', '--project', project, '--host', '192.168.100.3', '--status', 'fp']).windows;
    const same = fps.filter((w) => w.verdictReason === 'lab traffic').length;
    expect(same).toBe(host.length);
    const again = ['verdict', '--project', project, '--all', '--host', '192.168.100.3', '--status', 'fp', '--set', 'fp', '--reason', 'lab traffic'];
    expect(json(again)).toEqual({ scanId: next.scanId, updated: fps.length - same, reasonChanged: fps.length - same, unchanged: same, verdict: 'fp', reason: 'lab traffic' });
    const audited = json<{ total: number }>(['audit', '--project', project, '--limit', '1']).total;
    expect(mindflow(again).out.trim()).toMatch(new RegExp(`^0 windows of scan #${next.scanId} changed: fp \\(lab traffic\\); [\\d,]+ already fp with that reason, left as they were$`));
    expect(json<{ total: number }>(['audit', '--project', project, '--limit', '1']).total).toBe(audited);
    expect(json<{ total: number }>(['windows', '--project', project, '--host', '192.168.100.3', '--status', 'untriaged']).total).toBe(0);
    expect(mindflow(['verdict', '--project', project, '--status', 'tp', '--set', 'fp']).err.split('\n')[0]).toBe('mindflow: --status, --class, --host and --not-in choose windows with --all');
    expect(mindflow(['verdict', '--project', project, '--all', '--window', '1', '--set', 'fp']).err.split('\n')[0]).toBe('mindflow: --window and --all do not go together: one window, or every one the filters match');
  }, 120_000);

  it('incident move takes an incident to a rescan, after which scans --delete can delete the old scan', () => {
    const scans = json<{ scans: { id: number }[] }>(['scans', '--project', project, '--capture', '1']).scans.map((s) => s.id);
    const [newest, older] = [scans[0]!, scans[1]!];
    const incident = json<{ incidents: { id: number; scanId: number; windowIds: number[]; title: string }[] }>(['incident', 'list', '--project', project, '--json'])
      .incidents.find((i) => i.title === 'Scan of .149')!;
    expect(incident.scanId).toBe(older);
    const refused = mindflow(['scans', '--project', project, '--delete', String(older)]);
    expect(refused.code).toBe(1);
    expect(refused.err.trim()).toBe(
      `mindflow: scan #${older} holds incident #${incident.id} "Scan of .149": move it to another scan of the capture (the incident's "Move to another scan") or delete it first; the scan was not deleted`);
    expect(mindflow(['incident', 'move', '--project', project, '--incident', String(incident.id)]).err.split('\n')[0]).toBe('mindflow: --to-scan S is required (see "mindflow scans")');
    // the same model scanned twice: the same windows, so the incident moves whole
    const moved = json<Record<string, unknown> & { incident: { scanId: number; windowIds: number[]; notes: { text: string }[] } }>(
      ['incident', 'move', '--project', project, '--incident', String(incident.id), '--to-scan', String(newest)]);
    expect(Object.keys(moved)).toEqual(['incident', 'fromScanId', 'toScanId', 'windows', 'carried']);
    expect(moved).toMatchObject({ fromScanId: older, toScanId: newest, windows: incident.windowIds.length });
    expect(moved.incident.scanId).toBe(newest);
    expect(mindflow(['incident', 'list', '--project', project]).out).toMatch(new RegExp(`^#${incident.id}  open      medium   TLP:AMBER        scan #${newest} +${incident.windowIds.length} windows  Scan of \\.149$`, 'm'));
    expect(moved.incident.notes.at(-1)!.text).toMatch(new RegExp(`^Moved from scan #${older} \\(.*\\) to scan #${newest} `));
    const deleted = json<Record<string, unknown>>(['scans', '--project', project, '--delete', String(older)]);
    expect(Object.keys(deleted)).toEqual(['scanId', 'captureId', 'windows', 'verdicts', 'notes']);
    expect(deleted).toMatchObject({ scanId: older, captureId: 1 });
    expect(json<{ scans: { id: number }[] }>(['scans', '--project', project, '--capture', '1']).scans.map((s) => s.id)).not.toContain(older);
    // the trail says who deleted it and what went
    expect(mindflow(['audit', '--project', project, '--limit', '1']).out).toMatch(new RegExp(`\\n\\S+ \\S+  \\S+  deleted   scan #${older} of capture #1 sample\\.csv \\(with hosts, threshold 0\\.5\\): [\\d,]+ flagged windows, [\\d,]+ verdicts?, \\d+ notes?\\n`));
    expect(mindflow(['scans', '--project', project, '--delete', String(older)]).err.trim()).toBe(`mindflow: no scan #${older} in this project`);
  }, 60_000);

  it('incident related lists the other incidents sharing a host, the roles on both sides, and --json pins its keys', () => {
    const first = json<{ incidents: { id: number; scanId: number; windowIds: number[]; title: string }[] }>(['incident', 'list', '--project', project, '--json'])
      .incidents.find((i) => i.title === 'Scan of .149')!;
    const windows = json<{ windows: { id: number; srcHosts: string[]; dstHosts: string[] }[] }>(['windows', '--project', project, '--scan', String(first.scanId), '--limit', '200']).windows;
    const hostsOf = (ids: number[]) => new Set(windows.filter((w) => ids.includes(w.id)).flatMap((w) => [...w.srcHosts, ...w.dstHosts]));
    const mine = hostsOf(first.windowIds);
    const other = windows.find((w) => !first.windowIds.includes(w.id) && [...w.srcHosts, ...w.dstHosts].some((h) => mine.has(h)))!;
    expect(other).toBeDefined();
    const created = json<{ id: number }>(['incident', 'create', '--project', project, '--scan', String(first.scanId), '--windows', String(other.id), '--title', 'Same hosts']);
    const answer = json<Record<string, unknown> & { related: { id: number; title: string; scanId: number; captureName: string; shared: { host: string; here: string; there: string }[]; sharedCount: number }[] }>(
      ['incident', 'related', '--project', project, '--incident', String(first.id)]);
    expect(Object.keys(answer)).toEqual(['incidentId', 'related']);
    const found = answer.related.find((r) => r.id === created.id)!;
    expect(Object.keys(found)).toEqual(['id', 'title', 'status', 'severity', 'tlp', 'scanId', 'captureId', 'captureName', 'updatedAt', 'shared', 'sharedCount', 'sharedSources']);
    expect(found).toMatchObject({ title: 'Same hosts', scanId: first.scanId, captureName: 'sample.csv' });
    const theirs = hostsOf([other.id]);
    expect(found.shared.map((h) => h.host).sort()).toEqual([...mine].filter((h) => theirs.has(h)).sort());
    expect(mindflow(['incident', 'related', '--project', project, '--incident', String(first.id)]).out).toMatch(
      new RegExp(`^#${created.id}  open      medium   scan #${first.scanId} +sample\\.csv  Same hosts\n    shares ${found.sharedCount} hosts?: \\d`, 'm'));
    expect(mindflow(['incident', 'related', '--project', project]).err.split('\n')[0]).toBe('mindflow: --incident ID is required (see "mindflow incident list")');
  }, 60_000);

  it('compact rewrites the project in place with the keys scripts read, and everything in it stays', () => {
    const before = json<{ captures: { id: number; rows: number }[] }>(['captures', '--project', project]).captures;
    const trail = json<{ total: number }>(['audit', '--project', project]).total;
    const result = json<Record<string, unknown>>(['compact', '--project', project]);
    expect(Object.keys(result).sort()).toEqual(['bytesAfter', 'bytesBefore', 'path', 'seconds', 'tables']);
    expect(result.path).toBe(project);
    expect(result.bytesAfter as number).toBeGreaterThan(0);
    expect(json<{ captures: { id: number; rows: number }[] }>(['captures', '--project', project]).captures).toEqual(before);
    expect(json<{ total: number }>(['audit', '--project', project]).total).toBe(trail);
    const missing = mindflow(['compact', '--project', join(tmp.dir, 'none.duckdb')]);
    expect(missing.code).toBe(1);
    expect(missing.err.trim()).toBe(`mindflow: no project at ${join(tmp.dir, 'none.duckdb')}`);
  }, 60_000);

  it('backend --json says what runs the model and why not a faster backend; a forced backend that cannot load says why', () => {
    const s = json<{ name: string; device: string; notes: string[] }>(['backend']);
    expect(Object.keys(s)).toEqual(['name', 'device', 'notes']);
    expect(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).toContain(s.name);
    if (s.name === 'wasm') expect(s.notes.some((n) => n.includes('tfjs-node-gpu'))).toBe(true);
    const forced = mindflow(['backend'], { MINDFLOW_BACKEND: 'cpu' });
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/^cpu · plain JavaScript/);
    expect(forced.out).toContain('forced by MINDFLOW_BACKEND=cpu');
    if (s.name !== 'tfjs-node-gpu') {
      const gpu = mindflow(['backend'], { MINDFLOW_BACKEND: 'gpu' });
      expect(gpu.code).toBe(1);
      expect(gpu.err).toMatch(/^mindflow: TensorFlow\.js backend "gpu" is not available on this machine: \S/);
    }
  }, 60_000);
});
