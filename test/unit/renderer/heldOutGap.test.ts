import { describe, expect, it } from 'vitest';
import type { Api, Evaluation, ModelMetrics, ModelSummary } from '../../../preload/contract';
import { classes, heldOut, onSampleA } from '../heldOutGap.fixture.ts';
import { JobsState } from '../../../renderer/src/state/jobs.svelte.ts';
import { ModelState } from '../../../renderer/src/state/model.svelte.ts';

const model = (id: string, over: Partial<ModelSummary> = {}): ModelSummary => ({
  id, name: id, builtin: false, classes, binary: false, featureSet: 'v2', featureColumns: [], identifiers: false, features: [], window: 10, keyed: false,
  backend: 'wasm', created: '2026-12-07T20:59:00Z', appVersion: '0.1.0', trainingDataHash: 'ca01f23f', metrics: heldOut, metricsFrom: null, history: [], settings: {},
  ...over,
});

function modelState(models: ModelSummary[]): ModelState {
  const api = new Proxy({}, { get: (_t, name) => async () => (name === 'listModels' ? models : name === 'evaluateModel' ? { jobId: 'e1' } : {}) }) as unknown as Api;
  return new ModelState(api, new JobsState(api));
}

async function evaluated(state: ModelState, result: Partial<Evaluation>): Promise<void> {
  state.evalCaptureId = result.captureId ?? 1;
  await state.evaluate();
  const evaluation: Evaluation = { modelId: state.selectedId!, captureId: 1, metrics: onSampleA, flows: 278_781, seconds: 5.8, backend: 'wasm', trainedOnCapture: true, ...result };
  state.onFinished({ jobId: 'e1', kind: 'evaluate', label: 'evaluate', ok: true, cancelled: false, result: evaluation });
}

describe('the Model view explains an evaluation clearly below the held-out estimate', () => {
  it('gives the note for the selected model once its evaluation is in, whichever figures are shown', async () => {
    const state = modelState([model('weak')]);
    await state.refresh();
    expect(state.heldOutGap).toBeNull();
    await evaluated(state, {});
    expect(state.metricsSource).toBe('evaluation');
    expect(state.heldOutGap?.headline).toBe('On capture #1 the model scores macro F1 0.593, 0.229 below its held-out estimate of 0.822 (weighted F1 0.929 against 0.975).');
    expect(state.heldOutGap?.data).toBe('This model was trained on the flows of capture #1.');
    expect(state.heldOutGap?.why).toContain("keeps a flood's repeated rows in training");
    state.metricsSource = 'heldout';
    expect(state.heldOutGap?.headline).toContain('0.229 below');
  });

  it('says when the capture is not the one the model was trained on', async () => {
    const state = modelState([model('weak')]);
    await state.refresh();
    await evaluated(state, { captureId: 4, trainedOnCapture: false });
    expect(state.heldOutGap?.data).toBe('This model was not trained on capture #4.');
    expect(state.heldOutGap?.why).not.toContain('flood');
  });

  it('says nothing when the figures agree, when another model is selected, or when the model has no held-out figures', async () => {
    const state = modelState([model('weak'), model('other'), model('imported', { metrics: null })]);
    await state.refresh();
    state.select('weak');
    await evaluated(state, { metrics: heldOut });
    expect(state.heldOutGap).toBeNull();
    await evaluated(state, {});
    expect(state.heldOutGap).not.toBeNull();
    state.select('other');
    expect(state.heldOutGap).toBeNull();
    state.select('imported');
    await evaluated(state, {});
    expect(state.heldOutGap).toBeNull();
  });
});
