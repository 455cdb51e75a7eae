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
  flowSkipUnits: 64,
  learningRate: 1e-3,
};

export function modelConfig(base: Pick<ModelConfig, 'window' | 'channels' | 'classes'> & Partial<ModelConfig>): ModelConfig {
  return { ...DEFAULT_ARCHITECTURE, ...base };
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
  seed?: number | undefined;
  name?: string;
}

/** tanh(x) = 2·sigmoid(2x) − 1: the wasm backend's Tanh is scalar and ~10x slower than its Sigmoid. */
function tanh(x: tf.Tensor): tf.Tensor {
  return tf.sigmoid(x.mul(2)).mul(2).sub(1);
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
 * conv is one im2col GEMM, and the LSTM gates use per-gate weight slices (tiny) instead of
 * splitting activations. Only transpose/slice/concat/matMul/add/relu/max/sigmoid/tanh/mul
 * are used, all with gradients on every backend (tfjs-node, wasm, cpu, webgl).
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
  private skip: { kernel: tf.LayerVariable; bias: tf.LayerVariable } | null = null;
  private lstm: { kernel: tf.LayerVariable; recurrent: tf.LayerVariable; bias: tf.LayerVariable }[] = [];

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
    };
    this.seed = args.seed;
  }

  private init(offset: number): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform(this.seed === undefined ? {} : { seed: this.seed + offset });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    let channels = shape[shape.length - 1];
    if (typeof channels !== 'number') throw new Error('MindflowCnnBiLstm needs a known channel count');
    if (this.args.flowSkipUnits > 0) {
      this.skip = {
        kernel: this.addWeight('flow_skip_kernel', [channels, this.args.flowSkipUnits], 'float32', this.init(50)),
        bias: this.addWeight('flow_skip_bias', [this.args.flowSkipUnits], 'float32', tf.initializers.zeros()),
      };
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
      const { kernelSize: k, padding, poolSize, dropout, lstmUnits: u } = this.args;
      const batch = input.shape[0];
      // [time, batch, channels]: slices along time are contiguous from here on.
      let x = tf.transpose(input, [1, 0, 2]) as tf.Tensor3D;
      const [window, , inChannels] = x.shape;
      const own = this.skip
        ? tf.fused.matMul({
            a: tf.slice(x, [window - 1, 0, 0], [1, batch, inChannels]).reshape([batch, inChannels]),
            b: this.skip.kernel.read(),
            bias: this.skip.bias.read(),
            activation: 'relu',
          })
        : null;
      this.convKernels.forEach((kernelVar, i) => {
        if (padding === 'same' && k > 1) {
          const before = Math.floor((k - 1) / 2);
          x = tf.pad(x, [[before, k - 1 - before], [0, 0], [0, 0]]);
        }
        const [t, , c] = x.shape;
        const steps = t - k + 1;
        const patches = k === 1 ? x : tf.concat(Array.from({ length: k }, (_, j) => tf.slice(x, [j, 0, 0], [steps, batch, c])), 2);
        const filters = kernelVar.shape[2] as number;
        const y = tf.fused.matMul({
          a: patches.reshape([steps * batch, k * c]),
          b: kernelVar.read().reshape([k * c, filters]),
          bias: this.convBiases[i]!.read(),
          activation: 'relu',
        });
        x = y.reshape([steps, batch, filters]);
      });
      if (poolSize > 1) {
        // Max over each group of poolSize steps as a chain of tf.maximum over strided time
        // slices: tf.max's gradient needs a broadcast Equal that is slow on wasm.
        const [t, , c] = x.shape;
        const steps = Math.floor(t / poolSize);
        const grouped = x.slice([0, 0, 0], [steps * poolSize, batch, c]).reshape([steps, poolSize, batch * c]);
        let pooled = grouped.slice([0, 0, 0], [steps, 1, batch * c]);
        for (let j = 1; j < poolSize; j++) pooled = tf.maximum(pooled, grouped.slice([0, j, 0], [steps, 1, batch * c]));
        x = pooled.reshape([steps, batch, c]);
      }
      if (kwargs.training && dropout > 0) {
        // Seeded per call so a seeded training run is reproducible.
        const seed = this.seed === undefined ? undefined : this.seed * 7919 + this.dropoutCalls++;
        x = tf.dropout(x, dropout, undefined, seed) as tf.Tensor3D;
      }
      const [steps, , c] = x.shape;
      const flat = x.reshape([steps * batch, c]);
      const finals = this.lstm.map(({ kernel, recurrent, bias }, d) => {
        const kw = kernel.read();
        const rw = recurrent.read();
        const bw = bias.read();
        // Per gate: input projection for all steps at once, then unstacked by time (contiguous).
        const proj = Array.from({ length: GATES }, (_, g) => {
          const all = tf
            .matMul(flat, tf.slice(kw, [0, g * u], [c, u]))
            .add(tf.slice(bw, [g * u], [u]))
            .reshape([steps, batch * u]);
          // contiguous per-step slices (tf.unstack's gradient breaks on a single step)
          return Array.from({ length: steps }, (_, t) => tf.slice(all, [t, 0], [1, batch * u]).reshape([batch, u]));
        });
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
      return tf.concat(own ? [...finals, own] : finals, 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args, convFilters: [...this.args.convFilters] };
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
