import { BUILTIN_RECIPE, type TrainSettings } from '../../../preload/contract';

/**
 * The Train form as the analyst types it (numbers as text, so a half-typed value can be shown
 * with a message instead of silently becoming 0), and its conversion to the contract's
 * `TrainSettings`. Limits mirror the contract's argument schema, so the form refuses what the
 * core would refuse, with a message next to the field.
 */
export interface TrainFormValues {
  featureSet: TrainSettings['featureSet'];
  window: string;
  keyBySource: boolean;
  binary: boolean;
  identifiers: boolean;
  convFilters: string;
  kernelSize: string;
  poolSize: string;
  dropout: string;
  lstmUnits: string;
  flowSkipUnits: string;
  flowSkipLayers: string;
  valueCodes: boolean;
  embeddingDim: string;
  codeDropout: string;
  learningRate: string;
  learningRateSchedule: TrainSettings['learningRateSchedule'];
  sampling: TrainSettings['sampling'];
  epochs: string;
  batchSize: string;
  seed: string;
  testFraction: string;
  validationFraction: string;
  earlyStoppingPatience: string;
  classWeighting: TrainSettings['classWeighting'];
}

/**
 * The paper's defaults (design.md, Detector), the flow path with value codes, and the core's
 * sampling, schedule, split and weighting defaults.
 */
export function defaultTrainForm(): TrainFormValues {
  return {
    featureSet: 'auto',
    window: '10',
    keyBySource: false,
    binary: false,
    identifiers: false,
    convFilters: '64,128',
    kernelSize: '3',
    poolSize: '2',
    dropout: '0.3',
    lstmUnits: '64',
    flowSkipUnits: '128',
    flowSkipLayers: '2',
    valueCodes: true,
    embeddingDim: '16',
    codeDropout: '0',
    learningRate: '0.001',
    learningRateSchedule: 'cosine',
    sampling: 'unique',
    epochs: '20',
    batchSize: '256',
    seed: '42',
    testFraction: '0.2',
    validationFraction: '0.1',
    earlyStoppingPatience: '5',
    classWeighting: 'sqrt',
  };
}

/**
 * The form set to the built-in models' recipe: design.md's network and the same split, with the
 * epochs, batch size and learning rate the shipped models were trained with, and no early stop.
 */
export function builtinRecipeForm(): TrainFormValues {
  return {
    ...defaultTrainForm(),
    epochs: String(BUILTIN_RECIPE.epochs),
    batchSize: String(BUILTIN_RECIPE.batchSize),
    learningRate: String(BUILTIN_RECIPE.learningRate),
    earlyStoppingPatience: String(BUILTIN_RECIPE.earlyStoppingPatience),
  };
}

export type TrainFormErrors = Partial<Record<keyof TrainFormValues, string>>;

export interface ParsedTrainForm {
  settings: TrainSettings | null;
  errors: TrainFormErrors;
}

function int(text: string, min: number, max: number): number | string {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return 'a whole number';
  const n = Number(t);
  if (n < min || n > max) return `${min} to ${max}`;
  return n;
}

function real(text: string, min: number, max: number, minExclusive = false): number | string {
  const t = text.trim();
  const n = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(n)) return 'a number';
  if (minExclusive ? n <= min : n < min) return minExclusive ? `above ${min}, at most ${max}` : `${min} to ${max}`;
  if (n > max) return minExclusive ? `above ${min}, at most ${max}` : `${min} to ${max}`;
  return n;
}

export function parseTrainForm(form: TrainFormValues): ParsedTrainForm {
  const errors: TrainFormErrors = {};
  const take = <K extends keyof TrainFormValues>(key: K, value: number | string): number => {
    if (typeof value === 'string') {
      errors[key] = `Must be ${value}.`;
      return Number.NaN;
    }
    return value;
  };

  const window = take('window', int(form.window, 1, 256));
  const kernelSize = take('kernelSize', int(form.kernelSize, 1, 15));
  const poolSize = take('poolSize', int(form.poolSize, 1, 8));
  const dropout = take('dropout', real(form.dropout, 0, 0.9));
  const lstmUnits = take('lstmUnits', int(form.lstmUnits, 1, 1024));
  const flowSkipUnits = take('flowSkipUnits', int(form.flowSkipUnits, 0, 1024));
  const flowSkipLayers = take('flowSkipLayers', int(form.flowSkipLayers, 1, 4));
  const embeddingDim = take('embeddingDim', int(form.embeddingDim, 1, 64));
  const codeDropout = take('codeDropout', real(form.codeDropout, 0, 0.9));
  const learningRate = take('learningRate', real(form.learningRate, 0, 1, true));
  const epochs = take('epochs', int(form.epochs, 1, 1000));
  const batchSize = take('batchSize', int(form.batchSize, 1, 65_536));
  const seed = take('seed', int(form.seed, -2_147_483_648, 2_147_483_647));
  const testFraction = take('testFraction', real(form.testFraction, 0, 0.9));
  const validationFraction = take('validationFraction', real(form.validationFraction, 0, 0.9));
  const earlyStoppingPatience = take('earlyStoppingPatience', int(form.earlyStoppingPatience, 0, 1000));

  const parts = form.convFilters.split(/[\s,]+/).filter((p) => p !== '');
  const convFilters = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if (parts.length === 0) errors.convFilters = 'Give at least one layer, e.g. 64,128.';
  else if (parts.length > 6) errors.convFilters = 'At most 6 layers.';
  else if (convFilters.some((n) => !Number.isInteger(n) || n < 1 || n > 1024)) errors.convFilters = 'Comma-separated whole numbers, 1 to 1024 each.';

  if (!errors.testFraction && !errors.validationFraction && testFraction + validationFraction >= 0.9) {
    errors.validationFraction = 'Test + validation must leave at least 10% to train on.';
  }
  if (!errors.window && !errors.kernelSize && !errors.poolSize && !errors.convFilters) {
    // the core's conv stack uses 'valid' padding, then pools once (model.ts, timeSteps)
    const steps = window - convFilters.length * (kernelSize - 1);
    if (steps < 1 || Math.floor(steps / poolSize) < 1) {
      errors.window = `Too short for ${convFilters.length} conv layers of kernel ${kernelSize} and pool ${poolSize}: needs at least ${convFilters.length * (kernelSize - 1) + poolSize}.`;
    }
  }

  if (Object.keys(errors).length) return { settings: null, errors };
  return {
    errors,
    settings: {
      featureSet: form.featureSet,
      window,
      keyBySource: form.keyBySource,
      binary: form.binary,
      identifiers: form.identifiers,
      convFilters,
      kernelSize,
      poolSize,
      dropout,
      lstmUnits,
      flowSkipUnits,
      flowSkipLayers,
      valueCodes: form.valueCodes,
      embeddingDim,
      codeDropout,
      learningRate,
      learningRateSchedule: form.learningRateSchedule,
      sampling: form.sampling,
      epochs,
      batchSize,
      seed,
      testFraction,
      validationFraction,
      earlyStoppingPatience,
      classWeighting: form.classWeighting,
    },
  };
}
