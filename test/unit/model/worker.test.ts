import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ModelWorker, ScoringPool } from '../../../main/core/model/client.ts';
import { chooseFeatureSet } from '../../../main/core/model/features.ts';
import { initBackend } from '../../../main/core/model/backend.ts';
import { trainOnThreads } from '../../../main/core/model/train.ts';
import { loadDataset } from '../../../main/core/model/dataset.ts';
import { tempDir } from '../helpers.ts';

const V1_COLUMNS = ['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'];

/** A small synthetic capture: the class is readable from PROTOCOL and TCP_FLAGS. */
async function syntheticCapture(conn: DuckDBConnection, n: number, table = 'flows_1'): Promise<void> {
  await conn.run(`CREATE TABLE ${table} AS
    SELECT '192.168.100.' || (147 + i % 4) AS IPV4_SRC_ADDR, 40000 + i % 1000 AS L4_SRC_PORT, '192.168.100.3' AS IPV4_DST_ADDR, 80 AS L4_DST_PORT,
      CASE i % 3 WHEN 0 THEN 17 ELSE 6 END AS PROTOCOL, 0.0 AS L7_PROTO,
      CASE i % 3 WHEN 0 THEN 56 WHEN 1 THEN 280 ELSE 44 END + (i * 7919) % 5 AS IN_BYTES, 0 AS OUT_BYTES, 1 + i % 2 AS IN_PKTS, 0 AS OUT_PKTS,
      CASE i % 3 WHEN 0 THEN 0 WHEN 1 THEN 2 ELSE 22 END AS TCP_FLAGS, (i * 31) % 50 AS FLOW_DURATION_MILLISECONDS,
      1 AS Label, CASE i % 3 WHEN 0 THEN 'DDoS' WHEN 1 THEN 'DoS' ELSE 'Reconnaissance' END AS Attack
    FROM range(${n}) t(i)`);
}

/** A two-worker wasm scoring pool on the package at `dir`, closed after `use` whatever happens. */
async function withPool(dir: string, use: (pool: ScoringPool) => Promise<void>): Promise<void> {
  const pool = await ScoringPool.open(dir, { workers: 2, backend: 'wasm' });
  try {
    await use(pool);
  } finally {
    await pool.close();
  }
}

describe('model worker (worker_threads under tsx)', () => {
  const tmp = tempDir('mindflow-worker-');
  const dir = join(tmp.dir, 'model');
  let conn: DuckDBConnection;
  beforeAll(async () => {
    conn = await (await DuckDBInstance.create(':memory:')).connect();
    await syntheticCapture(conn, 3000);
    // batches are whole DuckDB chunks of 2,048 flows: enough of them to fill every slot
    await syntheticCapture(conn, 24_000, 'flows_2');
  });
  afterAll(() => {
    conn?.closeSync();
    tmp.cleanup();
  });

  it('trains in a worker with progress, saves a package, reports its backend', async () => {
    const worker = new ModelWorker('wasm');
    try {
      expect((await worker.backend()).name).toBe('wasm');
      const ds = await loadDataset(conn, 'flows_1', { set: chooseFeatureSet(['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'], 'v1'), window: 4 });
      const epochs: number[] = [];
      let batches = 0;
      const summary = await worker.train(
        ds,
        { epochs: 3, batchSize: 64, convFilters: [8, 8], lstmUnits: 8, flowSkipUnits: 8, kernelSize: 2, learningRate: 1e-2, seed: 1 },
        { save: { dir, name: 'synthetic', appVersion: '0.1.0' }, onEpoch: (p) => epochs.push(p.epoch), onBatch: () => batches++ },
      );
      expect(epochs).toEqual([1, 2, 3]);
      expect(batches).toBeGreaterThan(0);
      expect(summary.manifest.backend).toMatch(/wasm/);
      expect(summary.test!.macroF1).toBeGreaterThan(0.9);
    } finally {
      await worker.terminate();
    }
  });

  it('cancels a training job', async () => {
    const worker = new ModelWorker('cpu');
    try {
      const ds = await loadDataset(conn, 'flows_1', { set: chooseFeatureSet(['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'], 'v1'), window: 4 });
      const controller = new AbortController();
      const run = worker.train(ds, { epochs: 100, batchSize: 32, convFilters: [4, 4], lstmUnits: 4, kernelSize: 2 }, { signal: controller.signal, onBatch: (p) => p.batch === 3 && controller.abort() });
      await expect(run).rejects.toThrow(/cancelled/);
    } finally {
      await worker.terminate();
    }
  });

  it('trains data-parallel on two threads: the same curve as one thread, and both stop on cancel', async () => {
    const ds = await loadDataset(conn, 'flows_1', { set: chooseFeatureSet(V1_COLUMNS, 'v1'), window: 4 });
    // no dropout: the summed shares then give the whole batch's gradient, up to float rounding
    const settings = { epochs: 2, batchSize: 64, convFilters: [8, 8], lstmUnits: 8, flowSkipUnits: 8, kernelSize: 2, dropout: 0, learningRate: 1e-2, seed: 3 };
    const curve = async (workers: number) => {
      const worker = new ModelWorker('wasm');
      try {
        const losses: number[] = [];
        const summary = await worker.train(ds, { ...settings, workers }, { onEpoch: (p) => losses.push(p.loss) });
        return { losses, summary };
      } finally {
        await worker.terminate();
      }
    };
    const one = await curve(1);
    const two = await curve(2);
    expect(two.losses).toHaveLength(2);
    two.losses.forEach((l, i) => expect(l).toBeCloseTo(one.losses[i]!, 3));
    expect(two.summary.manifest.training.workers).toBe(2);
    expect(two.summary.test!.macroF1).toBeGreaterThan(0.9);

    const worker = new ModelWorker('wasm');
    try {
      const controller = new AbortController();
      const run = worker.train(ds, { ...settings, epochs: 100, workers: 2 }, { signal: controller.signal, onBatch: (p) => p.batch === 3 && controller.abort() });
      await expect(run).rejects.toThrow(/cancelled/);
      // the worker (and its peer) are free again: a short run still completes
      const again = await worker.train(ds, { ...settings, epochs: 1, workers: 2 }, {});
      expect(again.history).toHaveLength(1);
    } finally {
      await worker.terminate();
    }
  });

  it('a training peer that cannot start its backend stops rank 0 with an error, not a hang', async () => {
    let native = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      native = false;
    }
    if (native) return; // tfjs-node is installed here: the peer would start
    await initBackend('wasm');
    const ds = await loadDataset(conn, 'flows_1', { set: chooseFeatureSet(V1_COLUMNS, 'v1'), window: 4 });
    // rank 0 runs on wasm; the spawned peer is told to start tfjs-node, which is not installed
    const run = trainOnThreads(ds, { epochs: 2, batchSize: 64, convFilters: [4, 4], lstmUnits: 4, flowSkipUnits: 4, kernelSize: 2, seed: 1 }, { workers: 2, backend: 'node' });
    await expect(run).rejects.toThrow(/another training worker failed/);
  });

  it('scores a capture across two workers, in capture order', async () => {
    await withPool(dir, async (pool) => {
      const ids: number[] = [];
      let correct = 0;
      const scored = await pool.scoreTable(conn, 'flows_1', {
        batchSize: 500,
        withLabels: true,
        onBatch: (b) => {
          ids.push(...b.flowIds);
          const k = pool.manifest.classes.length;
          for (let i = 0; i < b.flowIds.length; i++) {
            let best = 0;
            for (let j = 1; j < k; j++) if (b.probs[i * k + j]! > b.probs[i * k + best]!) best = j;
            if (best === b.labels![i]) correct++;
          }
        },
      });
      expect(scored).toBe(3000);
      expect(ids).toEqual(Array.from({ length: 3000 }, (_, i) => i));
      expect(correct / 3000).toBeGreaterThan(0.9);
      const { metrics, unknownLabels } = await pool.evaluateTable(conn, 'flows_1', { batchSize: 1000 });
      expect(unknownLabels).toBe(0);
      expect(metrics.total).toBe(3000);
      expect(metrics.accuracy).toBeCloseTo(correct / 3000, 10);
    });
  });

  it('delivers batches in capture order to a consumer that is sometimes slow', async () => {
    await withPool(dir, async (pool) => {
      const ids: number[] = [];
      let calls = 0;
      const scored = await pool.scoreTable(conn, 'flows_2', {
        batchSize: 2048,
        onBatch: async (b) => {
          // every third batch keeps the scan waiting while the workers finish the ones after it
          if (calls++ % 3 === 0) await new Promise((r) => setTimeout(r, 15));
          ids.push(...b.flowIds);
        },
      });
      expect(scored).toBe(24_000);
      expect(calls).toBe(Math.ceil(24_000 / 2048));
      expect(ids).toEqual(Array.from({ length: 24_000 }, (_, i) => i));
    });
  });

  it('a worker that dies mid-scan fails the scan with its error, not a hang', async () => {
    await withPool(dir, async (pool) => {
      let batches = 0;
      const scan = pool.scoreTable(conn, 'flows_2', {
        batchSize: 2048,
        onBatch: async () => {
          // the second worker exits as if it had crashed (not through close(), which stops quietly)
          if (batches++ === 0) await (pool.workers[1] as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
        },
      });
      await expect(scan).rejects.toThrow(/model worker exited/);
      expect(batches).toBeLessThan(Math.ceil(24_000 / 2048));
    });
  });
});
