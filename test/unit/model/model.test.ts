import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../main/core/model/backend.ts';
import { buildModel, modelConfig, stepsAfterConv } from '../../../main/core/model/model.ts';

const config = modelConfig({ window: 10, channels: 6, classes: 3, seed: 7, convFilters: [8, 16], lstmUnits: 8, flowSkipUnits: 4 });

describe.each(['wasm', 'cpu'] as const)('CNN-BiLSTM on the %s backend', (backend) => {
  it('builds with the expected output shape and trains (every gradient kernel exists)', async () => {
    await initBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    const model = buildModel(config);
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    const x = tf.randomNormal([32, 10, 6], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32'), 3);
    const optimizer = tf.train.adam(1e-2);
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    expect(losses).toHaveLength(15);
    expect(losses[14]!).toBeLessThan(losses[0]!);
    const p = model.predict(x) as tf.Tensor;
    const rows = p.sum(1).dataSync();
    for (const r of rows) expect(r).toBeCloseTo(1, 4);
    tf.dispose([x, y, p]);
    model.dispose();
    optimizer.dispose();
  });
});

describe('architecture settings', () => {
  it.each([
    [10, 'valid', 3], // 10 -> 8 -> 6 -> pool 3
    [10, 'same', 5],
    [5, 'valid', 0.5],
  ] as const)('window %i with %s padding leaves %s steps', (window, padding, steps) => {
    const c = modelConfig({ window, channels: 4, classes: 2, padding });
    if (steps < 1) expect(() => stepsAfterConv(c)).toThrow(/too short/);
    else expect(stepsAfterConv(c)).toBe(steps);
  });

  it('defaults follow design.md', () => {
    const c = modelConfig({ window: 10, channels: 4, classes: 5 });
    expect(c).toMatchObject({ convFilters: [64, 128], kernelSize: 3, poolSize: 2, dropout: 0.3, lstmUnits: 64, learningRate: 1e-3 });
  });
});

afterAll(() => tf.disposeVariables());
