import { describe, expect, it } from 'vitest';
import { expandWindows, gatherWindows, labelIndex, WindowCarry, windowIndex } from '../../../main/core/model/windows.ts';

/** features: row i has the single feature value i+1 (so 0 always means padding). */
const feats = (n: number) => Float32Array.from({ length: n }, (_, i) => i + 1);

/** window of row r as [value, mask] pairs */
function windowOf(x: Float32Array, r: number, w: number): [number, number][] {
  return Array.from({ length: w }, (_, p) => [x[(r * w + p) * 2]!, x[(r * w + p) * 2 + 1]!]);
}

describe('windowIndex', () => {
  it('unkeyed: the W flows ending at each flow, padded with -1 at the start', () => {
    expect(Array.from(windowIndex(4, 3))).toEqual([-1, -1, 0, -1, 0, 1, 0, 1, 2, 1, 2, 3]);
  });
  it('keyed: predecessors of the same key only, in capture order', () => {
    const keys = ['a', 'b', 'a', 'a', 'b'];
    expect(Array.from(windowIndex(5, 3, keys))).toEqual([-1, -1, 0, -1, -1, 1, -1, 0, 2, 0, 2, 3, -1, 1, 4]);
  });
});

describe('gatherWindows', () => {
  it('zero-pads with mask 0 and marks real flows with mask 1', () => {
    const x = gatherWindows(feats(3), 1, windowIndex(3, 3), 3, [0, 2]);
    expect(windowOf(x, 0, 3)).toEqual([[0, 0], [0, 0], [1, 1]]);
    expect(windowOf(x, 1, 3)).toEqual([[1, 1], [2, 1], [3, 1]]);
  });
});

describe('WindowCarry (streaming)', () => {
  it.each([1, 2, 3, 7])('gives the same windows as the in-memory form for batch size %i', (batch) => {
    const n = 7;
    const keys = ['a', 'b', 'a', 'c', 'b', 'a', 'a'];
    for (const keyed of [false, true]) {
      const expected = gatherWindows(feats(n), 1, windowIndex(n, 3, keyed ? keys : null), 3, Array.from({ length: n }, (_, i) => i));
      const carry = new WindowCarry(1, 3, keyed);
      const parts: Float32Array[] = [];
      for (let s = 0; s < n; s += batch) parts.push(carry.push(feats(n).subarray(s, Math.min(n, s + batch)), keys.slice(s, s + batch)));
      const got = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) (got.set(p, o), (o += p.length));
      expect(Array.from(got)).toEqual(Array.from(expected));
    }
  });
  it.each([1, 3, 7])('the compact form (pushRows + expandWindows) gives the same unkeyed windows, batch size %i', (batch) => {
    const n = 7;
    const expected = gatherWindows(feats(n), 1, windowIndex(n, 3), 3, Array.from({ length: n }, (_, i) => i));
    const carry = new WindowCarry(1, 3, false);
    const got: number[] = [];
    for (let s = 0; s < n; s += batch) {
      const size = Math.min(n, s + batch) - s;
      const rows = carry.pushRows(feats(n).subarray(s, s + size));
      expect(rows.length).toBe((2 + size) * 2);
      got.push(...expandWindows(rows, size, 3, 2));
    }
    expect(got).toEqual(Array.from(expected));
    expect(() => new WindowCarry(1, 3, true).pushRows(feats(1))).toThrow(/compact/);
  });
  it('window 1 is the flow itself', () => {
    const x = new WindowCarry(1, 1, false).push(feats(2));
    expect(Array.from(x)).toEqual([1, 1, 2, 1]);
  });
});

describe('labelIndex', () => {
  it('maps class names (spelt alike too), another vocabulary\'s to -2, empty to -1, binary to benign/attack', () => {
    expect(Array.from(labelIndex(['Benign', 'DoS', 'Worm', null, 'dos', ' '], ['Benign', 'DoS']))).toEqual([0, 1, -2, -1, 1, -1]);
    expect(Array.from(labelIndex(['Benign', 'DoS', 'Worm', 'normal', null], ['Benign', 'Attack'], true))).toEqual([0, 1, 1, 0, -1]);
  });
});

describe('streamWindows from DuckDB', () => {
  it('streams the same windows, flow ids and labels for any batch size, keyed or not', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { streamWindows } = await import('../../../main/core/model/windows.ts');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const n = 5000;
    await conn.run(`CREATE TABLE flows_1 AS SELECT 'h' || (i % 7) AS IPV4_SRC_ADDR, 6 AS PROTOCOL, 0.0 AS L7_PROTO, i AS IN_BYTES, 0 AS OUT_BYTES, 1 AS IN_PKTS,
      0 AS OUT_PKTS, 2 AS TCP_FLAGS, 0 AS FLOW_DURATION_MILLISECONDS, CASE WHEN i % 3 = 0 THEN 'Benign' ELSE 'DoS' END AS Attack FROM range(${n}) t(i)`);
    const set = { name: 'v1' as const, columns: ['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'], identifiers: false };
    const f = 19;
    const stats = { mean: new Array(f).fill(0), std: new Array(f).fill(1) };
    for (const keyed of [false, true]) {
      const runs: { x: number[]; ids: number[]; labels: number[] }[] = [];
      for (const batchSize of [1, 3000, 100_000]) {
        const x: number[] = [];
        const ids: number[] = [];
        const labels: number[] = [];
        for await (const b of streamWindows(conn, 'flows_1', { set, stats, window: 4, keyed, batchSize, classes: ['Benign', 'DoS'] })) {
          expect(b.x.length).toBe(b.size * 4 * (f + 1));
          for (let i = 0; i < b.x.length; i += f + 1) x.push(b.x[i + 5]!, b.x[i + f]!); // log1p(IN_BYTES), mask
          ids.push(...b.flowIds);
          labels.push(...b.labels!);
        }
        runs.push({ x, ids, labels });
      }
      expect(runs[0]!.ids).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(runs[0]!.labels.slice(0, 4)).toEqual([0, 1, 1, 0]);
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[2]).toEqual(runs[0]);
      // flow 8 (key h1 when keyed): its window holds flows 5,6,7,8 unkeyed, or the same key's 1 (padded) ... 8
      const w8 = runs[0]!.x.slice(8 * 8, 8 * 8 + 8);
      if (!keyed) expect(w8.filter((_, i) => i % 2 === 0)).toEqual([5, 6, 7, 8].map((v) => Math.fround(Math.log1p(v))));
      else expect(w8).toEqual([0, 0, 0, 0, Math.fround(Math.log1p(1)), 1, Math.fround(Math.log1p(8)), 1]);
    }
    conn.closeSync();
  });
});

describe('capture order without a sort', () => {
  it('streams a table of several row groups in flow order on four DuckDB threads, and reads a range in order', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { streamWindows, readFlows } = await import('../../../main/core/model/windows.ts');
    // 3 row groups of 122,880 rows: a parallel scan, which must still come back in insertion order
    const conn = await (await DuckDBInstance.create(':memory:', { threads: '4' })).connect();
    const n = 300_000;
    await conn.run(`CREATE TABLE flows_1 AS SELECT 6 AS PROTOCOL, 0.0 AS L7_PROTO, (i * 7919) % 1000 AS IN_BYTES, 0 AS OUT_BYTES, 1 AS IN_PKTS,
      0 AS OUT_PKTS, 2 AS TCP_FLAGS, i AS FLOW_DURATION_MILLISECONDS FROM range(${n}) t(i)`);
    const set = { name: 'v1' as const, columns: ['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'], identifiers: false };
    const stats = { mean: new Array(19).fill(0), std: new Array(19).fill(1) };
    let next = 0;
    let inOrder = true;
    for await (const b of streamWindows(conn, 'flows_1', { set, stats, window: 2, keyed: false, batchSize: 4096, compact: true })) {
      for (const id of b.flowIds) inOrder &&= id === next++;
    }
    expect(inOrder).toBe(true);
    expect(next).toBe(n);
    const part = await readFlows(conn, 'flows_1', set, { from: 122_000, to: 250_000 });
    expect(part.flowIds.length).toBe(128_000);
    expect(part.flowIds.every((id, i) => id === 122_000 + i)).toBe(true);
    conn.closeSync();
  });

  it('refuses flows that come back out of order rather than build windows from them', async () => {
    const { assertCaptureOrder } = await import('../../../main/core/model/windows.ts');
    expect(assertCaptureOrder([3, 4, 9], 2, 'flows_1')).toBe(9);
    expect(() => assertCaptureOrder([3, 5, 4], -1, 'flows_1')).toThrow('flows_1 came back out of capture order (flow 4 after 5)');
    expect(() => assertCaptureOrder([7], 7, 'flows_1')).toThrow(/flow 7 after 7/);
  });
});

describe('identifier columns from DuckDB', () => {
  it('reads dotted IPv4 text and numeric address columns as 32-bit numbers, and anything else as 0', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { streamWindows } = await import('../../../main/core/model/windows.ts');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    await conn.run(`CREATE TABLE flows_1 AS SELECT * FROM (VALUES
      ('192.168.100.148', 3232261123, 80), ('10.0.0.1', NULL, 4444), ('fe80::1', 0, NULL), ('256.1.1.1', 1, 1), (NULL, 2, 2), ('1.2.3', 3, 3), (' 8.8.8.8', 4, 4)
    ) t(IPV4_SRC_ADDR, IPV4_DST_ADDR, L4_DST_PORT)`);
    const set = { name: 'v1' as const, columns: ['IPV4_SRC_ADDR', 'IPV4_DST_ADDR', 'L4_DST_PORT'], identifiers: true };
    const f = 9;
    const stats = { mean: new Array(f).fill(0), std: new Array(f).fill(1) };
    const rows: number[][] = [];
    for await (const b of streamWindows(conn, 'flows_1', { set, stats, window: 1, keyed: false, batchSize: 100 })) {
      for (let i = 0; i < b.size; i++) rows.push(Array.from(b.x.slice(i * (f + 1), i * (f + 1) + f)));
    }
    const port = (p: number) => Math.fround(Math.log1p(p));
    expect(rows).toEqual([
      [192, 168, 100, 148, 192, 168, 100, 3, port(80)],
      [10, 0, 0, 1, 0, 0, 0, 0, port(4444)],
      // IPv6, an octet over 255, missing, three parts, a leading space: not an IPv4 address
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 1, port(1)],
      [0, 0, 0, 0, 0, 0, 0, 2, port(2)],
      [0, 0, 0, 0, 0, 0, 0, 3, port(3)],
      [0, 0, 0, 0, 0, 0, 0, 4, port(4)],
    ]);
    conn.closeSync();
  });
});

describe('value codes: what scoring streams is what training saw', () => {
  it('streamWindows gives a flow the same input bits as training does: standardised, coded with the trained vocabulary, an unseen value as 0', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { gatherWindows, streamWindows } = await import('../../../main/core/model/windows.ts');
    const { loadDataset } = await import('../../../main/core/model/dataset.ts');
    const { trainingVocabulary } = await import('../../../main/core/model/train.ts');
    const { chooseFeatureSet, featureCount, fitStats, numericFeatureCount, RowScaler } = await import('../../../main/core/model/features.ts');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    await conn.run(`CREATE TABLE flows_1 AS SELECT 6 AS PROTOCOL, 7.0 AS L7_PROTO, 40 * (1 + i % 5) AS IN_BYTES, 0 AS OUT_BYTES, 1 + i % 2 AS IN_PKTS,
      0 AS OUT_PKTS, 2 AS TCP_FLAGS, 4294000 + i % 3 AS FLOW_DURATION_MILLISECONDS, CASE WHEN i % 2 = 0 THEN 'Benign' ELSE 'DoS' END AS Attack FROM range(60) t(i)`);
    const set = chooseFeatureSet(['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'], 'v1');
    const ds = await loadDataset(conn, 'flows_1', { set, window: 3 });
    const f = featureCount(set);
    const numeric = numericFeatureCount(set);
    // train on the flows whose IN_BYTES is not 200: that value is unseen by the model
    const train = Int32Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 5 !== 4);
    const { vocabulary, remap } = trainingVocabulary(ds, train);
    expect(vocabulary[2]).toEqual([40, 80, 120, 160]);
    expect(vocabulary[7]).toEqual([4294000, 4294001, 4294002]);
    // statistics as training fits them: on the training flows, code channels left as they are
    const fitted = fitStats(ds.rowValues, f, Int32Array.from(train, (r) => ds.groups[r]!));
    const stats = { mean: fitted.mean.map((m, j) => (j < numeric ? m : 0)), std: fitted.std.map((s, j) => (j < numeric ? s : 1)), vocabulary };
    expect(stats.std.slice(0, numeric).some((s) => s !== 1)).toBe(true);
    const all = Array.from({ length: 60 }, (_, i) => i);
    const trained = gatherWindows(ds.rowValues, f, ds.index, 3, all, undefined, new RowScaler(f, stats, remap));
    const streamed = new Float32Array(60 * 3 * (f + 1));
    let at = 0;
    for await (const b of streamWindows(conn, 'flows_1', { set, stats, window: 3, keyed: false, batchSize: 7 })) {
      streamed.set(b.x, at);
      at += b.x.length;
    }
    expect(at).toBe(streamed.length);
    // bit for bit, padding and mask included
    expect(new Uint32Array(streamed.buffer)).toEqual(new Uint32Array(trained.buffer));
    const last = (i: number) => Array.from(streamed.subarray((i * 3 + 2) * (f + 1) + numeric, (i * 3 + 3) * (f + 1) - 1));
    expect(last(4)[2]).toBe(0); // IN_BYTES 200: unknown
    expect(last(3)[2]).toBe(4); // IN_BYTES 160: the 4th value
    conn.closeSync();
  });
});
