/** What the Jobs panel and the Model view's outcome say of a finished evaluation. */
import { describe, expect, it } from 'vitest';
import type { CaptureInfo, Evaluation, ImportResult, JobFinished, ModelMetrics } from '../../../preload/contract.ts';
import { jobOutcome } from '../../../renderer/src/state/jobs.svelte.ts';

const metrics = (total: number, extra: Partial<ModelMetrics> = {}): ModelMetrics => ({
  classes: ['Benign', 'DoS'], total, accuracy: 1, perClass: [], macroF1: 0.75, weightedF1: 1, binary: null, confusion: [[1, 0], [0, total - 1]], ...extra,
});
const finished = (result: Evaluation): JobFinished => ({ jobId: 'j1', kind: 'evaluate', label: 'evaluate', ok: true, cancelled: false, result });

describe('jobOutcome of an import', () => {
  const capture = { id: 3, rows: 20, schemaVersion: 'v1' } as CaptureInfo;
  const imported = (result: ImportResult): JobFinished => ({ jobId: 'j0', kind: 'import', label: 'import', ok: true, cancelled: false, result });
  it('says how many flows, and where numeric values were empty', () => {
    expect(jobOutcome(imported({ capture, reused: false }))).toBe('imported 20 flows, schema v1');
    expect(jobOutcome(imported({ capture, reused: false, emptyValues: { IN_BYTES: 2, OUT_PKTS: 1 } }))).toBe(
      'imported 20 flows, schema v1; empty values kept as missing (read as 0): IN_BYTES in 2 flows, OUT_PKTS in 1 flow',
    );
    expect(jobOutcome(imported({ capture, reused: true }))).toBe('already imported as capture #3 — reused');
  });
});

describe('jobOutcome of an evaluation', () => {
  it('gives macro F1 on the flows of the capture', () => {
    expect(jobOutcome(finished({ modelId: 'm', captureId: 1, metrics: metrics(60_000), flows: 60_000, seconds: 2, backend: 'wasm', trainedOnCapture: false }))).toBe('macro F1 0.750 on 60,000 flows');
  });

  it('says on how many of them when labels the model has no class for were left out', () => {
    const m = metrics(54_388, { unknownLabels: { scanning: 5_603, password: 9 }, otherAttacks: { flagged: 5_612, missed: 0 } });
    expect(jobOutcome(finished({ modelId: 'm', captureId: 1, metrics: m, flows: 60_000, seconds: 2, backend: 'wasm', trainedOnCapture: false }))).toBe('macro F1 0.750 on 54,388 of 60,000 flows');
  });
});
