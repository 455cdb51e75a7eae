import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../main/core/model/backend.ts';
import { buildModel, convLayerWithGrad, im2col, modelConfig, poolMaxWithGrad, stepsAfterConv } from '../../../main/core/model/model.ts';

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

describe.each(['wasm', 'cpu'] as const)('CNN-BiLSTM gradients on the %s backend', (backend) => {
  it('match finite differences for every weight (im2col convs, mask max pooling, the transposed LSTM, the flow skip)', async () => {
    await initBackend(backend);
    const model = buildModel(modelConfig({ window: 10, channels: 6, classes: 3, seed: 5, convFilters: [4, 5], lstmUnits: 3, flowSkipUnits: 4, dropout: 0 }));
    const x = tf.randomNormal([12, 10, 6], 0, 1, 'float32', 8);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 12 }, (_, i) => i % 3), 'int32'), 3);
    const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor, undefined, undefined, tf.Reduction.SUM) as tf.Scalar;
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(loss, vars);
    const eps = 2e-3;
    for (const [i, v] of vars.entries()) {
      // the derivative along one random unit direction of this variable, both ways
      const d = tf.tidy(() => {
        const r = tf.randomNormal(v.shape, 0, 1, 'float32', 100 + i);
        return r.div(tf.norm(r));
      });
      const analytic = tf.sum(tf.mul(grads[v.name]!, d)).dataSync()[0]!;
      const start = v.clone();
      v.assign(tf.tidy(() => start.add(d.mul(eps))));
      const up = tf.tidy(() => loss().dataSync()[0]!);
      v.assign(tf.tidy(() => start.sub(d.mul(eps))));
      const down = tf.tidy(() => loss().dataSync()[0]!);
      v.assign(start);
      const numeric = (up - down) / (2 * eps);
      expect(Math.abs(numeric - analytic), `${v.name}: finite difference ${numeric}, gradient ${analytic}`).toBeLessThan(0.03 * Math.abs(analytic) + 3e-3);
      tf.dispose([d, start]);
    }
    tf.dispose([x, y, ...Object.values(grads)]);
    model.dispose();
  });
});

describe.each(['wasm', 'cpu'] as const)('hand-written training gradients on the %s backend', (backend) => {
  // 1,536 im2col rows: on wasm the kernel gradient takes backend.ts's long-inner path
  const [t, b, c, k, f] = [8, 256, 5, 3, 7];
  const close = (got: tf.Tensor, want: tf.Tensor) => {
    const g = got.dataSync();
    const w = want.dataSync();
    expect(got.shape).toEqual(want.shape);
    let worst = 0;
    for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g[i]! - w[i]!) / (1e-3 + Math.abs(w[i]!)));
    expect(worst).toBeLessThan(1e-4);
  };

  it('a conv layer (kernel, bias and input) matches the autodiff of relu(im2col(x) · kernel + bias)', async () => {
    await initBackend(backend);
    const x = tf.randomNormal([t, b, c], 0, 1, 'float32', 11) as tf.Tensor3D;
    const kernel = tf.randomNormal([k * c, f], 0, 0.5, 'float32', 12) as tf.Tensor2D;
    const bias = tf.randomNormal([f], 0, 0.5, 'float32', 13) as tf.Tensor1D;
    const weight = tf.randomNormal([t - k + 1, b, f], 0, 1, 'float32', 14);
    const reference = tf.grads((kk, bb, xx) => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(im2col(xx as tf.Tensor3D, k), kk as tf.Tensor2D), bb)).reshape(weight.shape), weight)))([kernel, bias, x]);
    const mine = tf.grads((kk, bb, xx) => tf.sum(tf.mul(convLayerWithGrad(xx as tf.Tensor3D, kk as tf.Tensor2D, bb as tf.Tensor1D, k, true), weight)))([kernel, bias, x]);
    mine.forEach((g, i) => close(g, reference[i]!));
    // without the input's gradient: the same kernel and bias gradients
    const noInput = tf.grads((kk, bb) => tf.sum(tf.mul(convLayerWithGrad(x, kk as tf.Tensor2D, bb as tf.Tensor1D, k, false), weight)))([kernel, bias]);
    noInput.forEach((g, i) => close(g, reference[i]!));
  });

  it.each([2, 3])('max pooling over %i steps passes each gradient to the step that won (a tie to the later one)', async (p) => {
    await initBackend(backend);
    // values on a coarse grid make ties
    const grouped = tf.round(tf.randomNormal([4, p, 300], 0, 2, 'float32', 21)) as tf.Tensor3D;
    const weight = tf.randomNormal([4, 1, 300], 0, 1, 'float32', 22) as tf.Tensor3D;
    const [g] = tf.grads((x) => tf.sum(tf.mul(poolMaxWithGrad(x as tf.Tensor3D), weight)))([grouped]);
    const x = grouped.arraySync();
    const w = weight.arraySync();
    const want = x.map((step, s) =>
      step.map((_, j) =>
        step[0]!.map((_, n) => {
          let best = 0;
          for (let q = 1; q < p; q++) if (step[q]![n]! >= step[best]![n]!) best = q;
          return best === j ? w[s]![0]![n]! : 0;
        }),
      ),
    );
    // (+ 0: a zero gradient may be -0)
    expect(Array.from(g!.dataSync(), (v) => v + 0)).toEqual(want.flat(2));
    expect(Array.from(poolMaxWithGrad(grouped).dataSync(), (v) => v + 0)).toEqual(Array.from(tf.max(grouped, 1, true).dataSync(), (v) => v + 0));
  });
});

describe.each(['wasm', 'cpu'] as const)('value-code embeddings on the %s backend', (backend) => {
  // channels: 4 numeric, 2 code columns (vocabularies of 5 and 3 codes), the mask
  const coded = modelConfig({ window: 4, channels: 7, classes: 2, seed: 11, convFilters: [4], kernelSize: 2, poolSize: 1, lstmUnits: 4, flowSkipUnits: 8, vocabSizes: [5, 3], embeddingDim: 3 });
  const window = (codes: [number, number][]) =>
    tf.tensor3d(
      codes.flatMap(([a, b], i) => Array.from({ length: 4 }, (_, t) => [Math.sin(i + t), Math.cos(i * t), 0.5, -0.5, t === 3 ? a : 0, t === 3 ? b : 0, 1]).flat()),
      [codes.length, 4, 7],
    );

  it('learns code vectors (the table gets a gradient) and reads an out-of-range code as unknown', async () => {
    await initBackend(backend);
    const model = buildModel(coded);
    const table = model.weights.find((w) => w.name.includes('code_embeddings'))!;
    expect(table.shape).toEqual([8, 3]);
    const before = table.read().dataSync().slice();
    const x = window([[1, 2], [4, 0], [2, 1], [3, 2]]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const optimizer = tf.train.adam(5e-2);
    for (let i = 0; i < 5; i++) optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    const after = table.read().dataSync();
    // rows of codes used (1, 2, 3, 4 of column 0; 0, 1, 2 of column 1) moved; code 0 of column 0 did not
    expect(after[0]).toBe(before[0]);
    for (const row of [1, 2, 3, 4, 5, 6, 7]) expect(after[row * 3], `row ${row}`).not.toBe(before[row * 3]);
    const [p0, pBad] = [model.predict(window([[0, 1]])) as tf.Tensor, model.predict(window([[9, 1]])) as tf.Tensor];
    expect(Array.from(pBad.dataSync())).toEqual(Array.from(p0.dataSync()));
    tf.dispose([x, y, p0, pBad]);
    optimizer.dispose();
    model.dispose();
  });

  it('reads the code vectors a model has now: new weights, or another model in between, are never answered from an earlier read', async () => {
    await initBackend(backend);
    const a = buildModel(coded);
    const b = buildModel({ ...coded, seed: 12 });
    const x = window([[1, 2], [4, 0], [2, 1], [3, 2]]);
    const predict = (m: tf.LayersModel) => Array.from((m.predict(x) as tf.Tensor).dataSync());
    const fromA = predict(a);
    const fromB = predict(b);
    expect(fromB).not.toEqual(fromA);
    // a's own predictions again after b's: a's table, not b's
    expect(predict(a)).toEqual(fromA);
    // b's weights into a: a now answers as b does
    a.setWeights(b.getWeights());
    const after = predict(a);
    for (let i = 0; i < after.length; i++) expect(after[i]).toBeCloseTo(fromB[i]!, 6);
    // a change to the table alone is seen too
    const table = a.weights.find((w) => w.name.includes('code_embeddings'))!;
    table.write(tf.mul(table.read(), 3));
    expect(predict(a)).not.toEqual(after);
    x.dispose();
    a.dispose();
    b.dispose();
  });
});

describe('predictLogits', () => {
  it('gives the scores whose softmax is the prediction', async () => {
    await initBackend('wasm');
    const { predictLogits } = await import('../../../main/core/model/model.ts');
    const m = buildModel(config);
    const x = tf.randomNormal([5, 10, 6], 0, 1, 'float32', 4) as tf.Tensor3D;
    const fromLogits = tf.softmax(predictLogits(m, x)).dataSync();
    const probs = (m.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < probs.length; i++) expect(fromLogits[i]).toBeCloseTo(probs[i]!, 5);
    m.dispose();
  });
});

describe('code dropout', () => {
  it('reads codes as unknown while training (at rate 1 two flows that differ only in their codes look the same) and never at inference', async () => {
    await initBackend('cpu');
    const m = buildModel(modelConfig({ window: 1, channels: 4, classes: 2, seed: 3, convFilters: [2], kernelSize: 1, poolSize: 1, dropout: 0, lstmUnits: 2, flowSkipUnits: 4, vocabSizes: [5], embeddingDim: 2, codeDropout: 1 }));
    const a = tf.tensor3d([[[0.3, -0.2, 1, 1]]]);
    const b = tf.tensor3d([[[0.3, -0.2, 3, 1]]]);
    const train = (x: tf.Tensor) => (m.apply(x, { training: true }) as tf.Tensor).dataSync();
    expect(Array.from(train(a))).toEqual(Array.from(train(b)));
    expect(Array.from((m.predict(a) as tf.Tensor).dataSync())).not.toEqual(Array.from((m.predict(b) as tf.Tensor).dataSync()));
    m.dispose();
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

describe('FlowPathCache', () => {
  it('finds what was added by the row bits, and starts over when full', async () => {
    const { FlowPathCache, rowHash } = await import('../../../main/core/model/model.ts');
    const cache = new FlowPathCache(2);
    const bits = new Uint32Array(new Float32Array([1, 2, 3, 4, 5, 6, 1, 2]).buffer);
    const find = (at: number, width: number) => cache.find(bits, at, width, rowHash(bits, at, width));
    const add = (at: number, width: number, output: Float32Array) => cache.add(bits, at, width, rowHash(bits, at, width), output);
    expect(find(0, 2)).toBe(-1);
    add(0, 2, Float32Array.from([10, 11, 12]));
    add(2, 2, Float32Array.from([20, 21, 22]));
    // row 3 has row 0's bits
    expect(Array.from(cache.value(find(6, 2)))).toEqual([10, 11, 12]);
    expect(Array.from(cache.value(find(2, 2)))).toEqual([20, 21, 22]);
    expect(find(4, 2)).toBe(-1);
    // a third row overflows a cache of 2: it holds only the newest
    add(4, 2, Float32Array.from([30, 31, 32]));
    expect(cache.size).toBe(1);
    expect(find(0, 2)).toBe(-1);
    expect(Array.from(cache.value(find(4, 2)))).toEqual([30, 31, 32]);
    // rows of another width are never confused with these
    expect(find(4, 1)).toBe(-1);
  });

  it('gives predictRows the same numbers on a second batch served from the cache', async () => {
    await initBackend('wasm');
    const { FlowPathCache, predictRows } = await import('../../../main/core/model/model.ts');
    const W = 5;
    const C = 3 + 1 + 1;
    const m = buildModel(modelConfig({ window: W, channels: C, classes: 3, seed: 6, convFilters: [4], lstmUnits: 4, embeddingDim: 2, vocabSizes: [4], flowSkipUnits: 5 }));
    const n = 30;
    const batch = (shift: number) => {
      const rows = new Float32Array((W - 1 + n) * C);
      for (let r = W - 1; r < W - 1 + n; r++) {
        const kind = (r + shift) % 7;
        for (let c = 0; c < 3; c++) rows[r * C + c] = Math.sin(kind + c);
        rows[r * C + 3] = kind % 4;
        rows[r * C + 4] = 1;
      }
      return tf.tensor2d(rows, [W - 1 + n, C]);
    };
    const cache = new FlowPathCache();
    const first = predictRows(m, batch(0), n, cache)!.dataSync();
    expect(cache.size).toBe(7);
    // the same seven flows in another order: all from the cache, same numbers as without one
    const second = predictRows(m, batch(3), n, cache)!.dataSync();
    const plain = predictRows(m, batch(3), n)!.dataSync();
    expect(cache.size).toBe(7);
    expect(Array.from(second)).toEqual(Array.from(plain));
    expect(Array.from(first)).toEqual(Array.from(predictRows(m, batch(0), n)!.dataSync()));
    m.dispose();
  });
});

describe('distinctRows', () => {
  it('finds each distinct row once, in first-seen order, and maps every row to it', async () => {
    const { distinctRows } = await import('../../../main/core/model/model.ts');
    // 7 rows of width 2; rows 1..6 are read (start 1)
    const data = Float32Array.from([9, 9, 1, 2, 3, 4, 1, 2, 1, 2.5, 3, 4, 1, 2]);
    const { first, of } = distinctRows(data, 1, 6, 2);
    expect(Array.from(first)).toEqual([0, 1, 3]);
    expect(Array.from(of)).toEqual([0, 1, 0, 2, 1, 0]);
  });

  it('tells rows apart that share a hash slot', async () => {
    const { distinctRows } = await import('../../../main/core/model/model.ts');
    // 200 distinct rows in a table of 512 slots: collisions are certain
    const data = Float32Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? i : -i));
    const { first, of } = distinctRows(data, 0, 200, 2);
    expect(first.length).toBe(200);
    expect(Array.from(of)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});

describe.each(['wasm', 'cpu'] as const)('shared-computation scoring of unkeyed windows on %s', (backend) => {
  it.each([
    ['the default stack with value codes', { convFilters: [8, 16], kernelSize: 3, poolSize: 2, vocabSizes: [4, 3], flowSkipUnits: 6, flowSkipLayers: 2 }],
    ['pool 3, no codes, no flow path', { convFilters: [4], kernelSize: 2, poolSize: 3, vocabSizes: [], flowSkipUnits: 0 }],
    ['no pooling', { convFilters: [4, 4], kernelSize: 2, poolSize: 1, vocabSizes: [5], flowSkipUnits: 4 }],
  ] as const)('predictRows equals predict on the expanded windows: %s', async (_name, arch) => {
    await initBackend(backend);
    const { expandWindows } = await import('../../../main/core/model/windows.ts');
    const { predictRows } = await import('../../../main/core/model/model.ts');
    const W = 10;
    const codes = arch.vocabSizes.length;
    const C = 5 + codes + 1;
    const m = buildModel(modelConfig({ window: W, channels: C, classes: 4, seed: 9, lstmUnits: 6, embeddingDim: 3, ...arch, convFilters: [...arch.convFilters], vocabSizes: [...arch.vocabSizes] }));
    const n = 37;
    // the first W-1 rows are padding (all zero, mask 0), as at the start of a capture
    const rows = new Float32Array((W - 1 + n) * C);
    for (let r = W - 1; r < W - 1 + n; r++) {
      for (let c = 0; c < 5; c++) rows[r * C + c] = Math.sin(r * 3 + c);
      for (let c = 0; c < codes; c++) rows[r * C + 5 + c] = (r + c) % arch.vocabSizes[c]!;
      rows[r * C + C - 1] = 1;
    }
    const expected = (m.predict(tf.tensor3d(expandWindows(rows, n, W, C), [n, W, C])) as tf.Tensor).dataSync();
    const got = predictRows(m, tf.tensor2d(rows, [W - 1 + n, C]), n)!.dataSync();
    expect(got.length).toBe(expected.length);
    for (let i = 0; i < got.length; i++) expect(got[i], `value ${i}`).toBeCloseTo(expected[i]!, 5);
    m.dispose();
  });

  it('scores repeated flows once and gives each the numbers it gets alone (windows and rows paths)', async () => {
    await initBackend(backend);
    const { expandWindows } = await import('../../../main/core/model/windows.ts');
    const { predictRows } = await import('../../../main/core/model/model.ts');
    const W = 6;
    const C = 4 + 2 + 1;
    const m = buildModel(modelConfig({ window: W, channels: C, classes: 3, seed: 4, convFilters: [4, 4], lstmUnits: 4, embeddingDim: 2, vocabSizes: [3, 4], flowSkipUnits: 5, flowSkipLayers: 2 }));
    const n = 40;
    // five distinct flows, repeated: a flood
    const rows = new Float32Array((W - 1 + n) * C);
    for (let r = W - 1; r < W - 1 + n; r++) {
      const kind = r % 5;
      for (let c = 0; c < 4; c++) rows[r * C + c] = Math.cos(kind * 2 + c);
      rows[r * C + 4] = kind % 3;
      rows[r * C + 5] = kind % 4;
      rows[r * C + C - 1] = 1;
    }
    const windows = expandWindows(rows, n, W, C);
    // one window per call: nothing to share, the reference numbers
    const alone = Array.from({ length: n }, (_, i) => Array.from((m.predict(tf.tensor3d(windows.subarray(i * W * C, (i + 1) * W * C), [1, W, C])) as tf.Tensor).dataSync()));
    const batched = (m.predict(tf.tensor3d(windows, [n, W, C])) as tf.Tensor).dataSync();
    const viaRows = predictRows(m, tf.tensor2d(rows, [W - 1 + n, C]), n)!.dataSync();
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 3; k++) {
        expect(batched[i * 3 + k], `window ${i} class ${k}`).toBeCloseTo(alone[i]![k]!, 5);
        expect(viaRows[i * 3 + k], `rows ${i} class ${k}`).toBeCloseTo(alone[i]![k]!, 5);
      }
    }
    m.dispose();
  });

  it("is not used for 'same' padding, where each window pads its own edges", async () => {
    await initBackend(backend);
    const { predictRows } = await import('../../../main/core/model/model.ts');
    const m = buildModel(modelConfig({ window: 6, channels: 3, classes: 2, convFilters: [4], padding: 'same', lstmUnits: 4, flowSkipUnits: 0 }));
    expect(predictRows(m, tf.zeros([6 - 1 + 2, 3]) as tf.Tensor2D, 2)).toBeNull();
    m.dispose();
  });
});
