/**
 * Training and evaluation of the detector on in-memory flows (pure of any backend choice).
 *
 * Honesty rules: the split is by unique feature rows (identical encoded rows never land on two
 * sides), stratified by class and seeded; normalisation statistics are fitted on the training
 * split only; test metrics come from flows the model never saw.
 */
import * as tf from '@tensorflow/tfjs';
import { MindflowError } from '../errors.ts';
import { BUILTIN_RECIPE } from '../../../preload/contract.ts';
import { codeCount, fitStats, RowScaler, type FeatureStats, type Vocabulary } from './features.ts';
import { computeMetrics, argmaxRows, type Metrics } from './metrics.ts';
import { buildModel, modelConfig, type ModelConfig } from './model.ts';
import { rng } from './random.ts';
import { rowsOf, shared, type Dataset } from './dataset.ts';

export { rng };
import { readInto, type BackendKind } from './backend.ts';
import { GradientExchange, ownersOf, shareOf, spawnTrainingPeers, STOP_CANCELLED, STOP_FAILED } from './parallel.ts';
import { gatherWindows } from './windows.ts';

/**
 * Most values a column's vocabulary keeps (the most frequent in training). Each kept value is a
 * learned vector, updated every batch: a column of ephemeral client ports (64,360 distinct in
 * the 278,781 flows of sample A) would otherwise add a million weights, a third more time per
 * epoch (57 s against 41 s on sample A with hosts and ports) and vectors for ports that never
 * come back. The v2 features of sample A stay under it (2,254 distinct durations at most); the
 * values past it code as unknown and the column's numeric channel still carries them.
 */
export const MAX_VOCABULARY = 4096;

/**
 * The value-code vocabulary of the training rows: per column, the values that occur at least
 * `minCount` times there (and of those the `maxValues` most frequent, ties to the smaller
 * value), ascending (code i+1 = value i), and the remap from the dataset's loading codes to
 * these (0 = a value the training rows lack, i.e. unknown).
 */
export function trainingVocabulary(ds: Dataset, rows: ArrayLike<number>, minCount = 1, maxValues = MAX_VOCABULARY): { vocabulary: Vocabulary; remap: Int32Array[] } {
  if (!ds.dictionary) throw new MindflowError('internal', 'this dataset was loaded without value codes');
  const codes = ds.dictionary.length;
  const first = ds.features - codes;
  const vocabulary: Vocabulary = [];
  const remap: Int32Array[] = [];
  for (let j = 0; j < codes; j++) {
    const dict = ds.dictionary[j]!;
    const counts = new Int32Array(dict.length + 1);
    for (let r = 0; r < rows.length; r++) counts[ds.rowValues[ds.groups[rows[r]!]! * ds.features + first + j]!]! += 1;
    let kept: number[] = [];
    for (let code = 1; code <= dict.length; code++) if (counts[code]! >= Math.max(1, minCount)) kept.push(code);
    if (kept.length > maxValues) kept = kept.sort((a, b) => counts[b]! - counts[a]! || dict[a - 1]! - dict[b - 1]!).slice(0, Math.max(0, maxValues));
    kept.sort((a, b) => dict[a - 1]! - dict[b - 1]!);
    const map = new Int32Array(dict.length + 1);
    kept.forEach((code, i) => (map[code] = i + 1));
    vocabulary.push(kept.map((code) => dict[code - 1]!));
    remap.push(map);
  }
  return { vocabulary, remap };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Splits rows by group: every group (identical feature rows) goes wholly to one side. Groups
 * are stratified by their majority label, shuffled with `seed`, and each class's groups are
 * dealt out so that every class with at least 3 groups has one on each side.
 */
export function splitByGroups(labels: Int32Array, groups: Int32Array, opts: { test: number; validation: number; seed: number }): Split {
  // typed arrays over the group ids (dense from 0): a capture whose rows rarely repeat has as
  // many groups as flows, and a map of label counts per group took 16 s and a gigabyte for 3M
  let groupCount = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0) groupCount = Math.max(groupCount, groups[i]! + 1);
  const sizes = new Int32Array(groupCount);
  const major = majorityLabels(labels, groups, groupCount, sizes);
  // each class's groups in ascending id order; classes in ascending order
  const byClass = new Map<number, number[]>();
  for (let g = 0; g < groupCount; g++) {
    if (sizes[g] === 0) continue;
    let list = byClass.get(major[g]!);
    if (!list) byClass.set(major[g]!, (list = []));
    list.push(g);
  }
  const random = rng(opts.seed);
  const side = new Uint8Array(groupCount);
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = shuffle(byClass.get(cls)!, random);
    let nTest = Math.round(list.length * opts.test);
    let nVal = Math.round(list.length * opts.validation);
    if (list.length >= 3) {
      nTest = Math.max(opts.test > 0 ? 1 : 0, nTest);
      nVal = Math.max(opts.validation > 0 ? 1 : 0, nVal);
    }
    // A row repeated more often than a side's whole share of the class (a flood's one pattern:
    // 38 % of the built-in sample is one Reconnaissance row) stays in training: held out, it
    // would be most of that side's flows and a pattern the model never learnt.
    const flows = list.reduce((a, g) => a + sizes[g]!, 0);
    const fits = (g: number, fraction: number) => sizes[g]! <= Math.max(1, fraction * flows);
    let test = 0;
    let validation = 0;
    for (const g of list) {
      if (test < nTest && fits(g, opts.test)) {
        side[g] = 2;
        test++;
      } else if (test >= nTest && validation < nVal && fits(g, opts.validation)) {
        side[g] = 1;
        validation++;
      } else side[g] = 0;
    }
  }
  const counts = [0, 0, 0];
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0) counts[side[groups[i]!]!]! += 1;
  const parts = counts.map((c) => new Int32Array(c));
  const filled = [0, 0, 0];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! < 0) continue;
    const at = side[groups[i]!]!;
    parts[at]![filled[at]!++] = i;
  }
  return { train: parts[0]!, validation: parts[1]!, test: parts[2]! };
}

/**
 * The most common label of each group's labelled flows (ties to the smaller label), and their
 * count in `sizes`. Most groups hold one label; only the others count theirs in a map.
 */
function majorityLabels(labels: Int32Array, groups: Int32Array, groupCount: number, sizes: Int32Array): Int32Array {
  const major = new Int32Array(groupCount).fill(-1);
  const mixed = new Map<number, Map<number, number>>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l < 0) continue;
    const g = groups[i]!;
    sizes[g]! += 1;
    if (major[g] === -1) major[g] = l;
    else if (major[g] !== l || mixed.has(g)) {
      let votes = mixed.get(g);
      // the flows before this one all carried major[g]
      if (!votes) mixed.set(g, (votes = new Map([[major[g]!, sizes[g]! - 1]])));
      votes.set(l, (votes.get(l) ?? 0) + 1);
    }
  }
  for (const [g, votes] of mixed) major[g] = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  return major;
}

export type ClassWeighting = 'balanced' | 'sqrt' | 'none';
export type GroupSampling = 'all' | 'sqrt' | 'unique';

/** Per-class loss weights from label counts, normalised to a mean of 1 over present classes. */
export function classWeights(labels: ArrayLike<number>, rows: ArrayLike<number>, classes: number, mode: ClassWeighting): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < rows.length; i++) counts[labels[rows[i]!]!]! += 1;
  const raw = counts.map((c) => (c === 0 || mode === 'none' ? 1 : mode === 'balanced' ? 1 / c : 1 / Math.sqrt(c)));
  const present = counts.map((c, i) => (c > 0 ? raw[i]! : 0)).filter((w) => w > 0);
  const mean = present.reduce((a, b) => a + b, 0) / Math.max(1, present.length);
  return raw.map((w) => w / mean);
}

export interface TrainOptions extends Partial<Omit<ModelConfig, 'window' | 'channels' | 'classes' | 'vocabSizes'>> {
  epochs?: number;
  batchSize?: number;
  seed?: number;
  testFraction?: number;
  validationFraction?: number;
  classWeighting?: ClassWeighting;
  /** at most this many flows per group (identical feature rows) per epoch, resampled each epoch; 0 = no cap */
  maxPerGroup?: number;
  /**
   * 'sqrt': each epoch takes ceil(sqrt(m)) flows of a group of m identical rows (then the cap):
   * heavy duplicates keep some of their weight without drowning the rare patterns. 'all' (default)
   * takes every flow. 'unique': one flow of each distinct (feature row, label) pair per epoch,
   * drawn at random, its loss weighted by sqrt(m): the sqrt weighting at a fraction of the
   * cost (a capture with 278,781 flows has about 19,000 such pairs).
   */
  groupSampling?: GroupSampling;
  /** value codes: values seen fewer times than this in the training split code as unknown */
  minValueCount?: number;
  /** value codes: most values one column keeps (MAX_VOCABULARY); the others code as unknown */
  maxValues?: number;
  /** 'cosine': a short linear warm-up, then the learning rate decays to 0 along a half cosine */
  learningRateSchedule?: 'constant' | 'cosine';
  /** a ready split (row indices) instead of splitByGroups over testFraction/validationFraction */
  split?: Split;
  /** stop when validation macro F1 has not improved for this many epochs (best weights kept) */
  earlyStoppingPatience?: number;
  /**
   * Worker threads to train on (data parallel, one share of each batch per thread); the caller
   * turns this into `parallel`. See trainingWorkers() in parallel.ts.
   */
  workers?: number;
  /** set by the caller when `workers` > 1: this thread's rank and how to reach the others */
  parallel?: ParallelOptions;
  signal?: AbortSignal;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (p: EpochProgress) => void;
}

export interface ParallelOptions {
  size: number;
  /** 0 (the default) allocates the exchange buffer and calls startPeers with it */
  rank?: number;
  buffer?: SharedArrayBuffer;
  /** rank 0's split, statistics and vocabulary: a peer takes them instead of working them out again */
  prepared?: PreparedTraining;
  startPeers?: (buffer: SharedArrayBuffer, prepared: PreparedTraining) => void;
}

/**
 * What a run works out from its dataset before the first step: the split (in shared memory),
 * the training split's statistics with its value vocabulary, and the remap of the codes given
 * while loading to that vocabulary's. Rank 0 hands it to its peers, which would otherwise
 * repeat it (on 3M flows whose rows rarely repeat, 20 s and a gigabyte each).
 */
export interface PreparedTraining {
  split: Split;
  stats: FeatureStats;
  remap: Int32Array[];
}

/** The split, statistics and vocabulary of a run on `ds` (see PreparedTraining). */
export function prepareTraining(ds: Dataset, options: Pick<TrainOptions, 'split' | 'testFraction' | 'validationFraction' | 'minValueCount' | 'maxValues'>, seed: number): PreparedTraining {
  const split = options.split ?? splitByGroups(ds.labels, ds.groups, { test: options.testFraction ?? 0.2, validation: options.validationFraction ?? 0.1, seed });
  if (split.train.length === 0) throw new MindflowError('no-flows', 'no labelled flows left to train on after the split');
  const codes = codeCount(ds.set);
  const vocab = codes > 0 ? trainingVocabulary(ds, split.train, options.minValueCount ?? 1, options.maxValues ?? MAX_VOCABULARY) : null;
  const stats: FeatureStats = fitStats(ds.rowValues, ds.features, rowsOf(ds, split.train));
  if (vocab) {
    // code channels are indices, not measurements: never standardised
    for (let j = ds.features - codes; j < ds.features; j++) {
      stats.mean[j] = 0;
      stats.std[j] = 1;
    }
    stats.vocabulary = vocab.vocabulary;
  }
  return { split: { train: shared(split.train), validation: shared(split.validation), test: shared(split.test) }, stats, remap: vocab?.remap ?? [] };
}

/**
 * Training settings of the shipped default model (scripts/train-default.ts) and the app's
 * default recipe; the architecture is design.md's defaults plus the flow skip with value codes.
 * One window per distinct (feature row, label) pair per epoch, weighted by sqrt of its count,
 * 55 epochs of batches of 512 (split over one thread per core) at a learning rate of 6e-3
 * decaying along a cosine: measured on sample A, this memorises the rows it has seen (what
 * another sample of the same dataset mostly repeats) and generalises best to rows it has not.
 * 55 epochs is what fits the 3-minute budget on every flow of sample A on 2 cores: 152 s in
 * `npm run bench:model` with the machine at 29-30 GFLOP/s per wasm thread (184-188 s at 23-29,
 * before the conv and pooling layers got their hand-written gradients; the step is mostly
 * matrix products).
 */
export const DEFAULT_TRAINING: TrainOptions = {
  epochs: BUILTIN_RECIPE.epochs,
  batchSize: BUILTIN_RECIPE.batchSize,
  learningRate: BUILTIN_RECIPE.learningRate,
  learningRateSchedule: 'cosine',
  groupSampling: 'unique',
  maxPerGroup: 0,
  classWeighting: 'sqrt',
  testFraction: 0.2,
  validationFraction: 0.1,
};

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  validation: Metrics | null;
  windowsPerSecond: number;
  seconds: number;
}

export interface TrainResult {
  model: tf.LayersModel;
  config: ModelConfig;
  stats: FeatureStats;
  split: { train: number; validation: number; test: number; seed: number };
  history: EpochProgress[];
  bestEpoch: number;
  test: Metrics | null;
  seconds: number;
  trainWindowsPerSecond: number;
}

/** The rows of one epoch and each row's loss multiplier from the sampling (1 unless 'unique'). */
interface EpochSample {
  rows: number[];
  multipliers: number[] | null;
}

/** Draws each epoch's training rows (see TrainOptions.groupSampling); the lists are built once. */
class EpochSampler {
  /** the rows of list i are members[starts[i] .. starts[i + 1]), lists in order of first appearance */
  private readonly starts: Int32Array | null = null;
  private readonly members: Int32Array | null = null;
  constructor(
    private readonly rows: Int32Array,
    ds: Dataset,
    private readonly cap: number,
    private readonly sampling: GroupSampling,
  ) {
    if (!cap && sampling === 'all') return;
    // 'unique' samples (row, label) pairs, the others whole groups of identical rows
    const ids = new PairIds(ds, sampling === 'unique');
    const listOf = Int32Array.from(rows, (r) => ids.of(r));
    const starts = new Int32Array(ids.count + 1);
    for (const l of listOf) starts[l + 1]! += 1;
    for (let i = 0; i < ids.count; i++) starts[i + 1]! += starts[i]!;
    const members = new Int32Array(rows.length);
    const filled = starts.slice(0, ids.count);
    rows.forEach((r, i) => (members[filled[listOf[i]!]!++] = r));
    this.starts = starts;
    this.members = members;
  }

  next(random: () => number): EpochSample {
    const { starts, members } = this;
    if (!starts || !members) return { rows: shuffle(Array.from(this.rows), random), multipliers: null };
    const lists = starts.length - 1;
    const out: number[] = [];
    if (this.sampling === 'unique') {
      const order = shuffle(Array.from({ length: lists }, (_, i) => i), random);
      const multipliers = new Array<number>(order.length);
      order.forEach((li, i) => {
        const from = starts[li]!;
        const size = starts[li + 1]! - from;
        out.push(members[from + Math.floor(random() * size)]!);
        multipliers[i] = Math.sqrt(size);
      });
      return { rows: out, multipliers };
    }
    for (let li = 0; li < lists; li++) {
      const from = starts[li]!;
      const size = starts[li + 1]! - from;
      let take = this.sampling === 'sqrt' ? Math.ceil(Math.sqrt(size)) : size;
      if (this.cap) take = Math.min(take, this.cap);
      if (take >= size) for (let i = 0; i < size; i++) out.push(members[from + i]!);
      else for (let i = 0; i < take; i++) out.push(members[from + Math.floor(random() * size)]!);
    }
    return { rows: shuffle(out, random), multipliers: null };
  }
}

/**
 * Dense ids for the distinct (feature row, label) pairs of a dataset's flows (or its distinct
 * rows alone), numbered in the order they are asked for. A row's first label takes a slot of a
 * typed array; only a row seen with a second label goes to a map: a capture whose rows rarely
 * repeat has millions of pairs, which a map of them held at a gigabyte.
 */
class PairIds {
  private readonly first: Int32Array;
  private readonly firstLabel: Int32Array;
  private readonly more = new Map<number, number>();
  count = 0;
  constructor(
    private readonly ds: Dataset,
    private readonly byLabel: boolean,
  ) {
    let groups = 0;
    for (let i = 0; i < ds.groups.length; i++) groups = Math.max(groups, ds.groups[i]! + 1);
    this.first = new Int32Array(groups).fill(-1);
    this.firstLabel = new Int32Array(groups);
  }

  /** The id of flow `row`'s pair. */
  of(row: number): number {
    const g = this.ds.groups[row]!;
    const label = this.byLabel ? Math.max(0, this.ds.labels[row]!) : 0;
    const id = this.first[g]!;
    if (id < 0) {
      this.first[g] = this.count;
      this.firstLabel[g] = label;
      return this.count++;
    }
    if (this.firstLabel[g] === label) return id;
    const key = g * this.ds.classes.length + label;
    let other = this.more.get(key);
    if (other === undefined) this.more.set(key, (other = this.count++));
    return other;
  }
}

/** Per-row loss weights of an epoch: class weight x sampling multiplier, scaled to a mean of 1. */
function epochWeights(sample: EpochSample, labels: Int32Array, classWeight: number[]): Float32Array {
  const w = Float32Array.from(sample.rows, (r, i) => classWeight[labels[r]!]! * (sample.multipliers ? sample.multipliers[i]! : 1));
  const mean = w.reduce((a, b) => a + b, 0) / Math.max(1, w.length);
  if (mean > 0) for (let i = 0; i < w.length; i++) w[i]! /= mean;
  return w;
}

/** Learning rate at `step` of `total`: constant, or a 3 % linear warm-up then a half cosine to 0. */
export function scheduledRate(base: number, schedule: 'constant' | 'cosine', step: number, total: number): number {
  if (schedule === 'constant' || total <= 1) return base;
  const warm = Math.max(1, Math.round(total * 0.03));
  if (step < warm) return (base * (step + 1)) / warm;
  return base * 0.5 * (1 + Math.cos((Math.PI * Math.min(1, (step - warm) / Math.max(1, total - warm)))));
}

/** The rows of `ds` that carry a label (every one a model can train on), ascending. */
export function labelledRows(ds: Dataset): Int32Array {
  return Int32Array.from({ length: ds.n }, (_, i) => i).filter((i) => ds.labels[i]! >= 0);
}

/**
 * One flow per distinct (feature row, label) pair of `rows`, weighted by how many of `rows`
 * carry it: per-epoch validation at a fraction of the cost of scoring every flow.
 */
export function representatives(ds: Dataset, rows: Int32Array): { rows: Int32Array; weights: Float64Array } {
  const ids = new PairIds(ds, true);
  const picked: number[] = [];
  const weights: number[] = [];
  for (const r of rows) {
    const at = ids.of(r);
    if (at === picked.length) {
      picked.push(r);
      weights.push(1);
    } else weights[at]! += 1;
  }
  return { rows: Int32Array.from(picked), weights: Float64Array.from(weights) };
}

/** Class probabilities [n, k] for windows [n, W, C], `batch` windows per forward pass. */
export function predictProbs(model: tf.LayersModel, x: Float32Array, n: number, window: number, channels: number, batch = 4096): Float32Array {
  const k = (model.outputs[0]!.shape[1] as number) ?? 0;
  const out = new Float32Array(n * k);
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const probs = tf.tidy(() => model.predict(tf.tensor3d(x.subarray(s * window * channels, (s + m) * window * channels), [m, window, channels]), { batchSize: m }) as tf.Tensor);
    out.set(probs.dataSync() as Float32Array, s * k);
    probs.dispose();
  }
  return out;
}

/**
 * Metrics of `model` on the given rows of a dataset, read through the run's scaler; `weights`
 * counts each row that many times (see representatives).
 */
export function evaluateRows(model: tf.LayersModel, ds: Dataset, scaler: RowScaler, rows: Int32Array, batch = 4096, weights?: Float64Array): Metrics {
  const k = ds.classes.length;
  const predicted = new Int32Array(rows.length);
  const truth = new Int32Array(rows.length);
  const c = ds.features + 1;
  for (let s = 0; s < rows.length; s += batch) {
    const part = rows.subarray(s, Math.min(rows.length, s + batch));
    const x = gatherWindows(ds.rowValues, ds.features, ds.index, ds.window, part, undefined, scaler);
    const probs = predictProbs(model, x, part.length, ds.window, c, batch);
    predicted.set(argmaxRows(probs, k), s);
    for (let i = 0; i < part.length; i++) truth[s + i] = ds.labels[part[i]!]!;
  }
  return computeMetrics(truth, predicted, ds.classes, weights);
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function trainDetector(ds: Dataset, options: TrainOptions = {}): Promise<TrainResult> {
  const started = performance.now();
  const seed = options.seed ?? 42;
  const epochs = options.epochs ?? 20;
  const batchSize = options.batchSize ?? 256;
  const par = options.parallel && options.parallel.size > 1 ? options.parallel : null;
  // a peer takes rank 0's split, statistics and vocabulary
  const prepared = par?.prepared ?? prepareTraining(ds, options, seed);
  const { split, stats } = prepared;
  // rows are standardised as each batch gathers them: no standardised copy of the dataset
  const scaler = new RowScaler(ds.features, stats, prepared.remap);
  const c = ds.features + 1;
  const k = ds.classes.length;
  const { vocabSizes: _ignored, ...architecture } = options as TrainOptions & { vocabSizes?: unknown };
  const config = modelConfig({ ...architecture, window: ds.window, channels: c, classes: k, seed, vocabSizes: stats.vocabulary ? stats.vocabulary.map((v) => v.length + 1) : [] });
  const model = buildModel(config);
  const optimizer = tf.train.adam(config.learningRate);
  const weights = classWeights(ds.labels, split.train, k, options.classWeighting ?? 'sqrt');
  const random = rng(seed + 1);
  const sampler = new EpochSampler(split.train, ds, options.maxPerGroup ?? 0, options.groupSampling ?? 'all');
  const schedule = options.learningRateSchedule ?? 'constant';
  const validationSet = split.validation.length > 0 ? representatives(ds, split.validation) : null;
  let step = 0;
  let totalSteps = 0;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const params = vars.reduce((a, v) => a + v.size, 0);
  const rank = par?.rank ?? 0;
  let exchange: GradientExchange | null = null;
  if (par && rank === 0) {
    exchange = GradientExchange.create(par.size, params);
    par.startPeers?.(exchange.buffer, prepared);
  } else if (par) {
    if (!par.buffer) throw new MindflowError('internal', `training peer ${rank} has no exchange buffer`);
    exchange = GradientExchange.attach(par.buffer, rank, par.size, params);
  }
  const win = ds.window;
  let gathered = new Float32Array(0);
  const owners = ownersOf(vars.map((v) => v.size), par?.size ?? 1);
  // where each variable sits in the flat gradient and weight blocks
  const varOffsets: number[] = [];
  vars.reduce((o, v) => (varOffsets.push(o), o + v.size), 0);
  // wasm copies a new tensor's values into its heap; other backends may keep the (shared) array
  const copyShared = tf.getBackend() !== 'wasm';
  /** one data-parallel step: this rank's gradient sums, summed over ranks, each variable updated by its owner rank */
  const parallelStep = (xs: GradientExchange, part: number[], partWeights: Float32Array): { loss: number; hits: number } => {
    const [from, to] = shareOf(part.length, rank, xs.size);
    const mine = part.slice(from, to);
    const outbox = xs.outbox();
    const totals = { loss: 0, weight: 0, hits: 0, windows: mine.length };
    if (mine.length > 0) {
      const need = mine.length * win * c;
      if (gathered.length < need) gathered = new Float32Array(need);
      const x = gatherWindows(ds.rowValues, ds.features, ds.index, win, mine, gathered.subarray(0, need), scaler);
      const y = Int32Array.from(mine, (r) => ds.labels[r]!);
      const w = partWeights.subarray(from, to);
      totals.weight = w.reduce((a, b) => a + b, 0);
      tf.tidy(() => {
        const xt = tf.tensor3d(x, [mine.length, win, c]);
        const yt = tf.oneHot(tf.tensor1d(y, 'int32'), k);
        const wt = tf.tensor1d(w);
        let hitsT: tf.Tensor | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const p = model.apply(xt, { training: true }) as tf.Tensor;
          hitsT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(p, 1), tf.argMax(yt, 1)), 'float32')));
          const ce = tf.neg(tf.sum(tf.mul(yt, tf.log(tf.clipByValue(p, 1e-7, 1))), 1));
          return tf.sum(tf.mul(ce, wt)) as tf.Scalar;
        }, vars);
        totals.loss = value.dataSync()[0]!;
        totals.hits = (hitsT as tf.Tensor | null)!.dataSync()[0]!;
        (hitsT as tf.Tensor | null)!.dispose();
        vars.forEach((v, i) => {
          // a variable the loss does not reach (e.g. the recurrent kernel of a 1-step LSTM) stays 0
          const g = grads[v.name];
          if (g) readInto(g, outbox, varOffsets[i]);
          else outbox.fill(0, varOffsets[i], varOffsets[i]! + v.size);
        });
      });
    } else {
      outbox.fill(0);
    }
    const { parts, totals: sum } = xs.exchange(totals);
    // weights have a mean of 1 over the epoch: a batch's loss is its weighted sum over its size
    const scale = 1 / Math.max(1, sum.windows);
    // each variable's Adam step runs on its owner only, which shares the new values
    tf.tidy(() => {
      const named = vars.flatMap((v, i) => {
        if (owners[i] !== rank) return [];
        const o = varOffsets[i]!;
        // summed in rank order as float32 by the backend
        let g = tf.tensor(parts[0]!.subarray(o, o + v.size), v.shape);
        for (let r = 1; r < parts.length; r++) g = g.add(tf.tensor(parts[r]!.subarray(o, o + v.size), v.shape));
        return [{ name: v.name, tensor: g.mul(scale) }];
      });
      optimizer.applyGradients(named);
    });
    vars.forEach((v, i) => owners[i] === rank && readInto(v, xs.weights, varOffsets[i]));
    xs.barrier();
    tf.tidy(() => {
      vars.forEach((v, i) => {
        if (owners[i] === rank) return;
        const o = varOffsets[i]!;
        const values = copyShared ? xs.weights.slice(o, o + v.size) : xs.weights.subarray(o, o + v.size);
        v.assign(tf.tensor(values, v.shape));
      });
    });
    return { loss: sum.loss * scale, hits: sum.hits };
  };
  const history: EpochProgress[] = [];
  let best = -1;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | null = null;
  let trained = 0;
  let trainSeconds = 0;
  const cancelled = () => new MindflowError('cancelled', 'training cancelled');
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      const sample = sampler.next(random);
      const rows = sample.rows;
      const rowWeights = epochWeights(sample, ds.labels, weights);
      const batches = Math.ceil(rows.length / batchSize);
      if (totalSteps === 0) totalSteps = batches * epochs;
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < batches; b++) {
        if (options.signal?.aborted) throw cancelled();
        const part = rows.slice(b * batchSize, (b + 1) * batchSize);
        const partWeights = rowWeights.subarray(b * batchSize, b * batchSize + part.length);
        (optimizer as unknown as { learningRate: number }).learningRate = scheduledRate(config.learningRate, schedule, step++, totalSteps);
        if (exchange) {
          const { loss: lossValue, hits: hitValue } = parallelStep(exchange, part, partWeights);
          lossSum += lossValue * part.length;
          correct += hitValue;
          trained += part.length;
          if (rank === 0) options.onBatch?.({ epoch, batch: b + 1, batches, loss: lossValue, accuracy: hitValue / part.length });
          if (b % 8 === 7) await yieldToLoop();
          continue;
        }
        const x = gatherWindows(ds.rowValues, ds.features, ds.index, ds.window, part, undefined, scaler);
        const y = Int32Array.from(part, (r) => ds.labels[r]!);
        const w = partWeights;
        const [loss, hits] = tf.tidy(() => {
          const xt = tf.tensor3d(x, [part.length, ds.window, c]);
          const yt = tf.oneHot(tf.tensor1d(y, 'int32'), k);
          const wt = tf.tensor1d(w);
          let hitsT: tf.Tensor | null = null;
          const l = optimizer.minimize(() => {
            const p = model.apply(xt, { training: true }) as tf.Tensor;
            hitsT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(p, 1), tf.argMax(yt, 1)), 'float32')));
            const ce = tf.neg(tf.sum(tf.mul(yt, tf.log(tf.clipByValue(p, 1e-7, 1))), 1));
            return tf.div(tf.sum(tf.mul(ce, wt)), part.length) as tf.Scalar;
          }, true)!;
          return [l, hitsT!];
        });
        const lossValue = (await loss.data())[0]!;
        const hitValue = (await hits.data())[0]!;
        loss.dispose();
        hits.dispose();
        lossSum += lossValue * part.length;
        correct += hitValue;
        trained += part.length;
        options.onBatch?.({ epoch, batch: b + 1, batches, loss: lossValue, accuracy: hitValue / part.length });
        if (b % 8 === 7) await yieldToLoop();
      }
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      const validation = rank === 0 && validationSet ? evaluateRows(model, ds, scaler, validationSet.rows, 4096, validationSet.weights) : null;
      const progress: EpochProgress = {
        epoch,
        epochs,
        loss: lossSum / Math.max(1, rows.length),
        accuracy: correct / Math.max(1, rows.length),
        validation,
        windowsPerSecond: rows.length / seconds,
        seconds,
      };
      history.push(progress);
      let stopEarly = false;
      if (rank === 0) {
        options.onEpoch?.(progress);
        const score = validation ? validation.macroF1 : -progress.loss;
        if (score > best) {
          best = score;
          bestEpoch = epoch;
          bestWeights?.forEach((t) => t.dispose());
          bestWeights = model.getWeights().map((t) => t.clone());
        } else if (options.earlyStoppingPatience && epoch - bestEpoch >= options.earlyStoppingPatience) {
          stopEarly = true;
        }
      }
      // every rank leaves the loop at the same epoch
      if (exchange) stopEarly = exchange.decide(rank === 0 ? (stopEarly ? 1 : 0) : null) === 1;
      if (stopEarly) break;
      await yieldToLoop();
    }
    if (bestWeights && options.earlyStoppingPatience) model.setWeights(bestWeights);
  } catch (err) {
    // free the other ranks: they stop at their next barrier instead of waiting for this one
    exchange?.stop(err instanceof MindflowError && err.code === 'cancelled' ? STOP_CANCELLED : STOP_FAILED);
    throw err;
  } finally {
    bestWeights?.forEach((t) => t.dispose());
    optimizer.dispose();
  }
  const test = rank === 0 && split.test.length > 0 ? evaluateRows(model, ds, scaler, split.test) : null;
  return {
    model,
    config,
    stats,
    split: { train: split.train.length, validation: split.validation.length, test: split.test.length, seed },
    history,
    bestEpoch,
    test,
    seconds: (performance.now() - started) / 1000,
    trainWindowsPerSecond: trained / Math.max(1e-9, trainSeconds),
  };
}

/**
 * trainDetector with this thread as rank 0 of `workers` threads (the others are spawned here and
 * closed when the run ends). For scripts and benchmarks; the app trains inside its model worker.
 */
export async function trainOnThreads(ds: Dataset, options: TrainOptions, run: { workers: number; backend: BackendKind | null }): Promise<TrainResult> {
  const { signal: _s, onBatch: _b, onEpoch: _e, parallel: _p, ...settings } = options;
  const peers = run.workers > 1 ? spawnTrainingPeers(run.workers, run.backend) : null;
  try {
    const result = await trainDetector(ds, {
      ...options,
      ...(peers ? { parallel: { size: run.workers, startPeers: (buffer: SharedArrayBuffer, prepared: PreparedTraining) => peers.start(buffer, ds, settings, prepared) } } : {}),
    });
    await peers?.done;
    return result;
  } finally {
    await peers?.close();
  }
}
