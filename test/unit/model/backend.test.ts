import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../../main/core/model/backend.ts';

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
