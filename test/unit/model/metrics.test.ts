import { describe, expect, it } from 'vitest';
import { argmaxRows, computeMetrics, confusionMatrix } from '../../../main/core/model/metrics.ts';

describe('confusionMatrix', () => {
  it('counts truth rows x predicted columns and skips -1 labels', () => {
    expect(confusionMatrix([0, 0, 1, 1, -1], [0, 1, 1, 1, 0], 2)).toEqual([
      [1, 1],
      [0, 2],
    ]);
  });
});

describe('computeMetrics (hand-computed)', () => {
  // truth:     B B B A A A A C
  // predicted: B B A A A A C C
  const classes = ['Benign', 'A', 'C'];
  const truth = [0, 0, 0, 1, 1, 1, 1, 2];
  const pred = [0, 0, 1, 1, 1, 1, 2, 2];
  const m = computeMetrics(truth, pred, classes);
  it('accuracy', () => expect(m.accuracy).toBeCloseTo(6 / 8, 10));
  it.each([
    // name, precision, recall, f1, support
    ['Benign', 1, 2 / 3, 0.8, 3],
    ['A', 3 / 4, 3 / 4, 0.75, 4],
    ['C', 1 / 2, 1, 2 / 3, 1],
  ] as const)('per class %s', (name, p, r, f, s) => {
    const c = m.perClass.find((x) => x.name === name)!;
    expect(c.precision).toBeCloseTo(p, 10);
    expect(c.recall).toBeCloseTo(r, 10);
    expect(c.f1).toBeCloseTo(f, 10);
    expect(c.support).toBe(s);
  });
  it('macro and weighted F1', () => {
    expect(m.macroF1).toBeCloseTo((0.8 + 0.75 + 2 / 3) / 3, 10);
    expect(m.weightedF1).toBeCloseTo((0.8 * 3 + 0.75 * 4 + (2 / 3) * 1) / 8, 10);
  });
  it('binary benign-vs-attack (attack positive)', () => {
    // attacks: 5 true, predicted attack among them: 5; benign predicted attack: 1
    expect(m.binary!.precision).toBeCloseTo(5 / 6, 10);
    expect(m.binary!.recall).toBeCloseTo(1, 10);
    expect(m.binary!.f1).toBeCloseTo((2 * (5 / 6)) / (5 / 6 + 1), 10);
  });
  it('no benign class -> binary is null; absent classes do not drag macro F1', () => {
    const x = computeMetrics([0, 0], [0, 0], ['DoS', 'DDoS']);
    expect(x.binary).toBeNull();
    expect(x.macroF1).toBe(1);
  });
  it('a class absent from the labels but predicted counts in macro F1 with F1 0 (scikit-learn\'s default)', () => {
    const x = computeMetrics([0, 0, 1], [0, 2, 1], ['Benign', 'DoS', 'Theft', 'DDoS']);
    // Benign: precision 1, recall 1/2; DoS: 1; Theft: predicted once, never true; DDoS: neither, left out
    expect(x.perClass[2]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(x.macroF1).toBeCloseTo((2 / 3 + 1 + 0) / 3, 10);
  });
  it('nothing predicted for a class -> precision 0, not NaN', () => {
    const x = computeMetrics([0, 1], [0, 0], ['Benign', 'DoS']);
    expect(x.perClass[1]!.precision).toBe(0);
    expect(x.perClass[1]!.f1).toBe(0);
  });
});

describe('argmaxRows', () => {
  it('picks the largest probability per row', () => {
    expect(Array.from(argmaxRows(Float32Array.from([0.1, 0.9, 0.7, 0.3]), 2))).toEqual([1, 0]);
  });
});
