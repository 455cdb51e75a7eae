/** Builds the manifest of a freshly trained model. */
import { featureNames } from './features.ts';
import { KEY_COLUMN } from './windows.ts';
import { MANIFEST_FORMAT, type ModelManifest } from './package.ts';
import type { TrainResult } from './train.ts';
import type { Dataset } from './dataset.ts';

export function manifestFor(ds: Dataset, result: TrainResult, opts: { name: string; backend: string; appVersion: string; settings?: Record<string, unknown> }): ModelManifest {
  const { config } = result;
  return {
    format: MANIFEST_FORMAT,
    name: opts.name,
    classes: [...ds.classes],
    binary: ds.binary,
    featureSet: ds.set,
    features: featureNames(ds.set),
    window: ds.window,
    keyed: ds.keyed,
    keyColumn: ds.keyed ? KEY_COLUMN : null,
    normalization: result.stats,
    architecture: {
      convFilters: config.convFilters,
      kernelSize: config.kernelSize,
      padding: config.padding,
      poolSize: config.poolSize,
      dropout: config.dropout,
      lstmUnits: config.lstmUnits,
      flowSkipUnits: config.flowSkipUnits,
      flowSkipLayers: config.flowSkipLayers,
      valueCodes: config.vocabSizes.length > 0,
      embeddingDim: config.embeddingDim,
      codeDropout: config.codeDropout,
      learningRate: config.learningRate,
    },
    training: {
      dataHash: ds.hash,
      flows: ds.n,
      split: result.split,
      splitMethod: 'unique feature rows, stratified by class',
      epochsRun: result.history.length,
      bestEpoch: result.bestEpoch,
      seconds: Math.round(result.seconds * 10) / 10,
      windowsPerSecond: Math.round(result.trainWindowsPerSecond),
      lossCurve: result.history.map((h) => Math.round(h.loss * 1e5) / 1e5),
      validationMacroF1: result.history.map((h) => (h.validation ? Math.round(h.validation.macroF1 * 1e4) / 1e4 : null)),
      ...(opts.settings ?? {}),
    },
    metrics: result.test,
    backend: opts.backend,
    created: new Date().toISOString(),
    appVersion: opts.appVersion,
  };
}
