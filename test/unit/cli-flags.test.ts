import { describe, expect, it } from 'vitest';
import { recipeSettings, UsageError } from '../../main/cli/flags.ts';
import { DEFAULT_TRAIN_SETTINGS, trainOptionsOf } from '../../main/core/detector/service.ts';

describe('recipe flags (mindflow train and bench:quality)', () => {
  it('gives only the settings that were passed, converted', () => {
    expect(recipeSettings({})).toEqual({});
    expect(recipeSettings({ epochs: '5', lr: '0.003', filters: '32, 64', embedding: '32', weighting: 'none', sampling: 'all', 'skip-units': '0' })).toEqual({
      epochs: 5,
      learningRate: 0.003,
      convFilters: [32, 64],
      embeddingDim: 32,
      classWeighting: 'none',
      sampling: 'all',
      flowSkipUnits: 0,
    });
  });

  it.each([
    [{ weighting: 'equal' }, '--weighting must be balanced, sqrt or none'],
    [{ schedule: 'step' }, '--schedule must be constant or cosine'],
    [{ filters: '64,x' }, '--filters must be a whole number >= 1'],
    [{ embedding: '128' }, '--embedding must be a whole number >= 1 <= 64'],
    [{ dropout: '0.95' }, '--dropout must be a number >= 0 <= 0.9'],
    [{ epochs: '2.5' }, '--epochs must be a whole number >= 1'],
  ])('refuses %o', (values, message) => {
    expect(() => recipeSettings(values)).toThrow(UsageError);
    expect(() => recipeSettings(values)).toThrow(message);
  });

  it("maps the contract's settings to the trainer's options", () => {
    const options = trainOptionsOf({ ...DEFAULT_TRAIN_SETTINGS, sampling: 'sqrt', earlyStoppingPatience: 0, embeddingDim: 8 });
    expect(options.groupSampling).toBe('sqrt');
    expect(options.earlyStoppingPatience).toBeUndefined();
    expect(options.embeddingDim).toBe(8);
    expect(options.epochs).toBe(DEFAULT_TRAIN_SETTINGS.epochs);
    expect(trainOptionsOf({ earlyStoppingPatience: 3 }).earlyStoppingPatience).toBe(3);
    expect(Object.entries(trainOptionsOf({ dropout: 0.1 })).filter(([, v]) => v !== undefined)).toEqual([['dropout', 0.1]]);
  });
});
