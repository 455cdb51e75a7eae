import { describe, expect, it } from 'vitest';
import { NO_LABEL, OTHER_LABEL, argmaxRows, classMatcher, computeMetrics, confusionMatrix, metricsFromConfusion } from '../../../main/core/model/metrics.ts';

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

describe('benign vs attack with attack classes the model lacks', () => {
  // the hand-computed case above: tp 5, fp 1, fn 0; plus 4 flows of another vocabulary's attacks,
  // 3 flagged as one of the model's attack classes and 1 read as benign
  const classes = ['Benign', 'A', 'C'];
  const base = confusionMatrix([0, 0, 0, 1, 1, 1, 1, 2], [0, 0, 1, 1, 1, 1, 2, 2], 3);
  it('counts them as attacks: flagged ones are true positives, benign ones false negatives', () => {
    const m = metricsFromConfusion(base, classes, { flagged: 3, missed: 1 });
    expect(m.binary!.precision).toBeCloseTo(8 / 9, 10);
    expect(m.binary!.recall).toBeCloseTo(8 / 9, 10);
  });
  it('leaves every per-class figure, accuracy and the totals as they were', () => {
    const m = metricsFromConfusion(base, classes, { flagged: 3, missed: 1 });
    const plain = metricsFromConfusion(base, classes);
    expect({ ...m, binary: null }).toEqual({ ...plain, binary: null });
    expect(m.total).toBe(8);
  });
  it('a model without a benign class has no binary figures either way', () => {
    expect(metricsFromConfusion([[2, 0], [0, 1]], ['DoS', 'DDoS'], { flagged: 5, missed: 0 }).binary).toBeNull();
  });
});

describe('classMatcher', () => {
  const match = classMatcher(['Benign', 'DDoS', 'DoS', 'Reconnaissance', 'Theft']);
  it('takes the exact spelling, then one that differs in case, spaces, "-" or "_"', () => {
    expect(['Benign', 'DDoS', 'DoS', 'Reconnaissance', 'Theft'].map(match)).toEqual([0, 1, 2, 3, 4]);
    expect(['ddos', 'DOS', ' dos ', 'D-DoS', 'd_dos', 'RECONNAISSANCE', 'theft'].map(match)).toEqual([1, 2, 2, 1, 1, 3, 4]);
  });
  it('reads "BENIGN", "normal" and "0" as the benign class', () => {
    expect(['BENIGN', 'normal', 'Normal', '0'].map(match)).toEqual([0, 0, 0, 0]);
  });
  it('never matches by meaning: another name is another vocabulary\'s class', () => {
    expect(['scanning', 'password', 'xss', 'DoS-Hulk', 'ransomware'].map(match)).toEqual(Array(5).fill(OTHER_LABEL));
  });
  it('an empty label is no label', () => {
    expect([null, undefined, '', '   '].map(match)).toEqual(Array(4).fill(NO_LABEL));
  });
  it('classes spelt alike in one model keep their exact spellings and lend none to a third spelling', () => {
    const both = classMatcher(['DoS', 'dos', 'Theft']);
    expect(['DoS', 'dos', 'DOS', 'THEFT'].map(both)).toEqual([0, 1, OTHER_LABEL, 2]);
  });
  it('a model without a benign class does not take "normal" for any class', () => {
    expect(classMatcher(['DoS', 'DDoS'])('normal')).toBe(OTHER_LABEL);
  });
});

describe('argmaxRows', () => {
  it('picks the largest probability per row', () => {
    expect(Array.from(argmaxRows(Float32Array.from([0.1, 0.9, 0.7, 0.3]), 2))).toEqual([1, 0]);
  });
});
