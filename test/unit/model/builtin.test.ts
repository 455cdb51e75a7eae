import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModelsDir } from '../../../main/core/detector/store.ts';
import { initBackend } from '../../../main/core/model/backend.ts';
import { loadModelPackage } from '../../../main/core/model/packageModel.ts';

const dirs = readdirSync(builtinModelsDir()).map((d) => join(builtinModelsDir(), d));

describe.each(dirs)('the built-in package %s', (dir) => {
  it('loads, has value codes for every column and carries metrics that say where they come from', async () => {
    await initBackend('wasm');
    const { model, manifest } = await loadModelPackage(dir);
    expect(manifest.featureSet.codes).toBe(true);
    expect(manifest.normalization.vocabulary).toHaveLength(manifest.featureSet.columns.length);
    expect(manifest.metrics?.total).toBeGreaterThan(1000);
    expect(manifest.metrics!.weightedF1).toBeGreaterThan(0.9);
    // refitted on every flow after a hold-out run: the manifest says the metrics are that run's
    expect(manifest.training.metricsFrom).toMatch(/held out 10% of the distinct feature rows/);
    expect((manifest.training.split as { test: number }).test).toBe(0);
    model.dispose();
  });
});
