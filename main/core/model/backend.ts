/**
 * Chooses and initialises the TensorFlow.js backend. Only a worker entry or a script calls
 * this: library modules import `@tensorflow/tfjs` and use whichever backend is active.
 *
 * Order: @tensorflow/tfjs-node-gpu (CUDA), @tensorflow/tfjs-node, the WebAssembly backend
 * (SIMD; Node has no wasm threads in tfjs 4.22, so scoring uses one worker per core), then
 * the plain JavaScript 'cpu' backend. MINDFLOW_BACKEND=gpu|node|wasm|cpu forces one.
 * The native packages are optional dependencies: they are loaded at run time only if present.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MindflowError } from '../errors.ts';
import { nativeLabel } from './gpu.ts';

export type BackendKind = 'gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_KINDS: readonly BackendKind[] = ['gpu', 'node', 'wasm', 'cpu'];

export interface BackendInfo {
  kind: BackendKind;
  /** tf.getBackend() after initialisation: 'tensorflow', 'wasm' or 'cpu' */
  name: string;
  /** human text for a status bar / report, e.g. "wasm (SIMD, 1 thread)" */
  label: string;
  /** the faster backends tried before this one, and why each did not load */
  skipped?: { kind: BackendKind; reason: string }[];
}

const requireFromHere = createRequire(import.meta.url);

function isKind(v: string): v is BackendKind {
  return (BACKEND_KINDS as readonly string[]).includes(v);
}

/** Directory holding the tfjs-backend-wasm .wasm binaries, with a trailing slash. */
export function wasmBinaryDir(): string {
  const pkg = requireFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return join(dirname(pkg), 'dist') + '/';
}

function installed(pkg: string): boolean {
  try {
    requireFromHere.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** Why each backend kind last failed to load in this process, in one line. */
const failures = new Map<BackendKind, string>();

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').find((l) => l.trim())?.trim().replace(/\.$/, '') ?? 'unknown error';
}

async function tryNative(kind: BackendKind, pkg: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ pkg);
  } catch (e) {
    failures.set(kind, installed(pkg) ? firstLine(e) : `${pkg} is not installed`);
    return false;
  }
  if (tf.findBackend('tensorflow') !== null && (await tf.setBackend('tensorflow'))) return true;
  failures.set(kind, `${pkg} loaded but its 'tensorflow' backend did not start`);
  return false;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}
type SliceKernel = (args: { inputs: { x: tf.TensorInfo }; attrs: { begin: number[] | number; size?: number[] | number }; backend: unknown }) => tf.TensorInfo;

/** Whether a wasm kernel is already one of these replacements. */
function replaced(kernel: tf.KernelConfig | undefined): boolean {
  return (kernel?.kernelFunc as { mindflow?: boolean } | undefined)?.mindflow === true;
}

/** Registers `kernelFunc` as the wasm backend's kernel in place of `original`, marked as replaced. */
function replaceWasmKernel(original: tf.KernelConfig, kernelFunc: unknown): void {
  (kernelFunc as { mindflow?: boolean }).mindflow = true;
  tf.unregisterKernel(original.kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as tf.KernelFunc });
}

/**
 * tfjs-backend-wasm 4.22's Slice (and Unpack and SplitV, which call it) first copies the WHOLE
 * input out of the wasm heap (readSync) for every slice; the CNN-BiLSTM takes dozens of slices
 * per batch, so that copy dominated inference. This replacement reads the input through a heap view:
 * same results, no copy. Anything unusual (strings, rank > 4) goes to the original kernel.
 */
function patchWasmSlice(): void {
  const original = tf.getKernel('Slice', 'wasm');
  if (!original || replaced(original)) return;
  const fallback = original.kernelFunc as unknown as SliceKernel;
  const slice: SliceKernel = (args) => {
    const { x } = args.inputs;
    if (x.dtype === 'string' || x.shape.length > 4 || x.shape.length === 0) return fallback(args);
    const backend = args.backend as WasmLike;
    const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, args.attrs.begin, args.attrs.size) as [number[], number[]];
    const out = backend.makeOutput(size, x.dtype);
    // Views only after makeOutput: allocating may grow (and detach) the heap.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const rank = x.shape.length;
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
      const off = begin.reduce((acc, v, i) => acc + v * (strides[i] ?? 1), 0);
      dst.set(src.subarray(off, off + dst.length));
      return out;
    }
    // Copy one innermost row at a time, walking the outer dimensions like an odometer.
    const row = size[rank - 1]!;
    const idx = new Array<number>(rank - 1).fill(0);
    for (let o = 0; o < dst.length; o += row) {
      let off = begin[rank - 1]!;
      for (let d = 0; d < rank - 1; d++) off += (begin[d]! + idx[d]!) * strides[d]!;
      dst.set(src.subarray(off, off + row), o);
      for (let d = rank - 2; d >= 0; d--) {
        if (++idx[d]! < size[d]!) break;
        idx[d] = 0;
      }
    }
    return out;
  };
  const unpack = (args: { inputs: { value: tf.TensorInfo }; attrs: { axis: number }; backend: unknown }): tf.TensorInfo[] => {
    const { value } = args.inputs;
    const rank = value.shape.length;
    const axis = args.attrs.axis < 0 ? args.attrs.axis + rank : args.attrs.axis;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(rank).fill(0);
    const size = [...value.shape];
    size[axis] = 1;
    return Array.from({ length: value.shape[axis]! }, (_, i) => {
      begin[axis] = i;
      const t = slice({ inputs: { x: value }, attrs: { begin: [...begin], size }, backend: args.backend });
      return { dataId: t.dataId, dtype: t.dtype, shape: outShape };
    });
  };
  // tf.split, and with it the gradient of every concat (the LSTM's gates are one split)
  const splitV = (args: { inputs: { x: tf.TensorInfo }; attrs: { numOrSizeSplits: number[] | number; axis: number }; backend: unknown }): tf.TensorInfo[] => {
    const { x } = args.inputs;
    const axis = tf.util.parseAxisParam(args.attrs.axis, x.shape)[0]!;
    const begin = new Array<number>(x.shape.length).fill(0);
    return tf.backend_util.prepareSplitSize(x, args.attrs.numOrSizeSplits, axis).map((part) => {
      const size = [...x.shape];
      size[axis] = part;
      const t = slice({ inputs: { x }, attrs: { begin: [...begin], size }, backend: args.backend });
      begin[axis]! += part;
      return t;
    });
  };
  replaceWasmKernel(original, slice);
  const originalUnpack = tf.getKernel('Unpack', 'wasm');
  if (originalUnpack) replaceWasmKernel(originalUnpack, unpack);
  const originalSplit = tf.getKernel('SplitV', 'wasm');
  if (originalSplit) replaceWasmKernel(originalSplit, splitV);
}

/**
 * tfjs-backend-wasm 4.22 multiplies with a transposed operand ~10x slower than without
 * (3 vs 29 GFLOPS here), and every matMul gradient uses one. Transposing explicitly first
 * (a fast native kernel) and multiplying plainly is ~6x faster.
 */
/** inner size from which Aᵀ·B is computed as (Bᵀ·A)ᵀ: measured faster for K >= 1536, slower for K = 256 */
const LONG_INNER = 1024;

function patchWasmMatMul(kernelName: 'BatchMatMul' | '_FusedMatMul'): void {
  const original = tf.getKernel(kernelName, 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose || replaced(original)) return;
  type Args = { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: { disposeData(id: object): void } };
  const call = original.kernelFunc as unknown as (args: Args) => tf.TensorInfo;
  const tr = transpose.kernelFunc as unknown as (args: { inputs: { x: tf.TensorInfo }; attrs: { perm: number[] }; backend: unknown }) => tf.TensorInfo;
  const swapLast = (x: tf.TensorInfo, backend: unknown): tf.TensorInfo => {
    const perm = x.shape.map((_, i) => i);
    const n = perm.length;
    [perm[n - 2], perm[n - 1]] = [perm[n - 1]!, perm[n - 2]!];
    return tr({ inputs: { x }, attrs: { perm }, backend });
  };
  const kernelFunc = (args: Args): tf.TensorInfo => {
    const { transposeA, transposeB } = args.attrs;
    if (!transposeA && !transposeB) return call(args);
    const a = args.inputs.a!;
    const b = args.inputs.b!;
    if (kernelName === 'BatchMatMul' && transposeA && !transposeB && a.shape.length === 2 && b.shape.length === 2 && a.shape[0]! >= LONG_INNER) {
      // A weight gradient over many rows, Aᵀ·B with A [K, M], B [K, N]: (Bᵀ·A)ᵀ transposes the
      // thinner B and a small product instead of A (conv gradients: 4.0 -> 2.1 ms)
      const tb = swapLast(b, args.backend);
      const ct = call({ ...args, inputs: { a: tb, b: a }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      args.backend.disposeData(tb.dataId);
      const out = swapLast(ct, args.backend);
      args.backend.disposeData(ct.dataId);
      return out;
    }
    const ta = transposeA ? swapLast(a, args.backend) : a;
    const tb = transposeB ? swapLast(b, args.backend) : b;
    const out = call({ ...args, inputs: { ...args.inputs, a: ta, b: tb }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    if (ta !== a) args.backend.disposeData(ta.dataId);
    if (tb !== b) args.backend.disposeData(tb.dataId);
    return out;
  };
  replaceWasmKernel(original, kernelFunc);
}

/**
 * tfjs-backend-wasm 4.22's Identity, and its Cast to the dtype a tensor already has, copy the
 * input into a new buffer. Gradients call them for every multiply (~470 copies per training
 * step of the detector); the cpu and webgl backends share the input's buffer instead (tensors
 * are immutable), and so do these. A one-thread training step went from ~101 to ~86 ms.
 */
function patchWasmCopies(): void {
  type Args = { inputs: { x: tf.TensorInfo }; attrs?: { dtype?: tf.DataType }; backend: { incRef(dataId: object): void } };
  for (const name of ['Identity', 'Cast'] as const) {
    const original = tf.getKernel(name, 'wasm');
    if (!original || replaced(original)) continue;
    const fallback = original.kernelFunc as unknown as (args: Args) => tf.TensorInfo;
    const kernelFunc = (args: Args): tf.TensorInfo => {
      const { x } = args.inputs;
      const dtype = args.attrs?.dtype ?? x.dtype;
      if (x.dtype === 'string' || dtype !== x.dtype) return fallback(args);
      args.backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype };
    };
    replaceWasmKernel(original, kernelFunc);
  }
}

async function tryWasm(): Promise<string | null> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmBinaryDir());
    patchWasmSlice();
    patchWasmCopies();
    patchWasmMatMul('BatchMatMul');
    patchWasmMatMul('_FusedMatMul');
    if (!(await tf.setBackend('wasm'))) {
      failures.set('wasm', 'the WebAssembly backend did not start');
      return null;
    }
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${wasm.getThreadsCount()} thread${wasm.getThreadsCount() === 1 ? '' : 's'})`;
  } catch (e) {
    failures.set('wasm', firstLine(e));
    return null;
  }
}

async function tryKind(kind: BackendKind): Promise<BackendInfo | null> {
  switch (kind) {
    case 'gpu':
    case 'node':
      if (!(await tryNative(kind, kind === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node'))) return null;
      return { kind, name: tf.getBackend(), label: nativeLabel(kind, tf.backend() as { isUsingGpuDevice?: boolean }) };
    case 'wasm': {
      const label = await tryWasm();
      return label ? { kind, name: tf.getBackend(), label } : null;
    }
    case 'cpu':
      await tf.setBackend('cpu');
      await tf.ready();
      return { kind, name: tf.getBackend(), label: 'cpu (plain JavaScript)' };
  }
}

let active: BackendInfo | null = null;

/**
 * Initialises the best available backend, or the forced one (argument, else MINDFLOW_BACKEND).
 * A forced backend that cannot load is an error, not a silent fallback.
 */
export async function initBackend(force?: BackendKind | null): Promise<BackendInfo> {
  const env = process.env.MINDFLOW_BACKEND?.trim().toLowerCase();
  if (!force && env) {
    if (!isKind(env)) throw new MindflowError('bad-args', `MINDFLOW_BACKEND must be one of ${BACKEND_KINDS.join(', ')}, got "${env}"`);
    force = env;
  }
  // Prod mode skips per-op NaN checks and the "install tfjs-node" console banner.
  tf.enableProdMode();
  if (active && (!force || active.kind === force)) return active;
  if (force) {
    const got = await tryKind(force);
    if (!got) throw new MindflowError('unavailable', `TensorFlow.js backend "${force}" is not available on this machine: ${failures.get(force) ?? 'it did not start'}`);
    active = got;
    return got;
  }
  const skipped: { kind: BackendKind; reason: string }[] = [];
  for (const kind of BACKEND_KINDS) {
    const got = await tryKind(kind);
    if (got) {
      active = skipped.length > 0 ? { ...got, skipped } : got;
      return active;
    }
    skipped.push({ kind, reason: failures.get(kind) ?? 'it did not start' });
  }
  throw new MindflowError('unavailable', 'no TensorFlow.js backend could be initialised');
}

/** The backend chosen by initBackend, or null before it ran. */
export function activeBackend(): BackendInfo | null {
  return active;
}

/**
 * Copies a float32 tensor's values into `out` at `at`. On wasm it reads them through a view of
 * the module's heap: dataSync would first copy them into a new array, and training reads ~1.5 MB
 * of gradients a step, which kept V8's collector busy enough to jitter the ranks' lock step.
 */
export function readInto(t: tf.Tensor, out: Float32Array, at = 0): void {
  const b = tf.backend() as unknown as Partial<WasmLike>;
  out.set((t.dtype === 'float32' && typeof b.typedArrayFromHeap === 'function' ? b.typedArrayFromHeap(t) : t.dataSync()) as Float32Array, at);
}
