import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { V1_FIELDS, V2_EXTRA_FIELDS } from '../../../main/core/capture/schema.ts';
import { initBackend } from '../../../main/core/model/backend.ts';
import { featureNames, V1_FEATURE_COLUMNS, type FeatureSet } from '../../../main/core/model/features.ts';
import { buildModel, modelConfig } from '../../../main/core/model/model.ts';
import { assertCompatible, MANIFEST_FORMAT, readManifest, type ModelManifest } from '../../../main/core/model/package.ts';
import { loadModelPackage, saveModelPackage } from '../../../main/core/model/packageModel.ts';
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
    [
      'a weight that is NaN, and one infinite (the right size: a corrupt copy)',
      async (d) => {
        const w = new Float32Array(Uint8Array.from(await readFile(join(d, 'weights.bin'))).buffer);
        w[3] = NaN;
        w[w.length - 1] = -Infinity;
        await writeFile(join(d, 'weights.bin'), new Uint8Array(w.buffer));
      },
      /: 2 of its [\d,]+ weights are not finite numbers \(NaN or infinity\): the weights file is corrupt$/,
    ],
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
      'classes that are not the softmax\'s',
      async (d) => {
        const m = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'));
        m.classes = ['Benign', 'DoS'];
        await writeFile(join(d, 'manifest.json'), JSON.stringify(m));
      },
      /model has 3 outputs but the manifest lists 2 classes/,
    ],
    [
      'weights outside the package',
      async (d) => {
        const j = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
        j.weightsManifest[0].paths = ['../other/weights.bin'];
        await writeFile(join(d, 'model.json'), JSON.stringify(j));
      },
      /weights file \.\.\/other\/weights\.bin is outside the package/,
    ],
    [
      'a weights manifest without shapes',
      async (d) => {
        const j = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
        j.weightsManifest[0].weights = [{ name: 'w' }];
        await writeFile(join(d, 'model.json'), JSON.stringify(j));
      },
      /model\.json's weightsManifest is not a list of weight files and shapes/,
    ],
    [
      'a model.json of another architecture',
      async (d) => {
        const j = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
        j.modelTopology.config.layers = j.modelTopology.config.layers.filter((l: { class_name: string }) => l.class_name !== 'MindflowCnnBiLstm');
        await writeFile(join(d, 'model.json'), JSON.stringify(j));
      },
      /model\.json is not a MindFlow CNN-BiLSTM/,
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

describe('packages with value codes', () => {
  const codedSet: FeatureSet = { ...set, codes: true };
  const codedFeatures = featureNames(codedSet);
  const vocabulary = V1_FEATURE_COLUMNS.map((_, i) => [0, 6, 17 + i]);
  const codedManifest = (): ModelManifest => ({
    ...manifest(),
    featureSet: codedSet,
    features: codedFeatures,
    normalization: { mean: codedFeatures.map(() => 0), std: codedFeatures.map(() => 1), vocabulary },
  });
  const build = (sizes = vocabulary.map((v) => v.length + 1)) =>
    buildModel(modelConfig({ window: W, channels: codedFeatures.length + 1, classes: 3, seed: 5, convFilters: [4, 4], lstmUnits: 4, flowSkipUnits: 6, vocabSizes: sizes, embeddingDim: 2 }));

  it('round-trips the vocabulary and predicts the same on wasm and cpu', async () => {
    await initBackend('wasm');
    const d = join(tmp.dir, 'coded');
    const model = build();
    const input = new Float32Array(4 * W * (codedFeatures.length + 1)).map((_, i) => (i % 28 >= 19 && i % 28 < 27 ? i % 4 : Math.cos(i)));
    const shape: [number, number, number] = [4, W, codedFeatures.length + 1];
    const ref = (model.predict(tf.tensor3d(input, shape)) as tf.Tensor).dataSync().slice();
    await saveModelPackage(d, model, codedManifest());
    model.dispose();
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      const { model: loaded, manifest: m } = await loadModelPackage(d);
      expect(m.normalization.vocabulary).toEqual(vocabulary);
      const p = (loaded.predict(tf.tensor3d(input, shape)) as tf.Tensor).dataSync();
      for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo(ref[i]!, 5);
      loaded.dispose();
    }
  });

  it.each<[string, (m: ModelManifest) => void, RegExp]>([
    ['no vocabulary', (m) => delete m.normalization.vocabulary, /value codes but the normalisation statistics carry no vocabulary/],
    ['a vocabulary out of order', (m) => (m.normalization.vocabulary![2] = [5, 1]), /vocabulary of IN_BYTES is not ascending/],
    ['a vocabulary for too few columns', (m) => m.normalization.vocabulary!.pop(), /vocabulary has 7 columns for 8 feature columns/],
  ])('refuses %s', async (name, edit, message) => {
    const d = join(tmp.dir, `coded-${name.replace(/\W+/g, '-')}`);
    await saveModelPackage(d, build(), codedManifest());
    const m = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'));
    edit(m);
    await writeFile(join(d, 'manifest.json'), JSON.stringify(m));
    await expect(loadModelPackage(d)).rejects.toThrow(message);
  });

  it('refuses a model whose embeddings do not fit the vocabulary', async () => {
    const d = join(tmp.dir, 'coded-sizes');
    await saveModelPackage(d, build(vocabulary.map(() => 9)), codedManifest());
    await expect(loadModelPackage(d)).rejects.toThrow(/model embeds value codes of 8 columns \(72 codes\) but the manifest's vocabulary has 8 \(32\)/);
  });
});

describe('manifestJson', () => {
  it('puts arrays of numbers on one line and round-trips exactly', async () => {
    const { manifestJson } = await import('../../../main/core/model/package.ts');
    const m = { ...manifest(), normalization: { mean: [0.5, -1e-7], std: [1, 2], vocabulary: [[0, 6, 17], [4294967.296]] } };
    const text = manifestJson(m);
    expect(text).toContain('"vocabulary": [\n      [0, 6, 17],\n      [4294967.296]\n    ]');
    expect(JSON.parse(text)).toEqual(m);
  });
});
