import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../../main/core/model/backend.ts';
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
    if (err) await expect(initBackend('gpu')).rejects.toThrow(/backend "gpu" is not available/);
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
  it('a native backend is reported as it is, without worker notes', () => {
    const s = backendStatusOf({ kind: 'gpu', name: 'tensorflow', label: 'NVIDIA H200 (CUDA)' });
    expect(s).toEqual({ name: 'tfjs-node-gpu', device: 'NVIDIA H200 (CUDA)', notes: process.env.MINDFLOW_BACKEND ? [expect.any(String)] : [] });
  });
});
