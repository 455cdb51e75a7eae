import { describe, expect, it } from 'vitest';
import { ExtraTrees } from '../../bench/reference/extra-trees.ts';

/** Seeded uniform [0, 1) stream for building test data (independent of the forest's own). */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** Two noisy blobs per class along feature 0, a noise feature 1: separable by a wide margin. */
function blobs(n: number, k: number, seed: number): { x: Float32Array; y: Int32Array } {
  const random = uniform(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    x[i * 2] = c * 10 + random();
    x[i * 2 + 1] = random() * 100;
  }
  return { x, y };
}

/** Every row of 6 binary features once, with random labels: only full-depth trees memorise it. */
function binaryTable(seed: number): { x: Float32Array; y: Int32Array; n: number } {
  const random = uniform(seed);
  const n = 64;
  const x = new Float32Array(n * 6);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 6; j++) x[i * 6 + j] = (i >> j) & 1;
    y[i] = Math.floor(random() * 3);
  }
  return { x, y, n };
}

/** n rows of f features spread over [-0.2, 1.2), around the binary table's corners. */
function probes(n: number, f: number, seed: number): Float32Array {
  const random = uniform(seed);
  return new Float32Array(n * f).map(() => random() * 1.4 - 0.2);
}

function rowSums(probs: Float32Array, k: number): number[] {
  const sums: number[] = [];
  for (let r = 0; r < probs.length / k; r++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += probs[r * k + c]!;
    sums.push(sum);
  }
  return sums;
}

describe('ExtraTrees', () => {
  it('classifies separable data perfectly, on training and on fresh rows', () => {
    const train = blobs(300, 3, 1);
    const test = blobs(150, 3, 2);
    const model = ExtraTrees.fit(train.x, 2, train.y, 3, { trees: 20, seed: 5 });
    expect(Array.from(model.predict(train.x, 300))).toEqual(Array.from(train.y));
    expect(Array.from(model.predict(test.x, 150))).toEqual(Array.from(test.y));
  });

  it('grows every tree to full depth: distinct rows are memorised even by one tree', () => {
    const { x, y, n } = binaryTable(3);
    for (const seed of [1, 2, 3, 4, 5]) {
      const tree = ExtraTrees.fit(x, 6, y, 3, { trees: 1, seed });
      expect(Array.from(tree.predict(x, n))).toEqual(Array.from(y));
      // one leaf per row at most, so at most 2n - 1 nodes
      expect(tree.nodeCount).toBeLessThanOrEqual(2 * n - 1);
    }
  });

  it('keeps mixed rows in one leaf when all features are constant there', () => {
    // the same row with labels 0, 0, 1: no split is possible, the leaf holds 2/3, 1/3
    const x = new Float32Array([4, 4, 4, 4, 4, 4]);
    const model = ExtraTrees.fit(x, 2, new Int32Array([0, 0, 1]), 2, { trees: 3 });
    expect(model.nodeCount).toBe(3);
    const probs = model.predictProba(new Float32Array([4, 4]), 1);
    expect(probs[0]).toBeCloseTo(2 / 3, 6);
    expect(probs[1]).toBeCloseTo(1 / 3, 6);
  });

  it('is reproducible with the same seed and differs with another', () => {
    const { x, y } = binaryTable(7);
    const a = ExtraTrees.fit(x, 6, y, 3, { trees: 10, seed: 11 });
    const b = ExtraTrees.fit(x, 6, y, 3, { trees: 10, seed: 11 });
    const c = ExtraTrees.fit(x, 6, y, 3, { trees: 10, seed: 12 });
    const query = probes(50, 6, 9);
    expect(b.nodeCount).toBe(a.nodeCount);
    expect(Array.from(b.predictProba(query, 50))).toEqual(Array.from(a.predictProba(query, 50)));
    expect(Array.from(c.predictProba(query, 50))).not.toEqual(Array.from(a.predictProba(query, 50)));
  });

  it('returns probabilities in [0, 1] that sum to 1 per row', () => {
    const { x, y, n } = binaryTable(4);
    const model = ExtraTrees.fit(x, 6, y, 4, { trees: 15, seed: 2 }); // class 3 never seen
    const query = probes(n, 6, 10);
    const probs = model.predictProba(query, n);
    expect(probs.length).toBe(n * 4);
    for (const p of probs) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    for (const sum of rowSums(probs, 4)) expect(sum).toBeCloseTo(1, 5);
    for (let r = 0; r < n; r++) expect(probs[r * 4 + 3]).toBe(0);
  });

  it('never splits on a constant feature, nor lets one end the search', () => {
    // features 0 and 2 constant, feature 1 carries the class. A split on a constant feature
    // would depend on it (probing it far off would move rows); a draw of one that ended the
    // search would leave a mixed leaf (training rows misclassified by a single tree).
    const n = 200;
    const random = uniform(8);
    const x = new Float32Array(n * 3);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      x[i * 3] = 7;
      x[i * 3 + 1] = y[i]! * 5 + random();
      x[i * 3 + 2] = -3;
    }
    const shifted = x.map((v, i) => (i % 3 === 1 ? v : v + (i % 2 ? 1e6 : -1e6)));
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const tree = ExtraTrees.fit(x, 3, y, 2, { trees: 1, seed, maxFeatures: 1 });
      expect(Array.from(tree.predict(x, n))).toEqual(Array.from(y));
      expect(Array.from(tree.predictProba(shifted, n))).toEqual(Array.from(tree.predictProba(x, n)));
    }
  });

  it('predicts the only class of a single-class training set', () => {
    const { x } = blobs(40, 1, 6);
    const model = ExtraTrees.fit(x, 2, new Int32Array(40).fill(2), 3, { trees: 5 });
    expect(model.nodeCount).toBe(5); // one leaf per tree
    expect(Array.from(model.predict(blobs(10, 3, 7).x, 10))).toEqual(new Array(10).fill(2));
    expect(Array.from(model.predictProba(new Float32Array([0, 0]), 1))).toEqual([0, 0, 1]);
  });

  it('rejects labels outside 0..k-1 and a mis-sized x', () => {
    expect(() => ExtraTrees.fit(new Float32Array(4), 2, new Int32Array([0, 3]), 2)).toThrow(RangeError);
    expect(() => ExtraTrees.fit(new Float32Array(5), 2, new Int32Array([0, 1]), 2)).toThrow(RangeError);
  });
});
