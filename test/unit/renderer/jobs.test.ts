/** What the Jobs panel and the Model view's outcome say of a finished evaluation. */
import { describe, expect, it } from 'vitest';
import type { Evaluation, JobFinished, ModelMetrics } from '../../../preload/contract.ts';
import { jobOutcome } from '../../../renderer/src/state/jobs.svelte.ts';

const metrics = (total: number, extra: Partial<ModelMetrics> = {}): ModelMetrics => ({
  classes: ['Benign', 'DoS'], total, accuracy: 1, perClass: [], macroF1: 0.75, weightedF1: 1, binary: null, confusion: [[1, 0], [0, total - 1]], ...extra,
});
const finished = (result: Evaluation): JobFinished => ({ jobId: 'j1', kind: 'evaluate', label: 'evaluate', ok: true, cancelled: false, result });

describe('jobOutcome of an evaluation', () => {
  it('gives macro F1 on the flows of the capture', () => {
    expect(jobOutcome(finished({ modelId: 'm', captureId: 1, metrics: metrics(60_000), flows: 60_000, seconds: 2, backend: 'wasm' }))).toBe('macro F1 0.750 on 60,000 flows');
  });

  it('says on how many of them when labels the model has no class for were left out', () => {
    const m = metrics(54_388, { unknownLabels: { scanning: 5_603, password: 9 }, otherAttacks: { flagged: 5_612, missed: 0 } });
    expect(jobOutcome(finished({ modelId: 'm', captureId: 1, metrics: m, flows: 60_000, seconds: 2, backend: 'wasm' }))).toBe('macro F1 0.750 on 54,388 of 60,000 flows');
  });
});
