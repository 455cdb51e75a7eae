import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { initBackend } from '../../../main/core/model/backend.ts';
import { chooseFeatureSet } from '../../../main/core/model/features.ts';
import { classWeights, DEFAULT_TRAINING, MAX_VOCABULARY, representatives, rng, scheduledRate, splitByGroups, trainDetector, trainingVocabulary } from '../../../main/core/model/train.ts';
import { captureDataHash, loadDataset, RowGrouper, rowGroups, type Dataset } from '../../../main/core/model/dataset.ts';
import { gatherWindows, readFlows, windowIndex } from '../../../main/core/model/windows.ts';
import { hasRealSample, REAL_SAMPLE, REAL_SAMPLE_SKIP } from '../helpers.ts';

describe('splitByGroups', () => {
  // 3 classes; groups repeat rows (identical features) many times
  const labels = Int32Array.from({ length: 300 }, (_, i) => i % 3);
  const groups = Int32Array.from({ length: 300 }, (_, i) => (i % 30) * 3 + (i % 3)); // 90 groups, each pure
  const split = splitByGroups(labels, groups, { test: 0.2, validation: 0.1, seed: 1 });

  it('never puts one group on two sides', () => {
    const side = new Map<number, string>();
    for (const [name, rows] of Object.entries(split))
      for (const r of rows as Int32Array) {
        const g = groups[r]!;
        expect(side.get(g) ?? name, `group ${g}`).toBe(name);
        side.set(g, name);
      }
    expect(split.train.length + split.validation.length + split.test.length).toBe(300);
  });

  it('is stratified: every class is on every side', () => {
    for (const rows of [split.train, split.validation, split.test]) expect(new Set(Array.from(rows, (r) => labels[r])).size).toBe(3);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const again = splitByGroups(labels, groups, { test: 0.2, validation: 0.1, seed: 1 });
    expect(Array.from(again.test)).toEqual(Array.from(split.test));
    const other = splitByGroups(labels, groups, { test: 0.2, validation: 0.1, seed: 2 });
    expect(Array.from(other.test)).not.toEqual(Array.from(split.test));
  });

  it('keeps in training a row repeated more often than a side’s share of its class', () => {
    // class 0: one flood row of 120 flows and 40 rows of 2; class 1: 30 rows of 3
    const labels: number[] = [];
    const groups: number[] = [];
    const add = (label: number, group: number, n: number) => {
      for (let i = 0; i < n; i++) (labels.push(label), groups.push(group));
    };
    add(0, 0, 120);
    for (let g = 1; g <= 40; g++) add(0, g, 2);
    for (let g = 41; g <= 70; g++) add(1, g, 3);
    for (let seed = 1; seed <= 20; seed++) {
      const s = splitByGroups(Int32Array.from(labels), Int32Array.from(groups), { test: 0.2, validation: 0.1, seed });
      const held = [...s.test, ...s.validation].map((r) => groups[r]!);
      expect(held, `seed ${seed}`).not.toContain(0);
      // the sides still get their share of the other rows: 20 % and 10 % of 41 groups
      expect(new Set(Array.from(s.test, (r) => groups[r]!)).size).toBe(14); // 8 of class 0, 6 of class 1
      expect(new Set(Array.from(s.validation, (r) => groups[r]!)).size).toBe(7); // 4 + 3
    }
  });

  it('holds nothing out when both fractions are 0', () => {
    // every flow its own row, 10 rows per class
    const own = Int32Array.from({ length: 30 }, (_, i) => i);
    const s = splitByGroups(Int32Array.from(own, (i) => i % 3), own, { test: 0, validation: 0, seed: 1 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([30, 0, 0]);
  });

  it('skips unlabelled (-1) rows', () => {
    const s = splitByGroups(Int32Array.from([0, -1, 1, 1]), Int32Array.from([0, 1, 2, 3]), { test: 0, validation: 0, seed: 1 });
    expect(Array.from(s.train)).toEqual([0, 2, 3]);
  });
});

describe('classWeights', () => {
  const labels = [0, 0, 0, 0, 1];
  it.each([
    ['none', [1, 1]],
    ['balanced', [(1 / 4) / ((1 / 4 + 1) / 2), 1 / ((1 / 4 + 1) / 2)]],
    ['sqrt', [(1 / 2) / ((1 / 2 + 1) / 2), 1 / ((1 / 2 + 1) / 2)]],
  ] as const)('%s', (mode, expected) => {
    const w = classWeights(labels, [0, 1, 2, 3, 4], 2, mode);
    w.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 10));
  });
});

/** A dataset of one v1-style column pair with codes: value channel, code channel; labels given. */
function codedDataset(values: number[], labels: number[]): Dataset {
  // 1 numeric feature (the value itself) + 1 code channel, codes in order of first appearance
  const dict: number[] = [];
  const codes = values.map((v) => {
    let c = dict.indexOf(v);
    if (c < 0) c = dict.push(v) - 1;
    return c + 1;
  });
  const groups = Int32Array.from(codes, (c) => c - 1);
  return {
    n: values.length,
    features: 2,
    rowValues: Float32Array.from(dict.flatMap((v, i) => [v, i + 1])),
    window: 1,
    keyed: false,
    index: groups,
    labels: Int32Array.from(labels),
    classes: ['Benign', 'DoS'],
    binary: false,
    groups,
    flowIds: Float64Array.from(values.keys()),
    set: { name: 'v1', columns: ['IN_BYTES'], identifiers: false, codes: true },
    dictionary: [dict],
    hash: 'test',
  };
}

describe('trainingVocabulary', () => {
  const ds = codedDataset([40, 7, 40, 300, 7, 12, 7], [0, 1, 0, 1, 1, 0, 1]);
  it('keeps the values of the training rows only, ascending, and remaps loading codes to them', () => {
    const { vocabulary, remap } = trainingVocabulary(ds, [0, 1, 2, 4, 6]); // values 40, 7, 40, 7, 7
    expect(vocabulary).toEqual([[7, 40]]);
    // loading codes: 40 -> 1, 7 -> 2, 300 -> 3, 12 -> 4; 300 and 12 are unknown to training
    expect(Array.from(remap[0]!)).toEqual([0, 2, 1, 0, 0]);
  });
  it('drops values seen fewer than minCount times', () => {
    expect(trainingVocabulary(ds, [0, 1, 2, 3, 4, 5, 6], 2).vocabulary).toEqual([[7, 40]]);
  });
  it('keeps only the maxValues most frequent values of a column, ties to the smaller value, still ascending', () => {
    // counts: 7 x3, 40 x2, 300 x1, 12 x1
    const { vocabulary, remap } = trainingVocabulary(ds, [0, 1, 2, 3, 4, 5, 6], 1, 3);
    expect(vocabulary).toEqual([[7, 12, 40]]);
    // loading codes 40 -> 1, 7 -> 2, 300 -> 3, 12 -> 4: 300 lost the tie with 12 and codes as unknown
    expect(Array.from(remap[0]!)).toEqual([0, 3, 1, 0, 2]);
    expect(trainingVocabulary(ds, [0, 1, 2, 3, 4, 5, 6], 1, 1).vocabulary).toEqual([[7]]);
  });
  it('caps every column at MAX_VOCABULARY by default, above the v2 columns of sample A (2,254 at most)', () => {
    expect(MAX_VOCABULARY).toBeGreaterThan(2254);
    const many = codedDataset(Array.from({ length: MAX_VOCABULARY + 10 }, (_, i) => i), Array.from({ length: MAX_VOCABULARY + 10 }, (_, i) => i % 2));
    expect(trainingVocabulary(many, Array.from({ length: many.n }, (_, i) => i)).vocabulary[0]).toHaveLength(MAX_VOCABULARY);
  });
});

describe('representatives', () => {
  it('one row per distinct (feature row, label) pair, weighted by its rows', () => {
    const ds = codedDataset([40, 7, 40, 40, 7], [0, 1, 0, 1, 1]);
    const r = representatives(ds, Int32Array.from([0, 1, 2, 3, 4]));
    expect(Array.from(r.rows)).toEqual([0, 1, 3]);
    expect(Array.from(r.weights)).toEqual([2, 2, 1]);
  });
});

describe('rowGroups', () => {
  const m = Float32Array.from([1, 2, 3, 1, 2, 4, 1, 2, 3, 5, 2, 3]);
  it('numbers distinct rows in order of first appearance', () => {
    expect(Array.from(rowGroups(m, 3))).toEqual([0, 1, 0, 2]);
  });
  it('compares only the given channels when asked', () => {
    expect(Array.from(rowGroups(m, 3, [0, 1]))).toEqual([0, 0, 0, 1]);
    expect(Array.from(rowGroups(m, 3, [1, 2]))).toEqual([0, 1, 0, 0]);
    expect(Array.from(rowGroups(m, 3, [1]))).toEqual([0, 0, 0, 0]);
  });
});

describe('RowGrouper', () => {
  const rowsOfBits = (words: number[]) => new Float32Array(Int32Array.from(words).buffer);
  it('numbers rows across batches in order of first appearance and keeps each distinct row once', () => {
    const grouper = new RowGrouper(2);
    const out = new Int32Array(6);
    grouper.add(Float32Array.from([1, 2, 3, 4, 1, 2]), out, 0);
    grouper.add(Float32Array.from([3, 4, 5, 6, 1, 2]), out, 3);
    expect(Array.from(out)).toEqual([0, 1, 0, 1, 2, 0]);
    expect(Array.from(grouper.rows())).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('compares bits: 0 and -0 are two rows, the same NaN one', () => {
    const out = new Int32Array(4);
    new RowGrouper(1).add(Float32Array.from([0, -0, NaN, NaN]), out, 0);
    expect(Array.from(out)).toEqual([0, 1, 2, 2]);
  });
  it('keeps apart rows whose hashes collide', () => {
    // FNV-1a over two words: for any first word a2, the second word b2 below gives row 1's hash
    const fnv = (a: number, b: number) => Math.imul(Math.imul(0x811c9dc5 ^ a, 0x01000193) ^ b, 0x01000193) | 0;
    const [a1, b1, a2] = [7, 11, 1234567];
    const b2 = Math.imul(0x811c9dc5 ^ a1, 0x01000193) ^ b1 ^ Math.imul(0x811c9dc5 ^ a2, 0x01000193);
    expect(fnv(a2, b2)).toBe(fnv(a1, b1));
    const grouper = new RowGrouper(2);
    const out = new Int32Array(4);
    grouper.add(rowsOfBits([a1, b1, a2, b2, a1, b1, a2, b2]), out, 0);
    expect(Array.from(out)).toEqual([0, 1, 0, 1]);
    expect(Array.from(new Int32Array(grouper.rows().slice().buffer))).toEqual([a1, b1, a2, b2]);
  });
  it('grows past its first table and chain sizes', () => {
    const grouper = new RowGrouper(1);
    const n = 5000;
    const out = new Int32Array(2 * n);
    const values = Float32Array.from({ length: 2 * n }, (_, i) => i % n);
    grouper.add(values, out, 0);
    expect(Array.from(out.subarray(n))).toEqual(Array.from(out.subarray(0, n)));
    expect(Array.from(grouper.rows())).toEqual(Array.from(values.subarray(0, n)));
  });
  it('keeps its rows in shared memory, no larger than the rows it was told to expect', () => {
    const n = 3000;
    const grouper = new RowGrouper(2, n);
    const out = new Int32Array(n);
    grouper.add(Float32Array.from({ length: 2 * n }, (_, i) => i), out, 0);
    const rows = grouper.rows();
    expect(rows.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(rows.length).toBe(2 * n);
    // grown 1024 -> 2048 -> 3000 rows, not 4096
    expect(rows.buffer.byteLength).toBe(2 * n * 4);
  });
});

describe('scheduledRate', () => {
  it('constant stays; cosine warms up linearly, peaks, then decays to 0', () => {
    expect(scheduledRate(0.01, 'constant', 50, 100)).toBe(0.01);
    expect(scheduledRate(0.01, 'cosine', 0, 100)).toBeCloseTo(0.01 / 3, 10);
    expect(scheduledRate(0.01, 'cosine', 3, 100)).toBeCloseTo(0.01, 10);
    const mid = scheduledRate(0.01, 'cosine', 51, 100);
    expect(mid).toBeGreaterThan(0.004);
    expect(mid).toBeLessThan(0.006);
    expect(scheduledRate(0.01, 'cosine', 100, 100)).toBeCloseTo(0, 10);
  });
});

describe('rng', () => {
  it('is deterministic per seed', () => {
    const a = rng(5);
    const b = rng(5);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});

describe.skipIf(!hasRealSample)('short real training on a slice of sample A', () => {
  let conn: DuckDBConnection;
  beforeAll(async () => {
    await initBackend('wasm');
    const db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
    await conn.run(`CREATE TABLE flows_1 AS SELECT * FROM read_csv('${REAL_SAMPLE.replace(/'/g, "''")}') LIMIT 60000`);
  });
  afterAll(() => conn?.closeSync());

  it('reaches the macro-F1 floor on unseen feature rows, reports progress and metrics', async () => {
    const cols = (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE flows_1)`)).getColumns()[0] as string[];
    const ds = await loadDataset(conn, 'flows_1', { set: chooseFeatureSet(cols, 'auto'), window: 10 });
    let batches = 0;
    const epochs: number[] = [];
    const result = await trainDetector(ds, {
      epochs: 4,
      batchSize: 256,
      groupSampling: 'sqrt',
      learningRate: 3e-3,
      seed: 42,
      onBatch: () => batches++,
      onEpoch: (p) => epochs.push(p.epoch),
    });
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(batches).toBeGreaterThan(10);
    expect(result.history.every((h) => Number.isFinite(h.loss) && h.validation !== null)).toBe(true);
    const test = result.test!;
    expect(test.total).toBe(result.split.test);
    expect(test.confusion).toHaveLength(ds.classes.length);
    // Theft has 2 test flows in this slice, so macro F1 swings by 0.2 with one of them; the
    // floors that mean something are weighted F1 and every class with real support
    expect(test.macroF1).toBeGreaterThan(0.7);
    expect(test.weightedF1).toBeGreaterThan(0.97);
    for (const c of test.perClass.filter((p) => p.support >= 50)) expect(c.f1, c.name).toBeGreaterThan(0.75);
    result.model.dispose();
  });

  it('trains with the default recipe (value codes, one window per distinct row, cosine) to the same floors', async () => {
    const cols = (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE flows_1)`)).getColumns()[0] as string[];
    const ds = await loadDataset(conn, 'flows_1', { set: chooseFeatureSet(cols, 'auto'), window: 10 });
    expect(ds.set.codes).toBe(true);
    let windows = 0;
    const result = await trainDetector(ds, { ...DEFAULT_TRAINING, epochs: 12, seed: 42, onBatch: (p) => p.epoch === 1 && windows++ });
    // an epoch is one window per distinct (row, label) pair: far fewer batches than flows
    expect(windows).toBeLessThan(result.split.train / (DEFAULT_TRAINING.batchSize ?? 512) / 3);
    expect(result.stats.vocabulary).toHaveLength(ds.set.columns.length);
    const test = result.test!;
    expect(test.weightedF1).toBeGreaterThan(0.97);
    expect(test.macroF1).toBeGreaterThan(0.7);
    for (const c of test.perClass.filter((p) => p.support >= 50)) expect(c.f1, c.name).toBeGreaterThan(0.75);
    result.model.dispose();
  });

  it('cancels through an AbortSignal', async () => {
    const cols = (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE flows_1)`)).getColumns()[0] as string[];
    const ds = await loadDataset(conn, 'flows_1', { set: chooseFeatureSet(cols, 'v1'), window: 10, limit: 5000 });
    const controller = new AbortController();
    const run = trainDetector(ds, { epochs: 50, signal: controller.signal, onBatch: (p) => p.batch === 2 && controller.abort() });
    await expect(run).rejects.toThrow(/cancelled/);
  });
});

if (!hasRealSample) console.warn(REAL_SAMPLE_SKIP);

describe('loadDataset keeps each distinct row once', () => {
  it('windows read the same features as from every flow, and the hash is that of every flow\'s features', async () => {
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    // 40,000 flows (three batches of reading), 701 x 5 distinct rows, keyed by 4 sources
    const n = 40_000;
    await conn.run(`CREATE TABLE flows_1 AS SELECT '10.0.0.' || (i % 4) AS IPV4_SRC_ADDR, 6 AS PROTOCOL, 7.0 AS L7_PROTO, 40 + i % 701 AS IN_BYTES, i % 5 AS OUT_BYTES,
      1 AS IN_PKTS, 0 AS OUT_PKTS, 2 AS TCP_FLAGS, 0 AS FLOW_DURATION_MILLISECONDS, CASE WHEN i % 3 = 0 THEN 'Benign' ELSE 'DoS' END AS Attack FROM range(${n}) t(i)`);
    const set = chooseFeatureSet(['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'], 'v1');
    for (const keyed of [false, true]) {
      const ds = await loadDataset(conn, 'flows_1', { set, window: 4, keyed });
      expect(ds.rowValues.length / ds.features).toBe(701 * 5);
      expect(ds.groups.reduce((a, b) => Math.max(a, b), 0)).toBe(701 * 5 - 1);
      // the reference: every flow's features as read, windows over flows
      const every = await readFlows(conn, 'flows_1', { ...set, codes: false }, { from: 0, to: n, keyed, labels: true, codebook: null });
      const flowWindows = windowIndex(n, 4, every.keys);
      const all = Int32Array.from({ length: n }, (_, i) => i);
      // the reference reads the numeric channels only (no value codes): compare those and the mask
      const numeric = every.values.length / n;
      const fromRows = gatherWindows(ds.rowValues, ds.features, ds.index, 4, all);
      const fromFlows = gatherWindows(every.values, numeric, flowWindows, 4, all);
      let differ = 0;
      for (let w = 0; w < n * 4; w++) {
        for (let j = 0; j < numeric; j++) if (fromRows[w * (ds.features + 1) + j] !== fromFlows[w * (numeric + 1) + j]) differ++;
        if (fromRows[w * (ds.features + 1) + ds.features] !== fromFlows[w * (numeric + 1) + numeric]) differ++; // the mask
      }
      expect(differ, keyed ? 'keyed' : 'unkeyed').toBe(0);
      expect(Array.from(ds.flowIds.subarray(0, 3))).toEqual([0, 1, 2]);
      expect(ds.flowIds[n - 1]).toBe(n - 1);
    }
    // the data hash is over the flows' features in order, then the labels and classes: as before rows were kept once
    const read: [number, number][] = [];
    const ds = await loadDataset(conn, 'flows_1', { set, window: 4, onProgress: (done, total) => read.push([done, total]) });
    expect(read.length).toBeGreaterThan(1);
    expect(read.at(-1)).toEqual([n, n]);
    expect(read.every(([done], i) => i === 0 || done > read[i - 1]![0])).toBe(true);
    const flowValues = Float32Array.from({ length: ds.n * ds.features }, (_, i) => ds.rowValues[ds.groups[Math.floor(i / ds.features)]! * ds.features + (i % ds.features)]!);
    const expected = createHash('sha256').update(new Uint8Array(flowValues.buffer)).update(new Uint8Array(Int32Array.from(ds.labels).buffer)).update(ds.classes.join('\n')).digest('hex');
    expect(ds.hash).toBe(expected);
    conn.closeSync();
  });
});

describe('captureDataHash', () => {
  it('gives a table the hash training gives it, and another hash to other flows, labels or classes', async () => {
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    // 40,000 flows (three batches of reading), keyed by 4 sources, with value codes
    const flows = (table: string, n: number, attack: string) =>
      conn.run(`CREATE TABLE ${table} AS SELECT '10.0.0.' || (i % 4) AS IPV4_SRC_ADDR, 6 AS PROTOCOL, 7.0 AS L7_PROTO, 40 + i % 701 AS IN_BYTES, i % 5 AS OUT_BYTES,
        1 AS IN_PKTS, 0 AS OUT_PKTS, 2 AS TCP_FLAGS, 0 AS FLOW_DURATION_MILLISECONDS, CASE WHEN i % 3 = 0 THEN 'Benign' ELSE ${attack} END AS Attack FROM range(${n}) t(i)`);
    await flows('flows_1', 40_000, "CASE WHEN i % 7 = 0 THEN 'Reconnaissance' ELSE 'DoS' END");
    const set = chooseFeatureSet(['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'], 'v1');
    expect(set.codes).toBe(true);
    for (const opts of [{ binary: false, keyed: false }, { binary: true, keyed: false }, { binary: false, keyed: true }]) {
      const ds = await loadDataset(conn, 'flows_1', { set, window: 4, ...opts });
      expect(await captureDataHash(conn, 'flows_1', { set, classes: ds.classes, ...opts }), JSON.stringify(opts)).toBe(ds.hash);
    }
    const trained = await loadDataset(conn, 'flows_1', { set, window: 4 });
    // one label changed, one flow more, the classes in another order, no value codes: not the training data
    await conn.run(`CREATE TABLE flows_2 AS SELECT * REPLACE (CASE WHEN IN_BYTES = 41 AND OUT_BYTES = 1 AND IPV4_SRC_ADDR = '10.0.0.1' THEN 'Theft' ELSE Attack END AS Attack) FROM flows_1`);
    await flows('flows_3', 40_001, "CASE WHEN i % 7 = 0 THEN 'Reconnaissance' ELSE 'DoS' END");
    expect(await captureDataHash(conn, 'flows_2', { set, classes: trained.classes, binary: false })).not.toBe(trained.hash);
    expect(await captureDataHash(conn, 'flows_3', { set, classes: trained.classes, binary: false })).not.toBe(trained.hash);
    expect(await captureDataHash(conn, 'flows_1', { set, classes: [...trained.classes].reverse(), binary: false })).not.toBe(trained.hash);
    expect(await captureDataHash(conn, 'flows_1', { set: { ...set, codes: false }, classes: trained.classes, binary: false })).not.toBe(trained.hash);
    conn.closeSync();
  });
});

describe('binary mode and early stopping (synthetic capture)', () => {
  it('trains Benign vs Attack and stops when validation macro F1 stalls, keeping the best weights', async () => {
    await initBackend('wasm');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    await conn.run(`CREATE TABLE flows_1 AS SELECT CASE i % 4 WHEN 0 THEN 17 ELSE 6 END AS PROTOCOL, 0.0 AS L7_PROTO, 40 + i % 97 AS IN_BYTES, i % 13 AS OUT_BYTES,
      1 + i % 3 AS IN_PKTS, 0 AS OUT_PKTS, CASE i % 4 WHEN 0 THEN 0 ELSE 22 END AS TCP_FLAGS, 0 AS FLOW_DURATION_MILLISECONDS,
      CASE i % 4 WHEN 0 THEN 'Benign' WHEN 1 THEN 'DoS' ELSE 'Reconnaissance' END AS Attack FROM range(4000) t(i)`);
    const ds = await loadDataset(conn, 'flows_1', { set: chooseFeatureSet(['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'], 'v1'), window: 5, binary: true });
    expect(ds.classes).toEqual(['Benign', 'Attack']);
    expect(new Set(ds.labels)).toEqual(new Set([0, 1]));
    // the per-flow arrays are shared with the training threads, not copied to each
    for (const a of [ds.rowValues, ds.flowIds, ds.labels, ds.groups, ds.index]) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    const r = await trainDetector(ds, { epochs: 30, batchSize: 64, convFilters: [8, 8], lstmUnits: 8, flowSkipUnits: 8, kernelSize: 2, learningRate: 1e-2, earlyStoppingPatience: 2, seed: 3 });
    expect(r.history.length).toBeLessThan(30);
    expect(r.history.length - r.bestEpoch).toBe(2);
    expect(r.test!.binary!.f1).toBeGreaterThan(0.95);
    expect(r.model.outputs[0]!.shape).toEqual([null, 2]);
    r.model.dispose();
    conn.closeSync();
  });
});
