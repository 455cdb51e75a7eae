/**
 * Detector throughput: scoring windows/s on the wasm backend vs the plain JavaScript 'cpu'
 * backend (same process, same model, same windows), window by window and through the
 * shared-rows path a scan of unkeyed windows takes (on random rows, then on sample A's own rows,
 * whose repeated flows share the flow path's outputs); scoring through the worker pool (one
 * worker per core, the product path), on sample A and on a copy whose flows never repeat; and
 * training windows/s on wasm: one thread on fixed windows, then the default recipe on every
 * flow of sample A (the shipped model's run), data parallel over one thread per core.
 *
 *   node --import tsx test/bench/model.bench.ts [--windows N] [--model DIR]
 *
 * Uses the default model package when present (else a freshly built default-architecture model).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { initBackend, type BackendKind } from '../../main/core/model/backend.ts';
import { SCAN_BATCH, ScoringPool } from '../../main/core/model/client.ts';
import { buildModel, FlowPathCache, modelConfig, predictRows } from '../../main/core/model/model.ts';
import { readManifest } from '../../main/core/model/package.ts';
import { loadModelPackage } from '../../main/core/model/packageModel.ts';
import { streamWindows } from '../../main/core/model/windows.ts';
import { chooseFeatureSet } from '../../main/core/model/features.ts';
import { trainingWorkers } from '../../main/core/model/parallel.ts';
import { DEFAULT_TRAINING, labelledRows, trainOnThreads } from '../../main/core/model/train.ts';
import { loadDataset } from '../../main/core/model/dataset.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    windows: { type: 'string', default: '65536' },
    model: { type: 'string', default: join(root, 'resources/models/default') },
    sample: { type: 'string', default: resolve(root, '../shared/data/nf-bot-iot-v2-sample-a.csv.gz') },
  },
});
const W = 10;
const BATCH = 4096;

async function model(): Promise<{ model: tf.LayersModel; channels: number; what: string }> {
  if (existsSync(join(args.model!, 'manifest.json'))) {
    const pkg = await loadModelPackage(args.model!);
    return { model: pkg.model, channels: pkg.manifest.features.length + 1, what: `package ${args.model} (${pkg.manifest.featureSet.name}, ${pkg.manifest.features.length} features)` };
  }
  const channels = 52;
  return { model: buildModel(modelConfig({ window: W, channels, classes: 5, seed: 1 })), channels, what: 'fresh default architecture (52 channels)' };
}

/**
 * Scoring windows/s of one thread: 'windows' feeds [BATCH, W, C] windows to predict(); 'rows'
 * is the scan path, unkeyed windows as their compact rows [W-1+BATCH, C] through predictRows
 * (overlapping windows share conv outputs and LSTM input projections).
 */
async function scoring(kind: BackendKind, n: number, path: 'windows' | 'rows'): Promise<number> {
  await initBackend(kind);
  const { model: m, channels } = await model();
  const x = path === 'rows' ? tf.randomNormal([W - 1 + BATCH, channels], 0, 1, 'float32', 1) : tf.randomNormal([BATCH, W, channels], 0, 1, 'float32', 1);
  const run = () => (path === 'rows' ? predictRows(m, x as tf.Tensor2D, BATCH)! : (m.predict(x, { batchSize: BATCH }) as tf.Tensor));
  run().dispose();
  const t0 = performance.now();
  let done = 0;
  while (done < n) {
    const p = run();
    await p.data();
    p.dispose();
    done += BATCH;
  }
  const rate = done / ((performance.now() - t0) / 1000);
  x.dispose();
  m.dispose();
  return rate;
}

/** A connection to a fresh in-memory database holding sample A as table flows_1. */
async function sampleTable(): Promise<DuckDBConnection> {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`CREATE TABLE flows_1 AS SELECT * FROM read_csv('${args.sample!.replace(/'/g, "''")}')`);
  return conn;
}

/**
 * Sample A's own first batches as the scan reads them (compact rows of unkeyed windows), for
 * the scan path on real flows: random rows never repeat, real captures do, and the flow path
 * runs once per distinct flow (per batch, and across batches through the worker's cache).
 */
async function sampleRows(batches: number): Promise<Float32Array[] | null> {
  if (!existsSync(join(args.model!, 'manifest.json')) || !existsSync(args.sample!)) return null;
  const m = await readManifest(args.model!);
  const conn = await sampleTable();
  const out: Float32Array[] = [];
  for await (const b of streamWindows(conn, 'flows_1', { set: m.featureSet, stats: m.normalization, window: m.window, keyed: false, batchSize: BATCH, compact: true })) {
    if (b.size === BATCH && b.rows) out.push(b.rows);
    if (out.length === batches) break;
  }
  conn.closeSync();
  return out;
}

/** Windows/s of one thread scoring the given compact batches through predictRows, from a cold flow-path cache. */
async function scoringSampleRows(kind: BackendKind, batches: Float32Array[]): Promise<number> {
  await initBackend(kind);
  const { model: m, channels } = await model();
  // as a scoring worker does: flow-path outputs kept across batches
  let cache: FlowPathCache | undefined;
  const run = (rows: Float32Array) => {
    const x = tf.tensor2d(rows, [W - 1 + BATCH, channels]);
    const p = predictRows(m, x, BATCH, cache)!;
    p.dataSync();
    p.dispose();
    x.dispose();
  };
  run(batches[0]!);
  cache = new FlowPathCache();
  const t0 = performance.now();
  for (const rows of batches) run(rows);
  const rate = (batches.length * BATCH) / ((performance.now() - t0) / 1000);
  m.dispose();
  return rate;
}

async function training(n: number): Promise<number> {
  await initBackend('wasm');
  const { model: m, channels } = await model();
  const optimizer = tf.train.adam(1e-3);
  const B = 256;
  const x = tf.randomNormal([B, W, channels], 0, 1, 'float32', 2);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => i % 5), 'int32'), 5);
  const step = () => {
    const l = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    l.dataSync();
    l.dispose();
  };
  step();
  const t0 = performance.now();
  let done = 0;
  while (done < n) {
    step();
    done += B;
  }
  return done / ((performance.now() - t0) / 1000);
}

/**
 * The default recipe as train:default runs it for the shipped model: every epoch, on every flow
 * of sample A, data parallel. Times the whole run: epochs of the distinct-row recipe are ~2 s,
 * and a few of them alone did not predict the full run (6 epochs ramp from 3.8 k to 5.7 k
 * windows/s; the 55-epoch run holds 6-7 k after its first).
 */
async function parallelTraining(): Promise<{ rate: number; workers: number; batch: number; epochs: number; seconds: number } | null> {
  if (!existsSync(args.sample!)) return null;
  const backend = await initBackend('wasm');
  const conn = await sampleTable();
  const columns = (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE flows_1)`)).getColumns()[0] as string[];
  const ds = await loadDataset(conn, 'flows_1', { set: chooseFeatureSet(columns), window: W });
  conn.closeSync();
  const batch = DEFAULT_TRAINING.batchSize ?? 256;
  const workers = trainingWorkers(batch, availableParallelism());
  const every = labelledRows(ds);
  const t0 = performance.now();
  const result = await trainOnThreads(ds, { ...DEFAULT_TRAINING, split: { train: every, validation: new Int32Array(0), test: new Int32Array(0) } }, { workers, backend: backend.kind });
  const seconds = (performance.now() - t0) / 1000;
  result.model.dispose();
  return { rate: result.trainWindowsPerSecond, workers, batch, epochs: result.history.length, seconds };
}

/**
 * Scans through the worker pool. `distinct`: sample A with every flow made its own (bytes in
 * and duration shifted by the flow's number), as on a network whose flows rarely repeat: no
 * flow-path output is shared or cached, the worst case of the scan path.
 */
async function pooled(distinct = false): Promise<{ rates: number[]; opens: number[]; workers: number; backend: string; rows: number } | null> {
  if (!existsSync(join(args.model!, 'manifest.json')) || !existsSync(args.sample!)) return null;
  const conn = await sampleTable();
  if (distinct) {
    await conn.run(`CREATE OR REPLACE TABLE flows_1 AS SELECT * REPLACE (IN_BYTES + (row_number() OVER () % 100000) AS IN_BYTES, FLOW_DURATION_MILLISECONDS + (row_number() OVER () % 7919) AS FLOW_DURATION_MILLISECONDS) FROM flows_1`);
  }
  // distinct rows of the columns the model reads: what the flow path has to compute
  const columns = (await readManifest(args.model!)).featureSet.columns.map((c) => `"${c}"`).join(', ');
  const rows = Number((await conn.runAndReadAll(`SELECT count(*) FROM (SELECT DISTINCT ${columns} FROM flows_1)`)).getRows()[0]![0]);
  const workers = availableParallelism();
  let backend = '';
  try {
    // As the app scans: a fresh pool per scan, so each pass starts with new workers and a cold
    // flow-path cache (a pool kept open would answer sample A's repeated flows from the last pass).
    // Three passes: on a shared machine the best pass is the least disturbed one.
    const rates: number[] = [];
    const opens: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      const t0 = performance.now();
      const pool = await ScoringPool.open(args.model!, { workers, backend: 'wasm' });
      const t1 = performance.now();
      try {
        const n = await pool.scoreTable(conn, 'flows_1', { batchSize: SCAN_BATCH, onBatch: () => undefined });
        rates.push(n / ((performance.now() - t1) / 1000));
        opens.push((t1 - t0) / 1000);
        backend = pool.backend.label;
      } finally {
        await pool.close();
      }
    }
    return { rates, opens, workers, backend, rows };
  } finally {
    conn.closeSync();
  }
}

/**
 * A yardstick of this machine at this moment: GFLOP/s of one wasm thread multiplying 512x512
 * matrices, the operation the model spends most of its time in. Shared VMs drift by 2x over
 * hours; the detector's figures move with this one, so runs compare through it.
 */
async function machineGflops(): Promise<number> {
  await initBackend('wasm');
  const a = tf.randomNormal([512, 512], 0, 1, 'float32', 3);
  const b = tf.randomNormal([512, 512], 0, 1, 'float32', 4);
  const once = () => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  once();
  const reps = 100;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) once();
  const seconds = (performance.now() - t0) / 1000;
  a.dispose();
  b.dispose();
  return (reps * 2 * 512 ** 3) / seconds / 1e9;
}

const n = Number(args.windows);
const gflopsAtStart = await machineGflops();
const { what } = await (async () => {
  await initBackend('wasm');
  const r = await model();
  r.model.dispose();
  return r;
})();
console.log(`model: ${what}; window ${W}; batch ${BATCH}`);
console.log(`machine: one wasm thread multiplies 512x512 matrices at ${gflopsAtStart.toFixed(1)} GFLOP/s (shared VMs drift; the figures below move with it)`);
const wasm = await scoring('wasm', n, 'windows');
console.log(`scoring wasm (1 thread), window by window: ${Math.round(wasm)} windows/s`);
const cpu = await scoring('cpu', Math.min(n, 16384), 'windows');
console.log(`scoring cpu  (1 thread), window by window: ${Math.round(cpu)} windows/s`);
console.log(`wasm / cpu: ${(wasm / cpu).toFixed(1)}x`);
const wasmRows = await scoring('wasm', n, 'rows');
const cpuRows = await scoring('cpu', Math.min(n, 16384), 'rows');
console.log(`scoring wasm (1 thread), shared rows (the scan path): ${Math.round(wasmRows)} windows/s (x${(wasmRows / wasm).toFixed(2)} of window by window)`);
console.log(`scoring cpu  (1 thread), shared rows: ${Math.round(cpuRows)} windows/s; wasm / cpu: ${(wasmRows / cpuRows).toFixed(1)}x`);
const real = await sampleRows(Math.max(1, Math.round(n / BATCH)));
if (real) {
  const wasmReal = await scoringSampleRows('wasm', real);
  const cpuReal = await scoringSampleRows('cpu', real.slice(0, Math.max(1, Math.round(16384 / BATCH))));
  console.log(
    `scoring wasm (1 thread), shared rows on sample A's first ${real.length * BATCH} flows (the flow path once per distinct flow, cached across batches): ${Math.round(wasmReal)} windows/s (x${(wasmReal / wasmRows).toFixed(2)} of random rows); cpu ${Math.round(cpuReal)}; wasm / cpu: ${(wasmReal / cpuReal).toFixed(1)}x`,
  );
} else console.log('scoring on sample A rows skipped (needs resources/models/default and the real sample)');
const train = await training(Math.min(n, 20480));
console.log(`training wasm (batch 256, 1 thread): ${Math.round(train)} windows/s`);
const par = await parallelTraining();
if (par)
  console.log(
    `training wasm, default recipe on every flow of sample A (${par.epochs} epochs, batch ${par.batch}, ${par.workers} threads, data parallel): ${Math.round(par.rate)} windows/s (x${(par.rate / train).toFixed(2)} of 1 thread), ${par.seconds.toFixed(1)} s`,
  );
else console.log('parallel training skipped (needs the real sample)');
const pool = await pooled();
if (pool)
  console.log(
    `scan of sample A through ${pool.workers} ${pool.backend} workers, a fresh pool per pass as in the app (batches of ${SCAN_BATCH}; DuckDB read + windows + model): best ${Math.round(Math.max(...pool.rates))} windows/s (passes: ${pool.rates.map(Math.round).join(', ')}); opening the pool (workers + model) ${pool.opens.map((x) => x.toFixed(2)).join(' / ')} s`,
  );
else console.log('pooled scan skipped (needs resources/models/default and the real sample)');
const unique = await pooled(true);
if (unique)
  console.log(
    `scan of sample A with every flow made distinct (bytes in and duration shifted per flow: ${unique.rows.toLocaleString('en-US')} distinct feature rows, against ${pool!.rows.toLocaleString('en-US')} in sample A), ${unique.workers} workers: best ${Math.round(Math.max(...unique.rates))} windows/s (passes: ${unique.rates.map(Math.round).join(', ')})`,
  );
console.log(`machine at the end: ${(await machineGflops()).toFixed(1)} GFLOP/s per wasm thread`);
