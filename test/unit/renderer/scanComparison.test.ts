import { describe, expect, it } from 'vitest';
import type { ModelMetrics, ScanSummary } from '../../../preload/contract';
import { compareScans } from '../../../renderer/src/lib/scanComparison';

/** Metrics of a scan whose classes have these F1s and supports (confusion: each class predicted as itself `predicted` times). */
function metrics(classes: [string, number, number, number][], accuracy: number, macroF1: number, weightedF1: number): ModelMetrics {
  return {
    classes: classes.map((c) => c[0]),
    total: classes.reduce((s, c) => s + c[2], 0),
    accuracy,
    perClass: classes.map(([name, f1, support]) => ({ name, precision: f1, recall: f1, f1, support })),
    macroF1,
    weightedF1,
    binary: null,
    confusion: classes.map((_, i) => classes.map((c, j) => (i === j ? c[3] : 0))),
  };
}

const scan = (id: number, m: ModelMetrics | null): ScanSummary => ({
  id, captureId: 1, modelId: `m${id}`, modelName: `model ${id}`, threshold: 0.5, createdAt: '2026-12-07T06:00:00Z', flows: 100, seconds: 1,
  windowsPerSecond: 100, backend: 'wasm', predictedCounts: {}, flaggedWindows: 10 * id, metrics: m,
});

describe('scans of a capture compared', () => {
  it('lines up per-class F1 by class name, newest scan first, and marks the best of each column', () => {
    const a = scan(1, metrics([['Benign', 0.5, 10, 5], ['DoS', 0.9, 90, 90]], 0.86, 0.7, 0.86));
    // a binary model: other classes; Theft in its classes, neither labelled nor predicted
    const b = scan(2, metrics([['Benign', 0.8, 10, 8], ['DoS', 0.85, 90, 80], ['Theft', 0, 0, 0]], 0.9, 0.825, 0.845));
    const unlabelled = scan(3, null);
    const cmp = compareScans([a, unlabelled, b]);
    expect(cmp.rows.map((r) => r.scan.id)).toEqual([3, 2, 1]);
    expect(cmp.classes).toEqual(['Benign', 'DoS', 'Theft']);
    expect(cmp.rows.map((r) => r.f1)).toEqual([[null, null, null], [0.8, 0.85, null], [0.5, 0.9, null]]);
    expect(cmp.best).toEqual({ accuracy: 0.9, macroF1: 0.825, weightedF1: 0.86, f1: [0.8, 0.9, null] });
    expect(cmp.measured).toBe(2);
  });

  it('marks nothing where every scan scores the same', () => {
    const m = metrics([['Benign', 0.9, 10, 9]], 0.9, 0.9, 0.9);
    expect(compareScans([scan(1, m), scan(2, m)]).best).toEqual({ accuracy: null, macroF1: null, weightedF1: null, f1: [null] });
  });

  it('counts a class the labels lack when the model predicted it (as macro F1 does)', () => {
    const m = metrics([['Benign', 0.9, 10, 9], ['Theft', 0, 0, 0]], 0.9, 0.45, 0.9);
    m.confusion[0]![1] = 1; // a Benign flow read as Theft
    expect(compareScans([scan(1, m)]).rows[0]!.f1).toEqual([0.9, 0]);
  });
});
