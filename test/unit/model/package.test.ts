import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { V1_FIELDS, V2_EXTRA_FIELDS } from '../../../main/core/capture/schema.ts';
import { initBackend } from '../../../main/core/model/backend.ts';
import { featureNames, V1_FEATURE_COLUMNS, type FeatureSet } from '../../../main/core/model/features.ts';
import { buildModel, modelConfig } from '../../../main/core/model/model.ts';
import { assertCompatible, loadModelPackage, MANIFEST_FORMAT, readManifest, saveModelPackage, type ModelManifest } from '../../../main/core/model/package.ts';
import { tempDir } from '../helpers.ts';

const set: FeatureSet = { name: 'v1', columns: [...V1_FEATURE_COLUMNS], identifiers: false };
const features = featureNames(set);
const W = 10;

function manifest(): ModelManifest {
  return {
    format: MANIFEST_FORMAT,
    name: 'test',
    classes: ['Benign', 'DoS', 'DDoS'],
    binary: false,
    featureSet: set,
    features,
    window: W,
    keyed: false,
    keyColumn: null,
    normalization: { mean: features.map(() => 0), std: features.map(() => 1) },
    architecture: {},
    training: { dataHash: 'abc' },
    metrics: null,
    backend: 'test',
    created: new Date(0).toISOString(),
    appVersion: '0.1.0',
  };
}

const tmp = tempDir('mindflow-pkg-');
const dir = join(tmp.dir, 'model');
const x = new Float32Array(16 * W * (features.length + 1)).map((_, i) => Math.sin(i));
let reference: Float32Array;

beforeAll(async () => {
  await initBackend('wasm');
  const model = buildModel(modelConfig({ window: W, channels: features.length + 1, classes: 3, seed: 3, convFilters: [8, 8], lstmUnits: 8, flowSkipUnits: 4 }));
  reference = (model.predict(tf.tensor3d(x, [16, W, features.length + 1])) as tf.Tensor).dataSync() as Float32Array;
  await saveModelPackage(dir, model, manifest());
  model.dispose();
});
afterAll(() => tmp.cleanup());

describe('model package round trip', () => {
  it.each(['wasm', 'cpu'] as const)('loads on %s and predicts the same probabilities', async (backend) => {
    await initBackend(backend);
    const { model, manifest: m } = await loadModelPackage(dir, { captureColumns: [...V1_FIELDS] });
    expect(m.classes).toEqual(['Benign', 'DoS', 'DDoS']);
    const p = (model.predict(tf.tensor3d(x, [16, W, features.length + 1])) as tf.Tensor).dataSync();
    for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo(reference[i]!, 5);
    model.dispose();
  });
});

describe('loading refuses a broken or mismatched package with one line', () => {
  const copy = async (name: string, edit: (d: string) => Promise<void>) => {
    const d = join(tmp.dir, name);
    await rm(d, { recursive: true, force: true });
    await saveModelPackage(d, buildModel(modelConfig({ window: W, channels: features.length + 1, classes: 3, convFilters: [4, 4], lstmUnits: 4, flowSkipUnits: 0 })), manifest());
    await edit(d);
    return d;
  };
  it.each<[string, (d: string) => Promise<void>, RegExp]>([
    ['missing weights', (d) => rm(join(d, 'weights.bin')), /weights file \.\/weights\.bin is missing/],
    ['truncated weights', async (d) => writeFile(join(d, 'weights.bin'), new Uint8Array(10)), /weights hold 10 bytes/],
    ['corrupt manifest JSON', (d) => writeFile(join(d, 'manifest.json'), '{"format": '), /manifest\.json is not valid JSON/],
    ['missing manifest', (d) => rm(join(d, 'manifest.json')), /manifest\.json is missing/],
    ['corrupt model.json', (d) => writeFile(join(d, 'model.json'), 'not json'), /model\.json is not valid JSON/],
    [
      'statistics of the wrong length',
      async (d) => {
        const m = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'));
        m.normalization.mean.pop();
        await writeFile(join(d, 'manifest.json'), JSON.stringify(m));
      },
      /normalisation statistics have 18 means/,
    ],
    [
      'a window that does not match the model',
      async (d) => {
        const m = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'));
        m.window = 12;
        await writeFile(join(d, 'manifest.json'), JSON.stringify(m));
      },
      /model input is \[10, 20\] but the manifest says window 12/,
    ],
    [
      'an unknown format',
      async (d) => {
        const m = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'));
        m.format = 'other/9';
        await writeFile(join(d, 'manifest.json'), JSON.stringify(m));
      },
      /manifest\.json is invalid at format/,
    ],
  ])('%s', async (name, edit, message) => {
    const d = await copy(name.replace(/\W+/g, '-'), edit);
    const err = await loadModelPackage(d).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('a capture without the feature set columns', async () => {
    const m = await readManifest(dir);
    expect(() => assertCompatible(m, ['PROTOCOL', 'IN_BYTES'])).toThrow(/uses feature set v1, but this capture lacks 6 of its columns \(L7_PROTO, OUT_BYTES, IN_PKTS, \.\.\.\)/);
    expect(() => assertCompatible(m, [...V1_FIELDS, ...V2_EXTRA_FIELDS])).not.toThrow();
    await expect(loadModelPackage(dir, { captureColumns: ['PROTOCOL'] })).rejects.toThrow(/lacks/);
  });
});
