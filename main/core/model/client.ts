/**
 * Main-process side of the model worker: spawns worker threads, trains in one, scores a
 * capture across several (one per core by default). The main thread only reads DuckDB and
 * assembles windows; TensorFlow.js runs in the workers.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MindflowError } from '../errors.ts';
import type { BackendInfo, BackendKind } from './backend.ts';
import { argmaxRows, computeMetrics, type Metrics } from './metrics.ts';
import type { ModelManifest } from './package.ts';
import type { SaveTarget, TrainSettings, TrainSummary, WorkerRequest, WorkerResponse } from './protocol.ts';
import type { BatchProgress, EpochProgress } from './train.ts';
import type { Dataset } from './dataset.ts';
import { spawnModelWorker } from './parallel.ts';
import { streamWindows, tableRowCount } from './windows.ts';

interface Pending {
  resolve: (msg: WorkerResponse) => void;
  reject: (err: Error) => void;
  onProgress?: (msg: WorkerResponse) => void;
}

export class ModelWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ready: Promise<BackendInfo>;
  private failure: Error | null = null;
  private rejectReady: ((err: Error) => void) | null = null;

  constructor(backend: BackendKind | null = null) {
    this.worker = spawnModelWorker();
    let onReady!: (b: BackendInfo) => void;
    let onFail!: (e: Error) => void;
    this.ready = new Promise<BackendInfo>((res, rej) => ((onReady = res), (onFail = rej)));
    this.rejectReady = onFail;
    this.ready.catch(() => undefined);
    this.worker.on('message', (msg: WorkerResponse) => {
      if (msg.type === 'ready') return onReady(msg.backend);
      if (msg.type === 'error' && msg.id === null) return onFail(new MindflowError('internal', msg.message));
      const p = this.pending.get(msg.id as number);
      if (!p) return;
      if (msg.type === 'batch' || msg.type === 'epoch') return p.onProgress?.(msg);
      this.pending.delete(msg.id as number);
      if (msg.type === 'error') p.reject(new MindflowError(msg.code as ConstructorParameters<typeof MindflowError>[0], msg.message));
      else p.resolve(msg);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new MindflowError('internal', `model worker exited (code ${code})`)));
    this.post({ type: 'init', backend });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.rejectReady?.(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private post(msg: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private request(make: (id: number) => WorkerRequest, transfer: ArrayBuffer[] = [], onProgress?: (m: WorkerResponse) => void): { id: number; done: Promise<WorkerResponse> } {
    const id = this.nextId++;
    const done = new Promise<WorkerResponse>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.pending.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      this.post(make(id), transfer);
    });
    return { id, done };
  }

  /** The backend the worker initialised (visible in the status bar, CLI and reports). */
  backend(): Promise<BackendInfo> {
    return this.ready;
  }

  async load(dir: string): Promise<ModelManifest> {
    await this.ready;
    const r = await this.request((id) => ({ type: 'load', id, dir })).done;
    return (r as Extract<WorkerResponse, { type: 'loaded' }>).manifest;
  }

  /**
   * Class probabilities of `size` unkeyed windows given as their rows [W-1+size, C] (window i
   * is rows i..i+W-1): W times less to build and send; the worker expands them.
   */
  async scoreRows(rows: Float32Array, size: number): Promise<Float32Array> {
    await this.ready;
    const r = await this.request((id) => ({ type: 'score-rows', id, rows, size }), [rows.buffer as ArrayBuffer]).done;
    return (r as Extract<WorkerResponse, { type: 'scored' }>).probs;
  }

  /**
   * Class probabilities [size, classes] of windows x [size, W, C] (pre-softmax scores with
   * `logits`); x's buffer is transferred.
   */
  async score(x: Float32Array, size: number, opts: { logits?: boolean } = {}): Promise<Float32Array> {
    await this.ready;
    const r = await this.request((id) => ({ type: 'score', id, x, size, logits: Boolean(opts.logits) }), [x.buffer as ArrayBuffer]).done;
    return (r as Extract<WorkerResponse, { type: 'scored' }>).probs;
  }

  async train(
    dataset: Dataset,
    settings: TrainSettings,
    opts: { save?: SaveTarget; signal?: AbortSignal; onBatch?: (p: BatchProgress) => void; onEpoch?: (p: EpochProgress) => void } = {},
  ): Promise<TrainSummary> {
    await this.ready;
    // A cancel that came while the worker was starting must not be lost.
    if (opts.signal?.aborted) throw new MindflowError('cancelled', 'training cancelled');
    const { id, done } = this.request(
      (id) => ({ type: 'train', id, dataset, settings, save: opts.save ?? null }),
      [],
      (m) => {
        if (m.type === 'batch') opts.onBatch?.(m.progress);
        if (m.type === 'epoch') opts.onEpoch?.(m.progress);
      },
    );
    const onAbort = () => this.post({ type: 'cancel', id });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const r = await done;
      return (r as Extract<WorkerResponse, { type: 'trained' }>).summary;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  async terminate(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

export interface ScoredBatch {
  flowIds: Float64Array;
  /** [flowIds.length, classes] */
  probs: Float32Array;
  labels: Int32Array | null;
}

export interface ScoreOptions {
  workers?: number;
  backend?: BackendKind | null;
  batchSize?: number;
  /** map labels (when the capture has them) for evaluation */
  withLabels?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** receives results in capture order */
  onBatch: (batch: ScoredBatch) => void | Promise<void>;
}

/**
 * Flows per batch a scan hands a worker: one DuckDB chunk (2,048 rows; a batch is whole chunks).
 * Smaller batches keep both workers busy from the first flow to the last (less to wait for at
 * the start and the end, a shorter stall behind a slow one): on sample A with two workers,
 * batches of 2,048 scored 7 to 11 % faster than 4,096, while one thread's model speed is the
 * same for either.
 */
export const SCAN_BATCH = 2048;

/** A set of workers with the same model loaded; one per core by default. */
export class ScoringPool {
  private constructor(
    readonly workers: ModelWorker[],
    readonly manifest: ModelManifest,
    readonly backend: BackendInfo,
  ) {}

  static async open(modelDir: string, opts: { workers?: number; backend?: BackendKind | null } = {}): Promise<ScoringPool> {
    const n = Math.max(1, opts.workers ?? availableParallelism());
    const workers = Array.from({ length: n }, () => new ModelWorker(opts.backend ?? null));
    try {
      const manifests = await Promise.all(workers.map((w) => w.load(modelDir)));
      return new ScoringPool(workers, manifests[0]!, await workers[0]!.backend());
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
  }

  /**
   * Scores every flow of a flows table in capture order; returns the number of flows scored.
   * `conn` is used for one streaming read for the whole scan: give it a connection of its own
   * (instance.connect()), and write results through another one.
   */
  async scoreTable(conn: DuckDBConnection, table: string, opts: ScoreOptions): Promise<number> {
    const m = this.manifest;
    const total = await tableRowCount(conn, table);
    const batches = streamWindows(conn, table, {
      set: m.featureSet,
      stats: m.normalization,
      window: m.window,
      keyed: m.keyed,
      batchSize: opts.batchSize ?? SCAN_BATCH,
      classes: opts.withLabels ? m.classes : null,
      binary: m.binary,
      compact: true,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    // Two batches in flight per worker, each batch to the worker with the fewest: a worker held
    // up by a slow batch (a stretch of flows its flow-path cache has not seen) no longer idles the
    // others, as a strict turn would. Results are delivered strictly in capture order; finished
    // batches behind a slow one wait, up to twice the slots.
    const limit = this.workers.length * 2;
    const queue: { worker: number; settled: boolean; result: Promise<ScoredBatch> }[] = [];
    const inFlight = () => queue.filter((e) => !e.settled);
    let done = 0;
    const deliver = async () => {
      while (queue.length && queue[0]!.settled) {
        const r = await queue.shift()!.result;
        await opts.onBatch(r);
        done += r.flowIds.length;
        opts.onProgress?.(done, total);
      }
    };
    for await (const b of batches) {
      if (opts.signal?.aborted) throw new MindflowError('cancelled', 'scan cancelled');
      for (;;) {
        await deliver();
        // after deliver the head is in flight (or nothing is queued), so the race has a runner
        if (inFlight().length < limit && queue.length < 2 * limit) break;
        await Promise.race(inFlight().map((e) => e.result.catch(() => undefined)));
      }
      const load = this.workers.map((_, i) => inFlight().filter((e) => e.worker === i).length);
      const w = load.indexOf(Math.min(...load));
      const worker = this.workers[w]!;
      const result = (b.rows ? worker.scoreRows(b.rows, b.size) : worker.score(b.x, b.size)).then((probs) => ({ flowIds: b.flowIds, probs, labels: b.labels }));
      const entry = { worker: w, settled: false, result };
      // marks the entry before anyone awaiting the result resumes; a failure surfaces on delivery
      result.then(() => (entry.settled = true), () => (entry.settled = true));
      queue.push(entry);
    }
    while (queue.length) {
      await queue[0]!.result.catch(() => undefined);
      await deliver();
    }
    return done;
  }

  /**
   * Evaluates the loaded model on a labelled capture (every flow, in capture order). Flows
   * whose Attack value is not one of the model's classes are left out and counted.
   */
  async evaluateTable(
    conn: DuckDBConnection,
    table: string,
    opts: Omit<ScoreOptions, 'onBatch' | 'withLabels'> = {},
  ): Promise<{ metrics: Metrics; unknownLabels: number }> {
    const k = this.manifest.classes.length;
    const truth: number[] = [];
    const predicted: number[] = [];
    let unknownLabels = 0;
    await this.scoreTable(conn, table, {
      ...opts,
      withLabels: true,
      onBatch: (b) => {
        const p = argmaxRows(b.probs, k);
        for (let i = 0; i < p.length; i++) {
          const t = b.labels![i]!;
          if (t < 0) unknownLabels++;
          else (truth.push(t), predicted.push(p[i]!));
        }
      },
    });
    return { metrics: computeMetrics(truth, predicted, this.manifest.classes), unknownLabels };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
