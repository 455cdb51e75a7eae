import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, readInto } from '../../../main/core/model/backend.ts';
import { availableParallelism } from 'node:os';
import { backendStatusOf } from '../../../main/core/detector/service.ts';

describe('initBackend', () => {
  afterEach(() => {
    delete process.env.MINDFLOW_BACKEND;
  });
  it('MINDFLOW_BACKEND forces a backend and reports its name', async () => {
    process.env.MINDFLOW_BACKEND = 'cpu';
    expect(await initBackend()).toMatchObject({ kind: 'cpu', name: 'cpu' });
    process.env.MINDFLOW_BACKEND = 'wasm';
    const wasm = await initBackend();
    expect(wasm).toMatchObject({ kind: 'wasm', name: 'wasm' });
    expect(wasm.label).toMatch(/^wasm \((no )?SIMD, \d+ threads?\)$/);
  });
  it('refuses an unknown MINDFLOW_BACKEND in one line', async () => {
    process.env.MINDFLOW_BACKEND = 'tpu';
    await expect(initBackend()).rejects.toThrow('MINDFLOW_BACKEND must be one of gpu, node, wasm, cpu, got "tpu"');
  });
  it('a forced native backend that is not installed is an error, not a silent fallback', async () => {
    let err: unknown = null;
    try {
      await import('@tensorflow/tfjs-node-gpu' as string);
    } catch (e) {
      err = e;
    }
    if (err) await expect(initBackend('gpu')).rejects.toThrow('backend "gpu" is not available on this machine: @tensorflow/tfjs-node-gpu is not installed');
  });
});

describe.each(['wasm', 'cpu'] as const)('readInto on %s', (backend) => {
  it('copies a tensor’s values where it is told, as dataSync reads them', async () => {
    await initBackend(backend);
    const keep = tf.tensor1d([9, 9, 9]); // so the next tensor does not sit at the heap's start
    const t = tf.tidy(() => tf.randomNormal([4, 5], 0, 1, 'float32', 3).mul(2));
    const out = new Float32Array(26).fill(-1);
    readInto(t, out, 3);
    expect(Array.from(out.subarray(3, 23))).toEqual(Array.from(t.dataSync()));
    expect([...out.subarray(0, 3), ...out.subarray(23)]).toEqual([-1, -1, -1, -1, -1, -1]);
    tf.dispose([keep, t]);
  });
});

describe('the wasm kernel patches', () => {
  it('Identity and a same-dtype Cast share their input’s buffer and count it, so either may be disposed first', async () => {
    await initBackend('wasm');
    const before = tf.memory().numBytes;
    const x = tf.tensor2d([[1, -2, 3], [4, 5, -6]]);
    const y = tf.clone(x);
    const same = tf.cast(x, 'float32');
    const int = tf.cast(x, 'int32');
    const heap = tf.backend() as unknown as { getMemoryOffset(id: object): number };
    expect(heap.getMemoryOffset(y.dataId)).toBe(heap.getMemoryOffset(x.dataId));
    expect(heap.getMemoryOffset(same.dataId)).toBe(heap.getMemoryOffset(x.dataId));
    expect(heap.getMemoryOffset(int.dataId)).not.toBe(heap.getMemoryOffset(x.dataId));
    expect(int.dtype).toBe('int32');
    expect(Array.from(int.dataSync())).toEqual([1, -2, 3, 4, 5, -6]);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1, -2, 3, 4, 5, -6]);
    tf.dispose([same, int]);
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3, 4, 5, -6]);
    // a gradient through mul calls Identity (a cast to its own dtype): values stay right
    const ones = tf.onesLike(y);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, y)))(ones);
    expect(Array.from(g.dataSync())).toEqual([1, -2, 3, 4, 5, -6]);
    tf.dispose([y, g, ones]);
    expect(tf.memory().numBytes).toBe(before);
  });

  it('matMul with transposed operands gives what the plain product of the transposes gives', async () => {
    await initBackend('wasm');
    const a = tf.randomNormal([5, 3], 0, 1, 'float32', 1);
    const b = tf.randomNormal([4, 5], 0, 1, 'float32', 2);
    const fused = tf.matMul(a, b, true, true);
    const plain = tf.matMul(tf.transpose(a), tf.transpose(b));
    expect(Array.from(fused.dataSync())).toEqual(Array.from(plain.dataSync()));
    tf.dispose([a, b, fused, plain]);
  });

  it('a weight gradient over many rows (Aᵀ·B, taken as (Bᵀ·A)ᵀ) gives the product of the transpose', async () => {
    await initBackend('wasm');
    const a = tf.randomNormal([1536, 7], 0, 1, 'float32', 3);
    const b = tf.randomNormal([1536, 5], 0, 1, 'float32', 4);
    const got = tf.matMul(a, b, true, false);
    expect(got.shape).toEqual([7, 5]);
    const want = tf.matMul(tf.transpose(a), b).dataSync();
    got.dataSync().forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(want[i]!, 3));
    tf.dispose([a, b, got]);
  });

  it('split reads its parts through heap views: the same parts as slices, on any axis, and a concat gradient', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tidy(() => tf.range(0, 4 * 6 * 3).reshape([4, 6, 3]).add(0.5));
    for (const [axis, sizes] of [[0, [1, 3]], [1, [2, 2, 2]], [2, [1, 2]]] as const) {
      const parts = tf.split(x, [...sizes], axis);
      let at = 0;
      parts.forEach((p, i) => {
        const begin = [0, 0, 0];
        const size = [...x.shape];
        begin[axis] = at;
        size[axis] = sizes[i]!;
        at += sizes[i]!;
        expect(p.shape).toEqual(size);
        const slice = tf.slice(x, begin, size);
        expect(Array.from(p.dataSync()), `axis ${axis} part ${i}`).toEqual(Array.from(slice.dataSync()));
        slice.dispose();
      });
      tf.dispose(parts);
    }
    const g = tf.grad((t: tf.Tensor) => {
      const [p, q] = tf.split(t, 2, 0);
      return tf.sum(tf.add(tf.mul(p!, 2), tf.mul(q!, 3)));
    })(x);
    expect(Array.from(g.dataSync())).toEqual([...new Array(36).fill(2), ...new Array(36).fill(3)]);
    tf.dispose([x, g]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('backendStatusOf', () => {
  it('says how many wasm workers run, not only one worker’s threads', () => {
    const cores = availableParallelism();
    const s = backendStatusOf({ kind: 'wasm', name: 'wasm', label: 'wasm (SIMD, 1 thread)' });
    expect(s.name).toBe('wasm');
    expect(s.device).toBe(`SIMD · ${cores} worker${cores === 1 ? '' : 's'} × 1 thread`);
    expect(backendStatusOf({ kind: 'cpu', name: 'cpu', label: 'cpu (plain JavaScript)' }).device).toBe(`plain JavaScript · ${cores} worker${cores === 1 ? '' : 's'}`);
    expect(s.notes[0]).toContain(`a scan runs ${cores} worker`);
    expect(s.notes.some((n) => n.includes('tfjs-node-gpu'))).toBe(true);
  });
  it('names why the native backends were skipped', () => {
    const skipped = [
      { kind: 'gpu' as const, reason: '@tensorflow/tfjs-node-gpu is not installed' },
      { kind: 'node' as const, reason: '@tensorflow/tfjs-node is not installed' },
    ];
    const s = backendStatusOf({ kind: 'wasm', name: 'wasm', label: 'wasm (SIMD, 1 thread)', skipped }, null);
    expect(s.notes[1]).toBe('no native TensorFlow (optional, it needs libtensorflow): @tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed');
  });
  it('on a machine with an NVIDIA GPU, says which GPU sits idle and what tfjs-node-gpu needs', () => {
    const skipped = [
      { kind: 'gpu' as const, reason: 'libcudart.so.11.0: cannot open shared object file' },
      { kind: 'node' as const, reason: '@tensorflow/tfjs-node is not installed' },
    ];
    const s = backendStatusOf({ kind: 'wasm', name: 'wasm', label: 'wasm (SIMD, 1 thread)', skipped }, { models: ['NVIDIA H200'], driver: '580.159.04' });
    expect(s.notes[1]).toBe(
      'this machine has an NVIDIA GPU (NVIDIA H200, driver 580.159.04) but @tensorflow/tfjs-node-gpu did not load: libcudart.so.11.0: cannot open shared object file. ' +
        'It needs libtensorflow 2.9.1, which its install downloads, and the CUDA 11.2 and cuDNN 8.1 libraries',
    );
    // forced to wasm, the GPU package was never tried: no claim that it failed
    const forced = backendStatusOf({ kind: 'wasm', name: 'wasm', label: 'wasm (SIMD, 1 thread)' }, { models: ['NVIDIA H200'], driver: null });
    expect(forced.notes[1]).toBe('@tensorflow/tfjs-node-gpu and @tensorflow/tfjs-node were not tried (optional: they need libtensorflow)');
  });
  it('a native backend is reported as it is, without worker notes', () => {
    const s = backendStatusOf({ kind: 'gpu', name: 'tensorflow', label: 'NVIDIA H200 (CUDA)' });
    expect(s).toEqual({ name: 'tfjs-node-gpu', device: 'NVIDIA H200 (CUDA)', notes: process.env.MINDFLOW_BACKEND ? [expect.any(String)] : [] });
  });
});
