/**
 * The detector's operations over a project: train a model on a capture, evaluate a model on
 * a labelled capture, scan every flow of a capture into DuckDB and derive flagged windows.
 * TensorFlow.js runs in worker threads (model/client.ts); this module reads DuckDB, moves
 * batches and writes results. Each operation is a plain async function with its context.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIGINT, DuckDBDataChunk, FLOAT, UTINYINT, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { otherAttacksText, type BackendStatus, type CaptureInfo, type EpochPoint, type Evaluation, type ModelMetrics, type ScanSummary, type TrainResult, type TrainSettings } from '../../../preload/contract.ts';
import type { JobContext } from '../capture/import.ts';
import { EMPTY_LABEL } from '../capture/schema.ts';
import { flowsTable, queryObjects, scalar } from '../db.ts';
import { isCancelled, MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import type { BackendInfo, BackendKind } from '../model/backend.ts';
import { CUDA_LIBRARIES, NO_CUDA_DEVICE, nvidiaGpu, type NvidiaGpu } from '../model/gpu.ts';
import { ModelWorker, ScoringPool } from '../model/client.ts';
import { chooseFeatureSet } from '../model/features.ts';
import { trainingWorkers } from '../model/parallel.ts';
import { OTHER_LABEL, benignIndex, classMatcher, metricsFromConfusion, type OtherAttacks } from '../model/metrics.ts';
import { assertCompatible, readManifest, type ModelManifest } from '../model/package.ts';
import { captureDataHash, loadDataset } from '../model/dataset.ts';
import type { EpochProgress, TrainOptions } from '../model/train.ts';
import { ModelStore } from './store.ts';
import { APP_VERSION } from '../version.ts';

export const DEFAULT_THRESHOLD = 0.5;

// Workers pick their backend themselves (model/backend.ts), honouring MINDFLOW_BACKEND, which
// they inherit with the environment: a bad value is an error there, not silently ignored here.

export interface DetectorContext extends JobContext {
  onEpoch?: (point: EpochPoint) => void;
  onBatch?: (p: { epoch: number; batch: number; batches: number; loss: number; accuracy: number }) => void;
}


/** The name a scan, an evaluation and the status bar give each backend. */
const BACKEND_NAMES: Record<BackendKind, string> = { gpu: 'tfjs-node-gpu', node: 'tfjs-node', wasm: 'wasm', cpu: 'cpu' };

/** `gpu`: what /proc says (read here, only when a note needs it, unless given). */
export function backendStatusOf(info: BackendInfo, gpu?: NvidiaGpu | null): BackendStatus {
  const notes: string[] = [];
  const why = new Map(info.skipped?.map((s) => [s.kind, s.reason]));
  if (info.kind === 'wasm' || info.kind === 'cpu') {
    const card = why.has('gpu') ? (gpu === undefined ? nvidiaGpu() : gpu) : null;
    if (card) {
      const what = [card.models.join(', ') || 'model unknown', card.driver ? `driver ${card.driver}` : null].filter(Boolean).join(', ');
      notes.push(`this machine has an NVIDIA GPU (${what}) but @tensorflow/tfjs-node-gpu did not load: ${why.get('gpu')}. It needs libtensorflow 2.9.1, which its install downloads, and ${CUDA_LIBRARIES}`);
    } else if (why.has('gpu') || why.has('node')) {
      notes.push(`no native TensorFlow (optional, it needs libtensorflow): ${[why.get('gpu'), why.get('node')].filter(Boolean).join('; ')}`);
    } else {
      notes.push('@tensorflow/tfjs-node-gpu and @tensorflow/tfjs-node were not tried (optional: they need libtensorflow)');
    }
  }
  if (info.kind === 'gpu' && info.label.includes(NO_CUDA_DEVICE)) {
    notes.push(`libtensorflow 2.9.1 found no GPU it can use: it needs ${CUDA_LIBRARIES} on the library path`);
  }
  if (info.kind === 'cpu') notes.push('the WebAssembly backend could not start; plain JavaScript is much slower');
  if (process.env.MINDFLOW_BACKEND) notes.push(`forced by MINDFLOW_BACKEND=${process.env.MINDFLOW_BACKEND}`);
  if (info.kind === 'wasm' || info.kind === 'cpu') {
    // the label is one worker's; scans and training run one such worker per core
    const cores = availableParallelism();
    const workers = `${cores} worker${cores === 1 ? '' : 's'}`;
    notes.unshift(`each model worker runs ${info.label}; a scan runs ${workers} (one per core) and training splits each batch across up to ${cores}`);
    // "wasm (SIMD, 1 thread)" -> "SIMD · 2 workers × 1 thread"; "cpu (plain JavaScript)" -> "plain JavaScript · 2 workers"
    const inner = /^\w+ \((.*)\)$/.exec(info.label)?.[1] ?? info.label;
    const [what, threads] = inner.split(/, (?=\d+ threads?$)/);
    return { name: BACKEND_NAMES[info.kind], device: `${what} · ${threads ? `${workers} × ${threads}` : workers}`, notes };
  }
  return { name: BACKEND_NAMES[info.kind], device: info.label, notes };
}

let probed: Promise<BackendStatus> | null = null;

/** Which backend the model workers get on this machine (probed once, in a worker). */
export function probeBackend(): Promise<BackendStatus> {
  probed ??= (async () => {
    const worker = new ModelWorker(null);
    try {
      return backendStatusOf(await worker.backend());
    } finally {
      await worker.terminate();
    }
  })();
  probed.catch(() => (probed = null));
  return probed;
}

function toEpochPoint(p: EpochProgress): EpochPoint {
  return {
    epoch: p.epoch,
    epochs: p.epochs,
    loss: p.loss,
    accuracy: p.accuracy,
    valMacroF1: p.validation?.macroF1 ?? null,
    valAccuracy: p.validation?.accuracy ?? null,
    seconds: p.seconds,
    windowsPerSecond: p.windowsPerSecond,
  };
}

export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  // the v1 fields, or the richer v2 set when the capture has its columns (the Train form's default too)
  featureSet: 'auto',
  window: 10,
  keyBySource: false,
  binary: false,
  identifiers: false,
  convFilters: [64, 128],
  kernelSize: 3,
  poolSize: 2,
  dropout: 0.3,
  lstmUnits: 64,
  flowSkipUnits: 128,
  flowSkipLayers: 2,
  valueCodes: true,
  embeddingDim: 16,
  codeDropout: 0,
  learningRate: 1e-3,
  learningRateSchedule: 'cosine',
  sampling: 'unique',
  epochs: 20,
  batchSize: 256,
  seed: 42,
  testFraction: 0.2,
  validationFraction: 0.1,
  earlyStoppingPatience: 0,
  classWeighting: 'sqrt',
};

/** The trainer's options for the contract's training settings (a setting left out stays undefined). */
export function trainOptionsOf(settings: Partial<TrainSettings>): TrainOptions {
  return {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed: settings.seed,
    testFraction: settings.testFraction,
    validationFraction: settings.validationFraction,
    classWeighting: settings.classWeighting,
    earlyStoppingPatience: settings.earlyStoppingPatience || undefined,
    convFilters: settings.convFilters,
    kernelSize: settings.kernelSize,
    poolSize: settings.poolSize,
    dropout: settings.dropout,
    lstmUnits: settings.lstmUnits,
    flowSkipUnits: settings.flowSkipUnits,
    flowSkipLayers: settings.flowSkipLayers,
    embeddingDim: settings.embeddingDim,
    codeDropout: settings.codeDropout,
    learningRate: settings.learningRate,
    learningRateSchedule: settings.learningRateSchedule,
    groupSampling: settings.sampling,
  };
}

export async function trainModel(project: Project, capture: CaptureInfo, opts: { name?: string | undefined; settings?: Partial<TrainSettings> | undefined }, ctx: DetectorContext): Promise<TrainResult> {
  if (!capture.labelled) throw new MindflowError('bad-args', `capture #${capture.id} (${capture.fileName}) has no labels: training needs a labelled capture`);
  const settings: TrainSettings = { ...DEFAULT_TRAIN_SETTINGS, ...(opts.settings ?? {}) };
  const set = chooseFeatureSet(capture.columns, settings.featureSet, { identifiers: settings.identifiers, codes: settings.valueCodes && settings.flowSkipUnits > 0 });
  ctx.progress({ phase: 'reading', fraction: null, message: `reading ${capture.rows.toLocaleString('en-US')} flows of ${capture.fileName}` });
  const conn = await project.connect();
  let dataset;
  try {
    dataset = await loadDataset(conn, flowsTable(capture.id), {
      set, window: settings.window, keyed: settings.keyBySource, binary: settings.binary, signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ phase: 'reading', fraction: done / total, message: `read ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} flows of ${capture.fileName}` }),
    });
  } finally {
    conn.closeSync();
  }
  if (ctx.signal.aborted) throw new MindflowError('cancelled', 'training cancelled');
  const name = opts.name ?? `MindFlow CNN-BiLSTM on ${capture.fileName}`;
  const dir = await mkdtemp(join(tmpdir(), 'mindflow-train-'));
  const packageDir = join(dir, 'model');
  const worker = new ModelWorker(null);
  const history: EpochPoint[] = [];
  try {
    const backend = await worker.backend();
    ctx.progress({ phase: 'training', fraction: 0, message: `training on ${backend.label}` });
    await worker.train(
      dataset,
      {
        ...trainOptionsOf(settings),
        // native backends thread their own kernels; wasm and plain JS get one thread per core
        workers: backend.kind === 'wasm' || backend.kind === 'cpu' ? trainingWorkers(settings.batchSize, availableParallelism()) : 1,
      },
      {
        save: { dir: packageDir, name, appVersion: APP_VERSION },
        signal: ctx.signal,
        onBatch: (p) => {
          ctx.onBatch?.(p);
          ctx.progress({ phase: 'training', fraction: ((p.epoch - 1) + p.batch / p.batches) / settings.epochs, message: `epoch ${p.epoch}/${settings.epochs}, loss ${p.loss.toFixed(4)}` });
        },
        onEpoch: (p) => {
          const point = toEpochPoint(p);
          history.push(point);
          ctx.onEpoch?.(point);
        },
      },
    );
    if (ctx.signal.aborted) throw new MindflowError('cancelled', 'training cancelled');
    const model = await new ModelStore(project).add(packageDir, { history, settings });
    return { model };
  } catch (err) {
    if (ctx.signal.aborted) throw new MindflowError('cancelled', 'training cancelled');
    throw err;
  } finally {
    await worker.terminate();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Per label, the flows of a capture that a model's metrics cannot count: labels that are not
 * among its classes (another dataset's vocabulary) and empty ones (`(empty)` in the capture's
 * class counts). A binary model maps every non-empty label, so only empty ones are left.
 */
export function unknownLabelCounts(classCounts: Record<string, number>, model: { classes: readonly string[]; binary: boolean }): Record<string, number> {
  const match = classMatcher(model.classes);
  return Object.fromEntries(
    Object.entries(classCounts)
      .filter(([label, n]) => n > 0 && (label === EMPTY_LABEL || (!model.binary && match(label) < 0)))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  );
}

/**
 * Confusion over the manifest's classes for flows whose label is one of them; the rest are
 * counted, and those labelled with an attack class the model lacks are kept for benign vs attack
 * (flagged when predicted as any attack class).
 */
class ConfusionAccumulator {
  readonly matrix: number[][];
  readonly other: OtherAttacks = { flagged: 0, missed: 0 };
  private readonly benign: number;
  leftOut = 0;
  constructor(readonly classes: string[]) {
    this.matrix = classes.map(() => new Array<number>(classes.length).fill(0));
    this.benign = benignIndex(classes);
  }
  add(labels: Int32Array, predicted: Uint8Array): void {
    for (let i = 0; i < labels.length; i++) {
      const t = labels[i]!;
      if (t >= 0) this.matrix[t]![predicted[i]!]! += 1;
      else {
        this.leftOut += 1;
        if (t === OTHER_LABEL && this.benign >= 0) {
          if (predicted[i] === this.benign) this.other.missed += 1;
          else this.other.flagged += 1;
        }
      }
    }
  }
  /** Null when no flow's label is a class of the model. */
  metrics(unknownLabels: Record<string, number>): ModelMetrics | null {
    const total = this.matrix.flat().reduce((a, b) => a + b, 0);
    if (!total) return null;
    const hasOther = this.other.flagged + this.other.missed > 0;
    const metrics = metricsFromConfusion(this.matrix, this.classes, hasOther ? this.other : undefined) as ModelMetrics;
    if (this.leftOut === 0) return metrics;
    return { ...metrics, unknownLabels, ...(hasOther ? { otherAttacks: { ...this.other } } : {}) };
  }
}

/**
 * The most probable class of each of `n` flows and its probability. A flow whose scores are not
 * numbers stops the scan: argmax would read NaN as the first class, Benign, and call it clean.
 */
function argmax(probs: Float32Array, k: number, n: number, flowIds: Float64Array): { predicted: Uint8Array; confidence: Float32Array } {
  const predicted = new Uint8Array(n);
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      if (!Number.isFinite(probs[i * k + c]!)) throw new MindflowError('bad-value', `the model gave flow ${flowIds[i]} a score that is not a number: its weights are broken, so no flow of this capture is scored`);
    }
    let best = 0;
    let bestP = probs[i * k]!;
    for (let c = 1; c < k; c++) {
      const p = probs[i * k + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    predicted[i] = best;
    confidence[i] = bestP;
  }
  return { predicted, confidence };
}

interface ScoreRun {
  modelId: string;
  flows: number;
  seconds: number;
  backend: BackendInfo;
  manifest: ModelManifest;
  confusion: ConfusionAccumulator | null;
  predictedCounts: number[];
}

/** Scores every flow of a capture, in capture order, handing each batch to `sink`. */
async function scoreCapture(
  project: Project,
  capture: CaptureInfo,
  modelId: string | undefined,
  ctx: JobContext,
  sink: ((flowIds: Float64Array, predicted: Uint8Array, confidence: Float32Array, probs: Float32Array, k: number) => void) | null,
  what: 'scan' | 'evaluation' = 'scan',
): Promise<ScoreRun> {
  const store = new ModelStore(project);
  const model = modelId ? await store.get(modelId) : await store.builtinFor(capture.columns);
  const manifest0 = await readManifest(model.dir);
  assertCompatible(manifest0, capture.columns, `capture #${capture.id} (${capture.fileName}, ${capture.schemaVersion})`);
  ctx.progress({ phase: 'loading model', fraction: 0, message: `loading ${manifest0.name}` });
  const pool = await ScoringPool.open(model.dir);
  const conn = await project.connect();
  const t0 = performance.now();
  try {
    const { manifest } = pool;
    const k = manifest.classes.length;
    const labelled = capture.labelled && capture.columns.includes('Attack');
    const confusion = labelled ? new ConfusionAccumulator(manifest.classes) : null;
    const predictedCounts = new Array<number>(k).fill(0);
    const flows = await pool.scoreTable(conn, flowsTable(capture.id), {
      withLabels: labelled,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ phase: 'scoring', fraction: done / total, message: `scored ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} flows` }),
      onBatch: (b) => {
        const n = b.flowIds.length;
        const { predicted, confidence } = argmax(b.probs, k, n, b.flowIds);
        for (let i = 0; i < n; i++) predictedCounts[predicted[i]!]! += 1;
        if (confusion && b.labels) confusion.add(b.labels, predicted);
        sink?.(b.flowIds, predicted, confidence, b.probs, k);
      },
    });
    if (ctx.signal.aborted) throw new MindflowError('cancelled', `${what} cancelled`);
    return { modelId: model.summary.id, flows, seconds: (performance.now() - t0) / 1000, backend: pool.backend, manifest, confusion, predictedCounts };
  } catch (err) {
    if (ctx.signal.aborted) throw new MindflowError('cancelled', `${what} cancelled`);
    throw err;
  } finally {
    conn.closeSync();
    await pool.close();
  }
}

export async function evaluateModel(project: Project, capture: CaptureInfo, modelId: string | undefined, ctx: JobContext): Promise<Evaluation> {
  if (!capture.labelled) throw new MindflowError('bad-args', `capture #${capture.id} (${capture.fileName}) has no labels to evaluate against`);
  const run = await scoreCapture(project, capture, modelId, ctx, null, 'evaluation').catch((err: unknown) => {
    // the scoring pool says 'scan cancelled' whatever it scored for
    throw isCancelled(err) ? new MindflowError('cancelled', 'evaluation cancelled') : err;
  });
  const metrics = run.confusion?.metrics(unknownLabelCounts(capture.classCounts, run.manifest));
  if (!metrics) {
    const other = run.confusion?.other;
    const flagged = other && other.flagged + other.missed > 0 ? `; ${otherAttacksText(other)}` : '';
    throw new MindflowError('bad-args', `none of capture #${capture.id}'s classes (${Object.keys(capture.classCounts).join(', ')}) are among the model's (${run.manifest.classes.join(', ')})${flagged}`);
  }
  const trainedOnCapture = await holdsTrainingData(project, capture, run.manifest, ctx);
  return { modelId: run.modelId, captureId: capture.id, metrics, flows: run.flows, seconds: run.seconds, backend: BACKEND_NAMES[run.backend.kind], trainedOnCapture };
}

/**
 * Whether a capture holds the flows a model was trained on, by the manifest's training data
 * hash. A capture of another size cannot, and is not read again; one of the same size is
 * hashed as training hashes its data (a second streaming read of the capture, about as long as
 * the evaluation), once: the project keeps the hash for that way of reading the capture.
 */
async function holdsTrainingData(project: Project, capture: CaptureInfo, manifest: ModelManifest, ctx: JobContext): Promise<boolean> {
  const flows = manifest.training.flows;
  if (typeof flows === 'number' && flows !== capture.rows) return false;
  const conn = await project.connect();
  try {
    const reading = JSON.stringify({ set: manifest.featureSet, classes: manifest.classes, binary: manifest.binary, keyed: manifest.keyed });
    const known = await queryObjects<{ hash: string }>(conn, `SELECT hash FROM capture_data_hashes WHERE capture_id = ? AND reading = ?`, [capture.id, reading]);
    if (known[0]) return known[0].hash === manifest.training.dataHash;
    const message = 'checking whether these are the flows the model was trained on';
    ctx.progress({ phase: 'checking', fraction: null, message });
    const hash = await captureDataHash(conn, flowsTable(capture.id), {
      set: manifest.featureSet, classes: manifest.classes, binary: manifest.binary, keyed: manifest.keyed, signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ phase: 'checking', fraction: done / total, message }),
    });
    await conn.run(`INSERT OR REPLACE INTO capture_data_hashes VALUES (?, ?, ?)`, [capture.id, reading, hash]);
    return hash === manifest.training.dataHash;
  } catch (err) {
    if (ctx.signal.aborted) throw new MindflowError('cancelled', 'evaluation cancelled');
    throw err;
  } finally {
    conn.closeSync();
  }
}

const PRED_TYPES: DuckDBType[] = [BIGINT, UTINYINT, FLOAT, FLOAT];

/**
 * Scans a capture: per-flow predictions land in `scan_<id>` (row i is flow i), then flagged
 * windows are derived in SQL. All in one transaction: a failed or cancelled scan leaves nothing.
 */
export async function scanCapture(project: Project, capture: CaptureInfo, opts: { modelId?: string | undefined; threshold?: number | undefined }, ctx: JobContext): Promise<ScanSummary> {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const store = new ModelStore(project);
  const probe = opts.modelId ? await store.get(opts.modelId) : await store.builtinFor(capture.columns);
  const modelId = probe.summary.id;
  const conn = await project.connect();
  const id = Number(await scalar(conn, `SELECT nextval('scan_ids')`));
  const table = `scan_${id}`;
  try {
    const k = probe.summary.classes.length;
    const probCols = probe.summary.classes.map((_, i) => `p${i} FLOAT`).join(', ');
    await conn.run(`CREATE TABLE ${table} (flow_id BIGINT, predicted UTINYINT, confidence FLOAT, attack_score FLOAT, ${probCols})`);
    const appender = await conn.createAppender(table);
    const types = [...PRED_TYPES, ...probe.summary.classes.map(() => FLOAT)];
    const benign = benignIndex(probe.summary.classes);
    const run = await scoreCapture(project, capture, modelId, ctx, (flowIds, predicted, confidence, probs) => {
      const n = flowIds.length;
      for (let s = 0; s < n; s += 2048) {
        const m = Math.min(2048, n - s);
        const cols: (number | bigint)[][] = types.map(() => new Array(m));
        for (let i = 0; i < m; i++) {
          const r = s + i;
          cols[0]![i] = BigInt(flowIds[r]!);
          cols[1]![i] = predicted[r]!;
          cols[2]![i] = confidence[r]!;
          cols[3]![i] = benign >= 0 ? 1 - probs[r * k + benign]! : confidence[r]!;
          for (let c = 0; c < k; c++) cols[4 + c]![i] = probs[r * k + c]!;
        }
        const chunk = DuckDBDataChunk.create(types, m);
        chunk.setColumns(cols as never);
        appender.appendDataChunk(chunk);
      }
    });
    appender.closeSync();
    ctx.progress({ phase: 'deriving windows', fraction: 1, message: 'deriving flagged windows' });
    const classes = run.manifest.classes;
    const flagged = await deriveFlaggedWindows(conn, capture, id, classes, threshold, run.manifest.keyed);
    const predictedCounts = Object.fromEntries(classes.map((c, i) => [c, run.predictedCounts[i]!]));
    const metrics = run.confusion?.metrics(unknownLabelCounts(capture.classCounts, run.manifest)) ?? null;
    await conn.run(`INSERT INTO scans VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?)`, [
      id, capture.id, modelId, run.manifest.name, JSON.stringify(classes), threshold, run.manifest.keyed, run.flows, run.seconds,
      run.flows / Math.max(run.seconds, 1e-9), BACKEND_NAMES[run.backend.kind], JSON.stringify(predictedCounts), flagged,
      metrics ? JSON.stringify(metrics) : null,
    ]);
    return await getScan(project, id);
  } catch (err) {
    await conn.run(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await conn.run(`DELETE FROM flagged_windows WHERE scan_id = ?`, [id]).catch(() => {});
    throw err;
  } finally {
    conn.closeSync();
  }
}

/**
 * Flagged windows: runs of consecutive flows (in key order: per source host for keyed models,
 * else capture order) predicted as the same attack class with confidence >= threshold.
 * Gaps and islands: within a key, row number minus row number within (key, class) is constant
 * along a run.
 */
export async function deriveFlaggedWindows(conn: DuckDBConnection, capture: CaptureInfo, scanId: number, classes: string[], threshold: number, keyed: boolean): Promise<number> {
  const benign = benignIndex(classes);
  const classCase = `CASE p.predicted ${classes.map((c, i) => `WHEN ${i} THEN '${c.replace(/'/g, "''")}'`).join(' ')} END`;
  const key = keyed ? 'f."IPV4_SRC_ADDR"' : 'NULL::VARCHAR';
  // v3 captures say when each flow started and ended; a window spans its flows' earliest start and latest end
  const start = capture.columns.includes('FLOW_START_MILLISECONDS') ? 'f."FLOW_START_MILLISECONDS"' : 'NULL::BIGINT';
  const end = capture.columns.includes('FLOW_END_MILLISECONDS') ? `coalesce(f."FLOW_END_MILLISECONDS", ${start})` : start;
  await conn.run(`DELETE FROM flagged_windows WHERE scan_id = ?`, [scanId]);
  await conn.run(
    `INSERT INTO flagged_windows (scan_id, id, class, first_flow, last_flow, flows, peak, mean, src_hosts, dst_hosts, dst_ports, key, start_ms, end_ms)
     WITH joined AS (
       SELECT p.flow_id, p.predicted, p.confidence, f."IPV4_SRC_ADDR" AS src, f."IPV4_DST_ADDR" AS dst, f."L4_DST_PORT" AS dport,
              ${start} AS t0, ${end} AS t1,
              ${key} AS k, (p.predicted <> ? AND p.confidence >= ?) AS flagged
       FROM ${flowsTable(capture.id)} f POSITIONAL JOIN scan_${scanId} p
     ), ordered AS (
       SELECT *, row_number() OVER (PARTITION BY k ORDER BY flow_id) AS rn FROM joined
     ), islands AS (
       SELECT *, rn - row_number() OVER (PARTITION BY k, predicted ORDER BY flow_id) AS grp FROM ordered WHERE flagged
     ), runs AS (
       SELECT k, predicted, min(flow_id) AS first_flow, max(flow_id) AS last_flow, count(*) AS flows,
              max(confidence) AS peak, avg(confidence) AS mean,
              list_sort(list_distinct(list(src)))[1:20] AS src_hosts,
              list_sort(list_distinct(list(dst)))[1:20] AS dst_hosts,
              list_sort(list_distinct(list(dport)))[1:20] AS dst_ports,
              CAST(min(t0) AS BIGINT) AS start_ms, CAST(max(t1) AS BIGINT) AS end_ms
       FROM islands GROUP BY k, predicted, grp
     )
     SELECT ?, CAST(row_number() OVER (ORDER BY first_flow, k) AS INTEGER), ${classCase.replace(/p\.predicted/g, 'predicted')},
            first_flow, last_flow, flows, peak, mean, src_hosts, dst_hosts, dst_ports, k, start_ms, end_ms
     FROM runs p`,
    [benign, threshold, scanId],
  );
  return Number(await scalar(conn, `SELECT count(*) FROM flagged_windows WHERE scan_id = ?`, [scanId]));
}

interface ScanRow {
  id: number;
  capture_id: number;
  model_id: string;
  model_name: string;
  threshold: number;
  created_at: string;
  flows: number;
  seconds: number;
  windows_per_second: number;
  backend: string;
  predicted_counts: string;
  flagged_windows: number;
  metrics: string | null;
}

const SCAN_SELECT = `SELECT id, capture_id, model_id, model_name, threshold, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
  flows, seconds, windows_per_second, backend, predicted_counts, flagged_windows, metrics FROM scans`;

function toScan(r: ScanRow): ScanSummary {
  return {
    id: r.id,
    captureId: r.capture_id,
    modelId: r.model_id,
    modelName: r.model_name,
    threshold: r.threshold,
    createdAt: r.created_at,
    flows: r.flows,
    seconds: r.seconds,
    windowsPerSecond: r.windows_per_second,
    backend: r.backend,
    predictedCounts: JSON.parse(r.predicted_counts) as Record<string, number>,
    flaggedWindows: r.flagged_windows,
    metrics: r.metrics ? (JSON.parse(r.metrics) as ModelMetrics) : null,
  };
}

export async function getScan(project: Project, id: number): Promise<ScanSummary> {
  const rows = await project.withConnection((c) => queryObjects<ScanRow>(c, `${SCAN_SELECT} WHERE id = ?`, [id]));
  if (!rows[0]) throw new MindflowError('bad-args', `no scan #${id} in this project`);
  return toScan(rows[0]);
}

export async function listScans(project: Project, captureId?: number): Promise<ScanSummary[]> {
  const rows = await project.withConnection((c) =>
    captureId === undefined
      ? queryObjects<ScanRow>(c, `${SCAN_SELECT} ORDER BY id DESC`)
      : queryObjects<ScanRow>(c, `${SCAN_SELECT} WHERE capture_id = ? ORDER BY id DESC`, [captureId]),
  );
  return rows.map(toScan);
}
