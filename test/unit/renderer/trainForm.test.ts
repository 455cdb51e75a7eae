import { describe, expect, it } from 'vitest';
import { builtinRecipeForm, defaultTrainForm, parseTrainForm } from '../../../renderer/src/lib/trainForm.ts';
import { DEFAULT_TRAINING } from '../../../main/core/model/train.ts';

describe('Train form presets', () => {
  it("the built-in recipe preset trains as the built-in models were: the core's DEFAULT_TRAINING", () => {
    const { settings, errors } = parseTrainForm(builtinRecipeForm());
    expect(errors).toEqual({});
    expect(settings).not.toBeNull();
    expect(settings!.epochs).toBe(DEFAULT_TRAINING.epochs);
    expect(settings!.batchSize).toBe(DEFAULT_TRAINING.batchSize);
    expect(settings!.learningRate).toBe(DEFAULT_TRAINING.learningRate);
    expect(settings!.learningRateSchedule).toBe(DEFAULT_TRAINING.learningRateSchedule);
    expect(settings!.sampling).toBe(DEFAULT_TRAINING.groupSampling);
    expect(settings!.classWeighting).toBe(DEFAULT_TRAINING.classWeighting);
    // DEFAULT_TRAINING has no early stop
    expect(DEFAULT_TRAINING.earlyStoppingPatience ?? 0).toBe(0);
    expect(settings!.earlyStoppingPatience).toBe(0);
  });

  it("the defaults stay design.md's: 20 epochs of 256 at 1e-3, early stop after 5", () => {
    const { settings } = parseTrainForm(defaultTrainForm());
    expect([settings!.epochs, settings!.batchSize, settings!.learningRate, settings!.earlyStoppingPatience]).toEqual([20, 256, 0.001, 5]);
    // the presets differ only where the recipe does
    const a = defaultTrainForm();
    const b = builtinRecipeForm();
    const changed = (Object.keys(a) as (keyof typeof a)[]).filter((k) => a[k] !== b[k]).sort();
    expect(changed).toEqual(['batchSize', 'earlyStoppingPatience', 'epochs', 'learningRate']);
  });
});
