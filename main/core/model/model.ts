/**
 * The CNN-BiLSTM detector: `buildModel(config)` is pure (no backend choice, no data).
 *
 * Conv1D is a custom layer (`MindflowConv1D`): tf.layers.conv1d trains through the
 * Conv2DBackpropFilter kernel, which the WebAssembly backend lacks. This one builds the
 * im2col matrix from k shifted slices of the window and multiplies it by the kernel, so its
 * forward and backward passes use only slice/concat/matMul/add/relu, which every backend
 * (tfjs-node, wasm, cpu, webgl) implements with gradients. Its weights have the same
 * [kernel, inChannels, filters] layout as a Keras Conv1D kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { rng } from './random.ts';

export type Padding = 'valid' | 'same';

export interface ModelConfig {
  /** flows per window (W) */
  window: number;
  /** channels per flow, mask channel included */
  channels: number;
  /** number of classes of the softmax (2 in binary mode) */
  classes: number;
  convFilters: number[];
  kernelSize: number;
  padding: Padding;
  poolSize: number;
  dropout: number;
  lstmUnits: number;
  /**
   * Units of a ReLU projection of the window's own (last) flow concatenated to the BiLSTM
   * output; 0 = the paper's architecture exactly. Flows in a capture-order window are often
   * unrelated (NF-BoT-IoT rows are shuffled), and max-pooling mixes the flow being scored
   * with its neighbours; this skip keeps its own features in view.
   */
  flowSkipUnits: number;
  /** dense ReLU layers of that projection (each flowSkipUnits wide) */
  flowSkipLayers: number;
  /**
   * Value-code vocabulary size per source column (unknown code 0 included), in column order;
   * empty = no code channels. Codes sit after the numeric channels, before the mask.
   */
  vocabSizes: number[];
  /** width of each value's learned vector */
  embeddingDim: number;
  /**
   * While training, each code of a flow reads as unknown (0) with this probability, so the
   * unknown vector is learned and a flow with values the training split lacked is still scored
   * from the rest of it. Off by default: on sample A, 0.1 left the accuracy on unseen rows as
   * it was (0.858) and cost some on seen ones (0.99989 -> 0.99953).
   */
  codeDropout: number;
  learningRate: number;
  seed?: number;
}

export const DEFAULT_ARCHITECTURE = {
  convFilters: [64, 128],
  kernelSize: 3,
  padding: 'valid' as Padding,
  poolSize: 2,
  dropout: 0.3,
  lstmUnits: 64,
  flowSkipUnits: 128,
  flowSkipLayers: 2,
  embeddingDim: 16,
  codeDropout: 0,
  learningRate: 1e-3,
};

export function modelConfig(base: Pick<ModelConfig, 'window' | 'channels' | 'classes'> & Partial<ModelConfig>): ModelConfig {
  return { ...DEFAULT_ARCHITECTURE, vocabSizes: [], ...base };
}

/** Time steps left after the conv stack and the pooling; throws when the window is too short. */
export function stepsAfterConv(config: ModelConfig): number {
  let t = config.window;
  for (let i = 0; i < config.convFilters.length; i++) if (config.padding === 'valid') t = t - config.kernelSize + 1;
  const pooled = config.poolSize > 1 ? Math.floor(t / config.poolSize) : t;
  if (t < 1 || pooled < 1) {
    throw new Error(
      `window ${config.window} is too short for ${config.convFilters.length} conv layers of kernel ${config.kernelSize} (${config.padding}) and pool ${config.poolSize}`,
    );
  }
  return pooled;
}

/** Configuration of the fused CNN-BiLSTM layer (everything between the input window and the softmax). */
export interface CnnBiLstmArgs {
  convFilters: number[];
  kernelSize: number;
  padding: Padding;
  poolSize: number;
  dropout: number;
  lstmUnits: number;
  flowSkipUnits?: number;
  /** absent in packages from before deeper skips: 1 */
  flowSkipLayers?: number;
  /** absent in packages from before value codes: [] */
  vocabSizes?: number[];
  embeddingDim?: number;
  codeDropout?: number;
  seed?: number | undefined;
  name?: string;
}

/**
 * Rows of `table` at int32 `indices`, copied in JavaScript: the wasm GatherV2 kernel moves only
 * about 20 M values/s (it was most of a scan's time, and 5 % of a training step). Training
 * gives the table a gradient built by ScatterNd (which sums repeated indices), since
 * tf.gather's own gradient needs UnsortedSegmentSum, a kernel the WebAssembly backend lacks.
 */
function embed(table: tf.Tensor2D, indices: tf.Tensor1D, training: boolean): tf.Tensor2D {
  if (!training) return gatherRows(table, indices);
  const op = tf.customGrad((t, i, save) => {
    (save as tf.GradSaveFunc)([i as tf.Tensor1D]);
    return {
      value: gatherRows(t as tf.Tensor2D, i as tf.Tensor1D),
      gradFunc: (dy, saved) => {
        const idx = saved[0] as tf.Tensor1D;
        return [tf.scatterND(idx.reshape([idx.shape[0], 1]), dy as tf.Tensor2D, (t as tf.Tensor2D).shape), tf.zerosLike(idx)];
      },
    };
  });
  return op(table, indices) as tf.Tensor2D;
}

/** tf.gather(table, indices) on axis 0, by typed-array copies. */
function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  const width = table.shape[1];
  const idx = indices.dataSync() as Int32Array;
  return pickedTensor(tableValues(table), width, idx);
}

/** The values of a weight table, read once per value it takes (scoring reads the same table for every batch). */
let heldTable: { dataId: object; values: Float32Array } | null = null;
function tableValues(table: tf.Tensor): Float32Array {
  if (heldTable?.dataId !== table.dataId) heldTable = { dataId: table.dataId, values: table.dataSync() as Float32Array };
  return heldTable.values;
}

/**
 * Rows index[i] of [rows, width] `src` as a new [index.length, width] tensor. On WebAssembly
 * they are gathered into one reused buffer: that backend copies a new tensor's values into its
 * heap, so the buffer is free again at once. A scan made about 10 MB of such arrays per 2,048
 * flows, and the garbage collector's threads took a fifth of the two cores. Other backends
 * may keep the array they are given, so they get a fresh one.
 */
let pickBuffer = new Float32Array(0);
function pickedTensor(src: Float32Array, width: number, index: ArrayLike<number>): tf.Tensor2D {
  const length = index.length * width;
  let out: Float32Array;
  if (tf.getBackend() === 'wasm') {
    if (pickBuffer.length < length) pickBuffer = new Float32Array(Math.max(length, 2 * pickBuffer.length));
    out = pickBuffer.subarray(0, length);
  } else out = new Float32Array(length);
  pickRows(src, width, index, out);
  return tf.tensor2d(out, [index.length, width]);
}

/** Row index[i] of [rows, width] `src` as row i of `out` (an index out of range reads the nearest row). */
function pickRows(src: Float32Array, width: number, index: ArrayLike<number>, out: Float32Array): void {
  const last = src.length / width - 1;
  for (let i = 0, o = 0; i < index.length; i++, o += width) {
    const r = Math.min(last, Math.max(0, index[i]!)) * width;
    for (let j = 0; j < width; j++) out[o + j] = src[r + j]!;
  }
}

/**
 * The distinct rows among `n` rows of `width` floats starting at row `start` of `data`:
 * `first` holds the row (relative to `start`) where each distinct one first occurs, `hash` its
 * hash (rowHash, for FlowPathCache), `of` the distinct row each of the n rows is. Rows are
 * equal when their bits are (so -0 and 0 differ, which only costs a duplicate). Open
 * addressing on the hash.
 */
export function distinctRows(data: Float32Array, start: number, n: number, width: number): { first: Int32Array; hash: Uint32Array; of: Int32Array } {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const size = 2 ** Math.ceil(Math.log2(Math.max(2, 2 * n)));
  const slots = new Int32Array(size).fill(-1);
  const first: number[] = [];
  const hash: number[] = [];
  const of = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const at = (start + i) * width;
    const h = rowHash(bits, at, width);
    for (let slot = h & (size - 1); ; slot = (slot + 1) & (size - 1)) {
      const d = slots[slot]!;
      if (d < 0) {
        slots[slot] = first.length;
        of[i] = first.length;
        first.push(i);
        hash.push(h);
        break;
      }
      if (sameBits(bits, (start + first[d]!) * width, bits, at, width)) {
        of[i] = d;
        break;
      }
    }
  }
  return { first: Int32Array.from(first), hash: Uint32Array.from(hash), of };
}

/** FNV-1a of `width` 32-bit words of `bits` from `at`, as an unsigned integer. */
export function rowHash(bits: Uint32Array, at: number, width: number): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < width; j++) h = Math.imul(h ^ bits[at + j]!, 0x01000193);
  return h >>> 0;
}

/** Whether `width` words of `a` from `at` equal those of `b` from `bt`. */
function sameBits(a: Uint32Array, at: number, b: Uint32Array, bt: number, width: number): boolean {
  for (let j = 0; j < width; j++) if (a[at + j] !== b[bt + j]) return false;
  return true;
}

/**
 * Flow-path outputs of flows a model has already scored, keyed by the flow's row bits, for one
 * loaded model whose weights no longer change (a scoring worker's). A capture repeats its rows
 * across batches too (sample A: about 19,000 distinct rows in 278,781 flows), so a scan runs
 * the flow path on about one flow in fifteen. Holds `capacity` rows, then starts over.
 */
export class FlowPathCache {
  private readonly slots: Int32Array;
  private keys = new Uint32Array(0);
  private values = new Float32Array(0);
  private width = 0;
  private units = 0;
  private count = 0;

  constructor(readonly capacity = 32_768) {
    this.slots = new Int32Array(2 ** Math.ceil(Math.log2(2 * capacity))).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** The entry holding row `at` of `bits` (width words, rowHash `hash`), or -1. */
  find(bits: Uint32Array, at: number, width: number, hash: number): number {
    if (width !== this.width) return -1;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const e = this.slots[slot]!;
      if (e < 0) return -1;
      if (sameBits(this.keys, e * width, bits, at, width)) return e;
    }
  }

  /** The flow-path output of entry `e` (a view: copy before the cache changes). */
  value(e: number): Float32Array {
    return this.values.subarray(e * this.units, (e + 1) * this.units);
  }

  /** Stores `output` for row `at` of `bits` (not held yet); a full cache is emptied first. */
  add(bits: Uint32Array, at: number, width: number, hash: number, output: Float32Array): void {
    if (width !== this.width || output.length !== this.units) {
      this.width = width;
      this.units = output.length;
      this.keys = new Uint32Array(this.capacity * width);
      this.values = new Float32Array(this.capacity * this.units);
      this.clear();
    } else if (this.count === this.capacity) this.clear();
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot]! >= 0) slot = (slot + 1) & mask;
    const e = this.count++;
    this.slots[slot] = e;
    this.keys.set(bits.subarray(at, at + width), e * width);
    this.values.set(output, e * this.units);
  }

  private clear(): void {
    this.slots.fill(-1);
    this.count = 0;
  }
}

/** tanh(x) = 2·sigmoid(2x) − 1: the wasm backend's Tanh is scalar and ~10x slower than its Sigmoid. */
function tanh(x: tf.Tensor): tf.Tensor {
  return tf.sigmoid(x.mul(2)).mul(2).sub(1);
}

/** a where m is 1, b where it is 0 (m of zeros and ones): a·m + b·(1 − m), exact for finite values. */
function select(a: tf.Tensor, b: tf.Tensor, m: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(a, m), tf.mul(b, tf.sub(1, m)));
}

/**
 * max(a, b) elementwise, picked by m = step(a − b). tfjs-backend-wasm runs Add, Sub, Mul and
 * Step through fast kernels but Maximum (and the GreaterEqual and Less of its gradient)
 * through a generic loop about 20x slower.
 */
function maxOf(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return select(a, b, tf.step(tf.sub(a, b)));
}

/**
 * Max over axis 1 of [steps, p, n], [steps, 1, n]: maxOf chained over the p slices. `masks`
 * collects each link's step(acc − next) (1 where the running max stays).
 */
function poolMax(grouped: tf.Tensor3D, masks?: tf.Tensor[]): tf.Tensor3D {
  const [steps, p, n] = grouped.shape;
  let acc = tf.slice(grouped, [0, 0, 0], [steps, 1, n]);
  for (let j = 1; j < p; j++) {
    const next = tf.slice(grouped, [0, j, 0], [steps, 1, n]);
    const m = tf.step(tf.sub(acc, next));
    masks?.push(m);
    acc = select(acc, next, m) as tf.Tensor3D;
  }
  return acc;
}

/**
 * poolMax for training. Its gradient passes dy, link by link down the chain, to the slice that
 * won (a tie goes to the later one, as in maxOf), and is built in the input's layout by one concat (the
 * autodiff of the slices pads each slice's gradient to the whole input and sums them).
 */
export function poolMaxWithGrad(grouped: tf.Tensor3D): tf.Tensor3D {
  const p = grouped.shape[1];
  const op = tf.customGrad((g, save) => {
    const masks: tf.Tensor[] = [];
    const value = poolMax(g as tf.Tensor3D, masks);
    (save as tf.GradSaveFunc)(masks);
    return {
      value,
      gradFunc: (dy, saved) => {
        const parts = new Array<tf.Tensor>(p);
        let d = dy as tf.Tensor;
        for (let j = p - 1; j >= 1; j--) {
          const toAcc = tf.mul(d, saved[j - 1]!);
          parts[j] = tf.sub(d, toAcc);
          d = toAcc;
        }
        parts[0] = d;
        return tf.concat(parts, 1);
      },
    };
  });
  return op(grouped) as tf.Tensor3D;
}

/** [T, B, C] time-major -> its im2col rows [(T - k + 1) * B, k * C]: row (t, b) holds x[t .. t+k-1, b]. */
export function im2col(x: tf.Tensor3D, k: number): tf.Tensor2D {
  const [t, batch, c] = x.shape;
  const steps = t - k + 1;
  const patches = k === 1 ? x : tf.concat(Array.from({ length: k }, (_, j) => tf.slice(x, [j, 0, 0], [steps, batch, c])), 2);
  return patches.reshape([steps * batch, k * c]);
}

/**
 * One training Conv1D + ReLU layer, relu(im2col(x) · kernel + bias), with the gradient tfjs's
 * autodiff builds for it, but the bias gradient summed from the same transposed dz that the
 * kernel gradient multiplies: the wasm Sum transposes a [rows, filters] input itself before
 * summing its rows (1.2 ms of a 64 ms one-thread step), so this saves a transpose per layer.
 * Same numbers as the autodiff, op for op. `inputGrad` false: x is data and gets none.
 */
export function convLayerWithGrad(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D, k: number, inputGrad: boolean): tf.Tensor3D {
  const [t, batch, c] = x.shape;
  const steps = t - k + 1;
  const filters = kernel.shape[1];
  // x is an input of the op only when it takes a gradient; the save function comes last
  const op = tf.customGrad((...args) => {
    const save = args.pop() as tf.GradSaveFunc;
    const kernelIn = args[0] as tf.Tensor2D;
    const patches = im2col(inputGrad ? (args[2] as tf.Tensor3D) : x, k);
    const y = tf.relu(tf.add(tf.matMul(patches, kernelIn), args[1] as tf.Tensor));
    save([patches, kernelIn, y]);
    return {
      value: y.reshape([steps, batch, filters]) as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [p, kern, out] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const dz = tf.mul(dy.reshape(out.shape), tf.step(out)) as tf.Tensor2D;
        const dzT = tf.transpose(dz);
        // (dzᵀ · patches)ᵀ is how backend.ts multiplies patchesᵀ · dz (LONG_INNER), here with dzᵀ shared
        const grads: tf.Tensor[] = [tf.transpose(tf.matMul(dzT, p)), tf.sum(dzT, 1)];
        if (inputGrad) {
          // dpatches = dz · kernelᵀ, one product per slice (the k column blocks the concat's gradient
          // would split apart); each slice's gradient is a pad, summed last slice first
          const parts = Array.from({ length: k }, (_, j) => tf.matMul(dz, tf.slice(kern, [j * c, 0], [c, filters]), false, true).reshape([steps, batch, c]));
          let dx = tf.pad(parts[k - 1]!, [[k - 1, 0], [0, 0], [0, 0]]);
          for (let j = k - 2; j >= 0; j--) dx = tf.add(dx, tf.pad(parts[j]!, [[j, k - 1 - j], [0, 0], [0, 0]]));
          grads.push(dx);
        }
        return grads;
      },
    };
  });
  return (inputGrad ? op(kernel, bias, x) : op(kernel, bias)) as tf.Tensor3D;
}

/**
 * Inverted dropout of `x` with a mask drawn by mulberry32 from `seed`: tf.dropout draws its
 * noise through seedrandom's alea, 1.6 ms for one [3, 256, 128] training activation here.
 */
function dropoutBySeed(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  const random = rng(seed);
  const keep = 1 - rate;
  const scale = 1 / keep;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = random() < keep ? scale : 0;
  return tf.mul(x, tf.tensor(mask, x.shape));
}

const GATES = 4; // i, f, c (candidate), o: the Keras/TensorFlow LSTM kernel column order

/**
 * Conv1D(+ReLU) x N -> MaxPooling1D -> Dropout -> Bidirectional LSTM (final states, concat),
 * as one layer working time-major internally.
 *
 * Why one fused layer: tf.layers.conv1d trains through Conv2DBackpropFilter, which the
 * WebAssembly backend lacks, and tf.layers.lstm/bidirectional spend most of their time in
 * strided Slice/SplitV/Reverse/Tile kernels that wasm runs in JavaScript. Here the window is
 * transposed once to [time, batch, channels]; every slice is then a contiguous block, each
 * conv is one im2col GEMM, and the LSTM runs on [units, batch] states whose four gates are
 * contiguous row blocks of one GEMM (biLstm; the scan path keeps a GEMM per gate). Only
 * transpose/slice/split/concat/matMul/add/sub/mul/step/relu/sigmoid are used, all with
 * gradients on every backend (tfjs-node, wasm, cpu, webgl).
 *
 * Weights use the Keras layouts: conv kernels [kernel, in, filters], LSTM kernel [in, 4U],
 * recurrent kernel [U, 4U], bias [4U] with gate order i, f, c, o (forget bias starts at 1).
 */
export class MindflowCnnBiLstm extends tf.layers.Layer {
  static className = 'MindflowCnnBiLstm';
  readonly args: Required<Omit<CnnBiLstmArgs, 'seed' | 'name'>>;
  private readonly seed: number | undefined;
  private convKernels: tf.LayerVariable[] = [];
  private convBiases: tf.LayerVariable[] = [];
  private dropoutCalls = 0;
  private skip: { kernel: tf.LayerVariable; bias: tf.LayerVariable }[] = [];
  private embeddings: tf.LayerVariable | null = null;
  private lstm: { kernel: tf.LayerVariable; recurrent: tf.LayerVariable; bias: tf.LayerVariable }[] = [];
  private distinctValues = new Float32Array(0);

  constructor(args: CnnBiLstmArgs) {
    super(args as unknown as ConstructorParameters<typeof tf.layers.Layer>[0]);
    this.args = {
      convFilters: [...args.convFilters],
      kernelSize: args.kernelSize,
      padding: args.padding,
      poolSize: args.poolSize,
      dropout: args.dropout,
      lstmUnits: args.lstmUnits,
      flowSkipUnits: args.flowSkipUnits ?? 0,
      flowSkipLayers: args.flowSkipLayers ?? 1,
      vocabSizes: [...(args.vocabSizes ?? [])],
      embeddingDim: args.embeddingDim ?? 8,
      codeDropout: args.codeDropout ?? 0,
    };
    this.seed = args.seed;
  }

  private init(offset: number): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform(this.seed === undefined ? {} : { seed: this.seed + offset });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const all = shape[shape.length - 1];
    if (typeof all !== 'number') throw new Error('MindflowCnnBiLstm needs a known channel count');
    const { vocabSizes, embeddingDim, flowSkipUnits, flowSkipLayers } = this.args;
    const codes = vocabSizes.length;
    if (all - codes < 2) throw new Error(`MindflowCnnBiLstm: ${all} channels cannot hold ${codes} code channels, features and the mask`);
    // the conv stack reads the numeric channels and the mask; codes only feed the flow skip
    let channels: number = all - codes;
    if (codes > 0 && flowSkipUnits > 0) {
      const rows = vocabSizes.reduce((a, b) => a + b, 0);
      this.embeddings = this.addWeight('code_embeddings', [rows, embeddingDim], 'float32', tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, ...(this.seed === undefined ? {} : { seed: this.seed + 60 }) }));
    }
    if (flowSkipUnits > 0) {
      // old packages: one layer over every channel of the flow (mask included)
      let width = codes > 0 ? all - codes - 1 + codes * embeddingDim : all;
      for (let l = 0; l < flowSkipLayers; l++) {
        const suffix = l === 0 ? '' : String(l + 1);
        this.skip.push({
          kernel: this.addWeight(`flow_skip${suffix}_kernel`, [width, flowSkipUnits], 'float32', this.init(50 + l * 3)),
          bias: this.addWeight(`flow_skip${suffix}_bias`, [flowSkipUnits], 'float32', tf.initializers.zeros()),
        });
        width = flowSkipUnits;
      }
    }
    const { convFilters, kernelSize, lstmUnits: u } = this.args;
    convFilters.forEach((filters, i) => {
      this.convKernels.push(this.addWeight(`conv${i + 1}_kernel`, [kernelSize, channels as number, filters], 'float32', this.init(i)));
      this.convBiases.push(this.addWeight(`conv${i + 1}_bias`, [filters], 'float32', tf.initializers.zeros()));
      channels = filters;
    });
    const forgetBias = tf.tidy(() => tf.concat([tf.zeros([u]), tf.ones([u]), tf.zeros([2 * u])]));
    const biasInit = tf.initializers.constant({ value: 0 });
    (['forward', 'backward'] as const).forEach((dir, d) => {
      const kernel = this.addWeight(`${dir}_lstm_kernel`, [channels as number, GATES * u], 'float32', this.init(20 + d));
      const recurrent = this.addWeight(`${dir}_lstm_recurrent_kernel`, [u, GATES * u], 'float32', this.init(30 + d));
      const bias = this.addWeight(`${dir}_lstm_bias`, [GATES * u], 'float32', biasInit);
      bias.write(forgetBias);
      this.lstm.push({ kernel, recurrent, bias });
    });
    forgetBias.dispose();
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, 2 * this.args.lstmUnits + this.args.flowSkipUnits];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const input = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const { poolSize, dropout } = this.args;
      const batch = input.shape[0];
      // [time, batch, channels]: slices along time are contiguous from here on.
      const x = tf.transpose(input, [1, 0, 2]) as tf.Tensor3D;
      const [window, , inChannels] = x.shape;
      let own: tf.Tensor2D | null = null;
      if (this.skip.length > 0) {
        const last = tf.slice(x, [window - 1, 0, 0], [1, batch, inChannels]).reshape([batch, inChannels]) as tf.Tensor2D;
        own = kwargs.training ? this.flowPath(last, true) : this.distinctFlowPath(last, 0, batch);
      }
      let h = this.convStack(this.convInput(x), kwargs.training);
      if (poolSize > 1) {
        // Max over each group of poolSize steps as a chain of maxOf over strided time slices
        // (poolMax): tf.max's gradient needs a broadcast Equal that is slow on wasm.
        const [t, , c] = h.shape;
        const steps = Math.floor(t / poolSize);
        const grouped = (steps * poolSize === t ? h : h.slice([0, 0, 0], [steps * poolSize, batch, c])).reshape([steps, poolSize, batch * c]) as tf.Tensor3D;
        h = (kwargs.training ? poolMaxWithGrad(grouped) : poolMax(grouped)).reshape([steps, batch, c]);
      }
      if (kwargs.training && dropout > 0) {
        // Seeded per call so a seeded training run is reproducible.
        const seed = this.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : this.seed * 7919 + this.dropoutCalls++;
        h = dropoutBySeed(h, dropout, seed) as tf.Tensor3D;
      }
      const [steps, , c] = h.shape;
      // each step's inputs as [channels, batch] (the LSTM runs transposed, see biLstm);
      // (tf.unstack's gradient breaks on a single step)
      const hT = tf.transpose(h, [0, 2, 1]);
      const xs = Array.from({ length: steps }, (_, t) => tf.slice(hT, [t, 0, 0], [1, c, batch]).reshape([c, batch]) as tf.Tensor2D);
      const finals = this.biLstm(steps, (kT, bT) => xs.map((x) => tf.matMul(kT, x).add(bT)));
      return tf.concat(own ? [...finals, own] : finals, 1);
    });
  }

  /**
   * Inference on `n` unkeyed windows given as their rows [W-1+n, C] (window i = rows i..i+W-1),
   * the same numbers as call() on the expanded windows. Overlapping windows share their conv
   * outputs, pooled maxima and LSTM input projections, so each is computed once per row
   * instead of once per (window, step); only the recurrence runs per window. 'valid' padding
   * only (with 'same', each window pads its own edges): see supportsRows().
   */
  callRows(rows: tf.Tensor2D, n: number, cache?: FlowPathCache, values?: Float32Array): tf.Tensor2D {
    return tf.tidy(() => {
      const { poolSize: p, lstmUnits: u } = this.args;
      const [total, inChannels] = rows.shape;
      const window = total - n + 1;
      const own = this.skip.length > 0 ? this.distinctFlowPath(rows, window - 1, n, cache, values) : null;
      // the rows as one sequence: time-major with a batch of 1
      const h = this.convStack(this.convInput(rows.reshape([total, 1, inChannels]) as tf.Tensor3D));
      const convSteps = window - this.args.convFilters.length * (this.args.kernelSize - 1);
      const steps = p > 1 ? Math.floor(convSteps / p) : convSteps;
      const [positions, , c] = h.shape;
      let pooled = h.reshape([positions, c]) as tf.Tensor2D;
      if (p > 1) {
        // pooled[t] = max(conv[t .. t+p-1]): window i's step j is pooled[i + p*j]
        const span = positions - p + 1;
        let m = tf.slice(pooled, [0, 0], [span, c]);
        for (let j = 1; j < p; j++) m = maxOf(m, tf.slice(pooled, [j, 0], [span, c])) as tf.Tensor2D;
        pooled = m as tf.Tensor2D;
      }
      const stride = p > 1 ? p : 1;
      const finals = this.biLstmByGate(steps, (kw, bw) => {
        const all = tf.matMul(pooled, kw).add(bw);
        return Array.from({ length: steps }, (_, j) => tf.slice(all, [j * stride, 0], [n, u]));
      });
      return tf.concat(own ? [...finals, own] : finals, 1) as tf.Tensor2D;
    });
  }

  /**
   * Inference: the flow path of rows start..start+n-1 of `rows`, once per distinct row: it reads
   * only the flow's own features, and floods make captures repetitive (a 4,096-flow batch of
   * sample A holds about 1,830 distinct rows), so this skips about half of that path's GEMMs.
   * With a cache (a scoring worker's), rows scored in earlier batches are not computed again.
   */
  private distinctFlowPath(rows: tf.Tensor2D, start: number, n: number, cache?: FlowPathCache, values?: Float32Array): tf.Tensor2D {
    const width = rows.shape[1];
    const data = values ?? (rows.dataSync() as Float32Array);
    const { first, hash, of } = distinctRows(data, start, n, width);
    // little to gain when most rows differ (and nothing is cached): skip the copies
    if (!cache && first.length > 0.8 * n) return this.flowPath(tf.slice(rows, [start, 0], [n, width]));
    const units = this.args.flowSkipUnits;
    // reused across batches: only read into this call's result
    if (this.distinctValues.length < first.length * units) this.distinctValues = new Float32Array(Math.max(first.length * units, 2 * this.distinctValues.length));
    const distinct = this.distinctValues.subarray(0, first.length * units);
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    // distinct rows the cache does not hold go through the dense layers
    const missing: number[] = [];
    first.forEach((r, d) => {
      const e = cache ? cache.find(bits, (r + start) * width, width, hash[d]!) : -1;
      if (e >= 0) distinct.set(cache!.value(e), d * units);
      else missing.push(d);
    });
    if (missing.length > 0) {
      const at = Int32Array.from(missing, (d) => first[d]! + start);
      const computed = this.flowPath(pickedTensor(data, width, at)).dataSync() as Float32Array;
      missing.forEach((d, i) => {
        const out = computed.subarray(i * units, (i + 1) * units);
        distinct.set(out, d * units);
        cache?.add(bits, at[i]! * width, width, hash[missing[i]!]!, out);
      });
    }
    return pickedTensor(distinct, units, of);
  }

  /** Whether callRows gives the same numbers as call() for this layer's settings. */
  supportsRows(): boolean {
    return this.args.padding === 'valid' || this.args.kernelSize === 1;
  }

  /** The scored flow's own path: numeric channels (+ value vectors) through the dense layers. */
  private flowPath(last: tf.Tensor2D, training = false): tf.Tensor2D {
    const codes = this.args.vocabSizes.length;
    const [batch, inChannels] = last.shape;
    let own: tf.Tensor2D = codes > 0 ? tf.concat([tf.slice(last, [0, 0], [batch, inChannels - codes - 1]), this.embedCodes(tf.slice(last, [0, inChannels - codes - 1], [batch, codes]), training)], 1) : last;
    for (const layer of this.skip) own = tf.fused.matMul({ a: own, b: layer.kernel.read() as tf.Tensor2D, bias: layer.bias.read(), activation: 'relu' }) as tf.Tensor2D;
    return own;
  }

  /** [T, B, C] -> the conv stack's input: the numeric channels and the mask (codes dropped). */
  private convInput(x: tf.Tensor3D): tf.Tensor3D {
    const codes = this.args.vocabSizes.length;
    if (codes === 0) return x;
    const [t, b, channels] = x.shape;
    const numeric = channels - codes - 1;
    return tf.concat([tf.slice(x, [0, 0, 0], [t, b, numeric]), tf.slice(x, [0, 0, numeric + codes], [t, b, 1])], 2);
  }

  /**
   * Conv1D + ReLU layers over time-major [T, B, C]: each an im2col GEMM of k shifted slices.
   * Training runs each layer through convLayerWithGrad; the stack's input (the model's input)
   * never gets a gradient.
   */
  private convStack(input: tf.Tensor3D, training = false): tf.Tensor3D {
    const { kernelSize: k, padding } = this.args;
    let x = input;
    this.convKernels.forEach((kernelVar, i) => {
      if (padding === 'same' && k > 1) {
        const before = Math.floor((k - 1) / 2);
        x = tf.pad(x, [[before, k - 1 - before], [0, 0], [0, 0]]);
      }
      const c = x.shape[2];
      const kernel = kernelVar.read().reshape([k * c, kernelVar.shape[2] as number]) as tf.Tensor2D;
      const bias = this.convBiases[i]!.read() as tf.Tensor1D;
      if (training) x = convLayerWithGrad(x, kernel, bias, k, i > 0);
      else x = tf.fused.matMul({ a: im2col(x, k), b: kernel, bias, activation: 'relu' }).reshape([x.shape[0] - k + 1, x.shape[1], kernel.shape[1]]);
    });
    return x;
  }

  /**
   * Both LSTM directions over `steps` steps, transposed: states are [units, batch] and a step's
   * four gates are one [4 * units, batch] product whose gate blocks are contiguous rows, so a
   * step is one GEMM and one split (whose gradient is a concat of row blocks), and every bias
   * gradient is a sum along rows. `inputs(kernelT, biasT)` gives each step's input projection,
   * [4 * units, batch], bias added. Returns the final states, [batch, units] each.
   */
  private biLstm(steps: number, inputs: (kernelT: tf.Tensor2D, biasT: tf.Tensor2D) => tf.Tensor[]): tf.Tensor[] {
    const u = this.args.lstmUnits;
    // sigmoid(2z) for the candidate rows gives tanh(z) = 2·sigmoid(2z) − 1 from the same sigmoid
    const gateScale = tf.concat([tf.ones([2 * u, 1]), tf.fill([u, 1], 2), tf.ones([u, 1])]);
    return this.lstm.map(({ kernel, recurrent, bias }, d) => {
      const kT = tf.transpose(kernel.read()) as tf.Tensor2D;
      const rT = tf.transpose(recurrent.read()) as tf.Tensor2D;
      const proj = inputs(kT, bias.read().reshape([GATES * u, 1]) as tf.Tensor2D);
      let h: tf.Tensor | null = null;
      let cell: tf.Tensor | null = null;
      for (let s = 0; s < steps; s++) {
        const step = d === 0 ? s : steps - 1 - s;
        const z = h ? proj[step]!.add(tf.matMul(rT, h)) : proj[step]!;
        const [ig, fg, cs, og] = tf.split(tf.sigmoid(z.mul(gateScale)), GATES, 0) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const cand = cs.mul(2).sub(1);
        cell = cell ? fg.mul(cell).add(ig.mul(cand)) : ig.mul(cand);
        h = og.mul(tanh(cell));
      }
      return tf.transpose(h as tf.Tensor);
    });
  }

  /**
   * biLstm in the batch-major layout, one GEMM per gate: the scan path's form. With a scan's
   * 4,096 windows a batch, a transposed step's [64, 4096] state operand made the recurrent GEMM
   * slower than four [4096, 64] x [64, 64] ones (scan path 30 k -> 24 k windows/s here), while
   * in training the transposed layout is the faster. `inputs(kernel, bias)` projects one gate's
   * input for every step ([batch, units] each). Returns the final states.
   */
  private biLstmByGate(steps: number, inputs: (kernel: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor[]): tf.Tensor[] {
    const u = this.args.lstmUnits;
    return this.lstm.map(({ kernel, recurrent, bias }, d) => {
      const kw = kernel.read();
      const rw = recurrent.read();
      const bw = bias.read();
      const c = kw.shape[0] as number;
      // per-gate weight slices (tiny) instead of splitting activations
      const proj = Array.from({ length: GATES }, (_, g) => inputs(tf.slice(kw, [0, g * u], [c, u]) as tf.Tensor2D, tf.slice(bw, [g * u], [u]) as tf.Tensor1D));
      const rec = Array.from({ length: GATES }, (_, g) => tf.slice(rw, [0, g * u], [u, u]));
      let h: tf.Tensor | null = null;
      let cell: tf.Tensor | null = null;
      for (let s = 0; s < steps; s++) {
        const step = d === 0 ? s : steps - 1 - s;
        const z = proj.map((p, g) => (h ? p[step]!.add(tf.matMul(h, rec[g]!)) : p[step]!));
        const ig = tf.sigmoid(z[0]!);
        const fg = tf.sigmoid(z[1]!);
        const cand = tanh(z[2]!);
        const og = tf.sigmoid(z[3]!);
        cell = cell ? fg.mul(cell).add(ig.mul(cand)) : ig.mul(cand);
        h = og.mul(tanh(cell));
      }
      return h as tf.Tensor;
    });
  }

  /** [batch, codes] value codes (floats) -> [batch, codes * embeddingDim] learned vectors */
  private embedCodes(codes: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const { vocabSizes, embeddingDim } = this.args;
    return embed(this.embeddings!.read() as tf.Tensor2D, this.codeIndex(codes, training), training).reshape([codes.shape[0], vocabSizes.length * embeddingDim]);
  }

  /** [batch, codes] value codes (floats) -> int32 rows of the embedding table, [batch * codes] */
  private codeIndex(codes: tf.Tensor2D, training: boolean): tf.Tensor1D {
    const { vocabSizes, codeDropout } = this.args;
    const batch = codes.shape[0];
    const offsets: number[] = [];
    vocabSizes.reduce((o, size) => (offsets.push(o), o + size), 0);
    // a code outside its column's vocabulary (a damaged input) reads as unknown (0)
    const max = tf.tensor1d(vocabSizes.map((s) => s - 1));
    let keep = tf.logicalAnd(tf.greaterEqual(codes, 0), tf.lessEqual(codes, max));
    if (training && codeDropout > 0) {
      const seed = this.seed === undefined ? undefined : this.seed * 104729 + this.dropoutCalls++;
      keep = tf.logicalAnd(keep, tf.greaterEqual(tf.randomUniform(codes.shape, 0, 1, 'float32', seed), codeDropout));
    }
    const clean = tf.where(keep, tf.round(codes), tf.zerosLike(codes));
    return clean.add(tf.tensor1d(offsets)).toInt().reshape([batch * vocabSizes.length]) as tf.Tensor1D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args, convFilters: [...this.args.convFilters], vocabSizes: [...this.args.vocabSizes] };
  }
}
tf.serialization.registerClass(MindflowCnnBiLstm);

/** Builds (and compiles, for evaluate/predict convenience) the CNN-BiLSTM. Pure: no data, no backend choice. */
export function buildModel(config: ModelConfig): tf.LayersModel {
  stepsAfterConv(config);
  const seed = config.seed;
  const input = tf.input({ shape: [config.window, config.channels], name: 'window' });
  const features = new MindflowCnnBiLstm({
    convFilters: config.convFilters,
    kernelSize: config.kernelSize,
    padding: config.padding,
    poolSize: config.poolSize,
    dropout: config.dropout,
    lstmUnits: config.lstmUnits,
    flowSkipUnits: config.flowSkipUnits,
    flowSkipLayers: config.flowSkipLayers,
    vocabSizes: config.vocabSizes,
    embeddingDim: config.embeddingDim,
    codeDropout: config.codeDropout,
    seed,
    name: 'cnn_bilstm',
  }).apply(input) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: config.classes,
      activation: 'softmax',
      name: 'classes',
      ...(seed === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 40 }) }),
    })
    .apply(features) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'mindflow_cnn_bilstm' });
  model.compile({ optimizer: tf.train.adam(config.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** The [input, CNN-BiLSTM, softmax dense] layers of a model buildModel made, or null for another topology. */
function detectorLayers(model: tf.LayersModel): { core: MindflowCnnBiLstm; out: tf.layers.Layer } | null {
  const [, core, out, ...more] = model.layers;
  return core instanceof MindflowCnnBiLstm && out && more.length === 0 ? { core, out } : null;
}

/**
 * Pre-softmax scores [n, classes] of windows [n, W, C]: unlike probabilities they do not
 * saturate (a float32 softmax reads 1.0 once a class leads by about 17), so occlusion can still
 * tell inputs apart on a confident model. Falls back to log-probabilities (the same up to a
 * per-row constant) for a model of another topology.
 */
export function predictLogits(model: tf.LayersModel, x: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const layers = detectorLayers(model);
    const [kernel, bias] = layers && layers.out.getClassName() === 'Dense' ? layers.out.getWeights() : [];
    if (layers && kernel && bias) return tf.matMul(layers.core.apply(x) as tf.Tensor2D, kernel as tf.Tensor2D).add(bias) as tf.Tensor2D;
    return tf.log(tf.clipByValue(model.predict(x) as tf.Tensor2D, 1e-30, 1)) as tf.Tensor2D;
  });
}

/**
 * Class probabilities [n, classes] of `n` unkeyed windows given as their rows [W-1+n, C]
 * (window i = rows i..i+W-1) through the shared-computation path (MindflowCnnBiLstm.callRows);
 * null when the model cannot take it (another topology, 'same' padding): expand and predict.
 * `cache` keeps flow-path outputs across calls: only for a model whose weights stay as they are.
 * `values`, when the caller holds the rows' values, saves copying them back out of the backend.
 */
export function predictRows(model: tf.LayersModel, rows: tf.Tensor2D, n: number, cache?: FlowPathCache, values?: Float32Array): tf.Tensor2D | null {
  const layers = detectorLayers(model);
  if (!layers || !layers.core.supportsRows()) return null;
  return tf.tidy(() => layers.out.apply(layers.core.callRows(rows, n, cache, values)) as tf.Tensor2D);
}
