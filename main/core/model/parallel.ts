/**
 * Data-parallel training across worker threads: every rank holds the same model, takes its
 * share of each batch, and the ranks sum their gradients through one SharedArrayBuffer before
 * each applies the same update. Same sums in the same order give bit-identical Adam steps, so
 * the weights never drift apart and only rank 0's copy is kept.
 *
 * Layout of the buffer: a header of Int32 cells (barrier generation and count, stop flag, an
 * epoch decision), then per rank a scalar block (loss sum, weight sum, hits, windows) and a
 * gradient block of P floats, twice: step s uses set s % 2, so a rank that runs ahead to step
 * s + 1 never overwrites what a slower rank is still reading from step s. Last, P floats of
 * weights: each variable's update is computed by one rank (its owner, see ownersOf), which
 * writes the new values there for the others to read after a second barrier.
 */
import { Worker } from 'node:worker_threads';
import { MindflowError } from '../errors.ts';
import type { BackendKind } from './backend.ts';
import type { TrainSettings, WorkerRequest, WorkerResponse } from './protocol.ts';
import type { PreparedTraining } from './train.ts';
import type { Dataset } from './dataset.ts';

const HEADER_INTS = 8;
const GEN = 0;
const ARRIVED = 1;
const STOP = 2;
const DECISION = 3;
const SCALARS = 4;

/** Why the ranks stopped: 1 = cancelled by rank 0, 2 = a rank failed. */
export const STOP_CANCELLED = 1;
export const STOP_FAILED = 2;
const PEER_FAILED = 'another training worker failed';
/** a rank that waits this long at a barrier gives up (a peer thread died without a word) */
const BARRIER_TIMEOUT_MS = 120_000;

/** Whether `err` is the stop a rank sees when another rank failed. */
export function isPeerFailure(err: unknown): boolean {
  return err instanceof MindflowError && err.message === PEER_FAILED;
}

export interface StepTotals {
  loss: number;
  weight: number;
  hits: number;
  windows: number;
}

export class GradientExchange {
  private readonly header: Int32Array;
  private readonly scalars: Float64Array;
  private readonly grads: Float32Array;
  /** the updated weights, each variable written by its owner (see ownersOf) */
  readonly weights: Float32Array;
  private step = 0;

  private constructor(
    readonly buffer: SharedArrayBuffer,
    readonly rank: number,
    readonly size: number,
    readonly params: number,
  ) {
    this.header = new Int32Array(buffer, 0, HEADER_INTS);
    this.scalars = new Float64Array(buffer, HEADER_INTS * 4, 2 * size * SCALARS);
    const grads = HEADER_INTS * 4 + 2 * size * SCALARS * 8;
    this.grads = new Float32Array(buffer, grads, 2 * size * params);
    this.weights = new Float32Array(buffer, grads + 2 * size * params * 4, params);
  }

  static bytes(size: number, params: number): number {
    return HEADER_INTS * 4 + 2 * size * SCALARS * 8 + (2 * size + 1) * params * 4;
  }

  /** Rank 0 allocates; the other ranks attach to the buffer it hands them. */
  static create(size: number, params: number): GradientExchange {
    return new GradientExchange(new SharedArrayBuffer(GradientExchange.bytes(size, params)), 0, size, params);
  }

  static attach(buffer: SharedArrayBuffer, rank: number, size: number, params: number): GradientExchange {
    if (buffer.byteLength !== GradientExchange.bytes(size, params)) {
      throw new MindflowError('internal', `training peer ${rank}: exchange buffer is ${buffer.byteLength} bytes, this model needs ${GradientExchange.bytes(size, params)}`);
    }
    return new GradientExchange(buffer, rank, size, params);
  }

  /** Tells every rank to stop at its next barrier (and wakes those waiting). */
  stop(reason: number): void {
    GradientExchange.stopAll(this.buffer, reason);
  }

  /** stop() for a rank that failed before it could attach (bad backend, bad message). */
  static stopAll(buffer: SharedArrayBuffer, reason: number): void {
    const header = new Int32Array(buffer, 0, HEADER_INTS);
    Atomics.compareExchange(header, STOP, 0, reason);
    Atomics.notify(header, GEN);
  }

  stopped(): number {
    return Atomics.load(this.header, STOP);
  }

  /** Waits until every rank arrives; throws when a rank asked to stop. */
  barrier(): void {
    const h = this.header;
    this.check();
    const gen = Atomics.load(h, GEN);
    if (Atomics.add(h, ARRIVED, 1) === this.size - 1) {
      Atomics.store(h, ARRIVED, 0);
      Atomics.add(h, GEN, 1);
      Atomics.notify(h, GEN);
    } else {
      const since = performance.now();
      while (Atomics.load(h, GEN) === gen) {
        this.check();
        if (performance.now() - since > BARRIER_TIMEOUT_MS) {
          this.stop(STOP_FAILED);
          throw new MindflowError('internal', `training worker ${this.rank}: the other training workers stopped answering`);
        }
        Atomics.wait(h, GEN, gen, 200);
      }
    }
    this.check();
  }

  private check(): void {
    const why = Atomics.load(this.header, STOP);
    if (why === STOP_CANCELLED) throw new MindflowError('cancelled', 'training cancelled');
    if (why === STOP_FAILED) throw new MindflowError('internal', PEER_FAILED);
  }

  /** Where this rank writes its gradient sums (flat, in variable order) for the coming step. */
  outbox(): Float32Array {
    return this.block(this.step % 2, this.rank);
  }

  private block(set: number, rank: number): Float32Array {
    const at = (set * this.size + rank) * this.params;
    return this.grads.subarray(at, at + this.params);
  }

  /**
   * Publishes this rank's step totals (its gradients are already in outbox()), waits for the
   * others, and returns every rank's gradient block, in rank order, with the totals summed.
   * The blocks are only valid until the step after next. Summing them is the caller's job: on
   * wasm, adding them as tensors costs a fraction of a JavaScript loop over every weight.
   */
  exchange(totals: StepTotals): { parts: Float32Array[]; totals: StepTotals } {
    const set = this.step++ % 2;
    const s = (set * this.size + this.rank) * SCALARS;
    this.scalars[s] = totals.loss;
    this.scalars[s + 1] = totals.weight;
    this.scalars[s + 2] = totals.hits;
    this.scalars[s + 3] = totals.windows;
    this.barrier();
    const parts: Float32Array[] = [];
    const out: StepTotals = { loss: 0, weight: 0, hits: 0, windows: 0 };
    for (let r = 0; r < this.size; r++) {
      parts.push(this.block(set, r));
      const o = (set * this.size + r) * SCALARS;
      out.loss += this.scalars[o]!;
      out.weight += this.scalars[o + 1]!;
      out.hits += this.scalars[o + 2]!;
      out.windows += this.scalars[o + 3]!;
    }
    return { parts, totals: out };
  }

  /** Rank 0 publishes an epoch-end decision (e.g. 1 = stop early); every rank reads it after a barrier. */
  decide(value: number | null): number {
    if (this.rank === 0 && value !== null) Atomics.store(this.header, DECISION, value);
    this.barrier();
    const v = Atomics.load(this.header, DECISION);
    this.barrier();
    return v;
  }
}

/**
 * Which rank updates each variable (sizes in variable order): the largest first, each to the
 * rank with the fewest weights so far, so every rank runs about 1/size of the optimizer's work.
 * Every rank computes the same answer.
 */
export function ownersOf(sizes: number[], ranks: number): Int32Array {
  const owners = new Int32Array(sizes.length);
  const load = new Array<number>(ranks).fill(0);
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  for (const i of order) {
    let best = 0;
    for (let r = 1; r < ranks; r++) if (load[r]! < load[best]!) best = r;
    owners[i] = best;
    load[best]! += sizes[i]!;
  }
  return owners;
}

/**
 * How many threads one training run should use: one per core, but each thread's share of a
 * batch stays at 128 windows or more (smaller shares cost more in exchange than they save).
 */
export function trainingWorkers(batchSize: number, cores: number): number {
  return Math.max(1, Math.min(cores, Math.floor(batchSize / 128)));
}

/** The part [start, end) of a batch of `length` rows that `rank` of `size` trains on. */
export function shareOf(length: number, rank: number, size: number): [number, number] {
  return [Math.floor((length * rank) / size), Math.floor((length * (rank + 1)) / size)];
}

/**
 * Spawns a model worker thread. From TypeScript sources a small .mjs boot file registers tsx
 * inside the thread (Node 20 does not apply `--import` loaders to workers reliably); bundled
 * builds load worker.js directly, which electron.vite.config.ts puts in the same folder as every
 * chunk that holds this function.
 */
export function spawnModelWorker(): Worker {
  const isTs = import.meta.url.endsWith('.ts');
  return new Worker(new URL(isTs ? './worker-boot.mjs' : './worker.js', import.meta.url));
}

/** The helper ranks of one training run, each in its own worker thread. */
export interface TrainingPeers {
  /** hands the ranks their work: each gets its own copy of the dataset */
  start(buffer: SharedArrayBuffer, dataset: Dataset, settings: TrainSettings, prepared: PreparedTraining): void;
  /** resolves when every peer finished its epochs (after start); rejects with the first peer's error */
  done: Promise<void>;
  close(): Promise<void>;
}

/**
 * Spawns ranks 1..size-1 of a training run and starts their backends at once, so that a
 * thread's start (~1.4 s: the module graph and the wasm backend) overlaps rank 0's own
 * preparation instead of following it; start() then gives them the exchange buffer and the
 * data, and each trains its shares of every batch in lock step with rank 0.
 */
export function spawnTrainingPeers(size: number, backend: BackendKind | null): TrainingPeers {
  const workers: Worker[] = [];
  const finished: Promise<void>[] = [];
  for (let rank = 1; rank < size; rank++) {
    const worker = spawnModelWorker();
    workers.push(worker);
    finished.push(
      new Promise<void>((resolve, reject) => {
        worker.on('message', (msg: WorkerResponse) => {
          if (msg.type === 'peer-done') resolve();
          else if (msg.type === 'error') reject(new MindflowError(msg.code as ConstructorParameters<typeof MindflowError>[0], `training worker ${rank}: ${msg.message}`));
        });
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new MindflowError('internal', `training worker ${rank} exited (code ${code})`)));
      }),
    );
    worker.postMessage({ type: 'init', backend } satisfies WorkerRequest);
  }
  const done = Promise.all(finished).then(() => undefined);
  done.catch(() => undefined);
  return {
    // the job is queued until the peer's backend is up; rank 0 may by then be blocked at a
    // barrier and unable to answer anything
    start: (buffer, dataset, settings, prepared) =>
      workers.forEach((w, i) => w.postMessage({ type: 'train-peer', id: i + 1, dataset, settings, buffer, prepared, rank: i + 1, size } satisfies WorkerRequest)),
    done,
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
