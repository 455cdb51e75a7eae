/**
 * Model packages: a directory with the TensorFlow.js `model.json` + `weights.bin` and a
 * `manifest.json` (classes, feature set, window, normalisation statistics, training data hash,
 * metrics, backend, creation time, app version). Files are written and read with plain fs
 * (a custom IOHandler), so no native tfjs-node is needed. Loading validates everything and
 * refuses a mismatch with a one-line error. A package is data, never code.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { MindflowError } from '../errors.ts';
import { featureColumns, featureNames, missingColumns, type FeatureSet, type FeatureStats } from './features.ts';
import type { Metrics } from './metrics.ts';
import './model.ts'; // registers the custom layer class before any model is deserialised

export const MANIFEST_FORMAT = 'mindflow-model/1';
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const MANIFEST_FILE = 'manifest.json';

const MetricsSchema = v.looseObject({
  classes: v.array(v.string()),
  total: v.number(),
  accuracy: v.number(),
  macroF1: v.number(),
  weightedF1: v.number(),
  perClass: v.array(v.looseObject({ name: v.string(), precision: v.number(), recall: v.number(), f1: v.number(), support: v.number() })),
  binary: v.nullable(v.looseObject({ precision: v.number(), recall: v.number(), f1: v.number() })),
  confusion: v.array(v.array(v.number())),
});

const ManifestSchema = v.object({
  format: v.literal(MANIFEST_FORMAT),
  name: v.string(),
  classes: v.pipe(v.array(v.string()), v.minLength(2)),
  binary: v.boolean(),
  featureSet: v.object({ name: v.picklist(['v1', 'v2']), columns: v.array(v.string()), identifiers: v.boolean(), codes: v.optional(v.boolean()) }),
  features: v.array(v.string()),
  window: v.pipe(v.number(), v.integer(), v.minValue(1)),
  keyed: v.boolean(),
  keyColumn: v.nullable(v.string()),
  normalization: v.object({ mean: v.array(v.number()), std: v.array(v.number()), vocabulary: v.optional(v.array(v.array(v.number()))) }),
  architecture: v.looseObject({}),
  training: v.looseObject({ dataHash: v.string() }),
  metrics: v.nullable(MetricsSchema),
  backend: v.string(),
  created: v.string(),
  appVersion: v.string(),
});

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  classes: string[];
  binary: boolean;
  featureSet: FeatureSet;
  /** encoded feature names, in channel order (the mask channel follows them) */
  features: string[];
  window: number;
  keyed: boolean;
  keyColumn: string | null;
  normalization: FeatureStats;
  architecture: Record<string, unknown>;
  training: { dataHash: string } & Record<string, unknown>;
  /** metrics on the held-out test split */
  metrics: Metrics | null;
  backend: string;
  created: string;
  appVersion: string;
}

export interface ModelPackage {
  model: tf.LayersModel;
  manifest: ModelManifest;
}

function fail(dir: string, what: string): never {
  throw new MindflowError('bad-value', `model package ${dir}: ${what}`);
}

/** Checks a manifest's internal consistency; returns a one-line problem or null. */
export function manifestProblem(m: ModelManifest): string | null {
  const expectedColumns = featureColumns(m.featureSet.name, m.featureSet.identifiers);
  if (expectedColumns.join(',') !== m.featureSet.columns.join(',')) return `feature set ${m.featureSet.name} lists unexpected columns`;
  const names = featureNames(m.featureSet);
  if (names.join(',') !== m.features.join(',')) return `feature list does not match feature set ${m.featureSet.name}`;
  if (m.normalization.mean.length !== names.length || m.normalization.std.length !== names.length)
    return `normalisation statistics have ${m.normalization.mean.length} means and ${m.normalization.std.length} stds for ${names.length} features`;
  if (m.normalization.std.some((s) => !(s > 0)) || m.normalization.mean.some((x) => !Number.isFinite(x))) return 'normalisation statistics are not finite and positive';
  if (m.binary && m.classes.length !== 2) return 'a binary model must have exactly 2 classes';
  const vocabulary = m.normalization.vocabulary;
  if (m.featureSet.codes) {
    if (!vocabulary) return 'the feature set has value codes but the normalisation statistics carry no vocabulary';
    if (vocabulary.length !== m.featureSet.columns.length) return `the vocabulary has ${vocabulary.length} columns for ${m.featureSet.columns.length} feature columns`;
    const bad = vocabulary.findIndex((values) => values.some((x, i) => !Number.isFinite(x) || (i > 0 && !(x > values[i - 1]!))));
    if (bad >= 0) return `the vocabulary of ${m.featureSet.columns[bad]} is not ascending finite values`;
  } else if (vocabulary) return 'the normalisation statistics carry a vocabulary but the feature set has no value codes';
  return null;
}

/** Value-code vocabulary sizes the model's CNN-BiLSTM layer was built with ([] when it has none). */
function layerVocabSizes(model: tf.LayersModel): number[] {
  const layer = model.layers.find((l) => l.getClassName() === 'MindflowCnnBiLstm');
  const sizes = (layer?.getConfig() as { vocabSizes?: number[] } | undefined)?.vocabSizes;
  return Array.isArray(sizes) ? sizes : [];
}

/** Throws when a capture lacks columns the model needs. */
export function assertCompatible(manifest: ModelManifest, captureColumns: readonly string[], what = 'this capture'): void {
  const missing = missingColumns(manifest.featureSet, captureColumns);
  if (missing.length > 0) {
    throw new MindflowError(
      'missing-columns',
      `model "${manifest.name}" uses feature set ${manifest.featureSet.name}, but ${what} lacks ${missing.length > 3 ? `${missing.length} of its columns (${missing.slice(0, 3).join(', ')}, ...)` : missing.join(', ')}`,
    );
  }
}

/** Writes a package directory atomically (a temporary sibling renamed into place). */
export async function saveModelPackage(dir: string, model: tf.LayersModel, manifest: ModelManifest): Promise<void> {
  const problem = manifestProblem(manifest);
  if (problem) throw new MindflowError('bad-value', `refusing to save model package: ${problem}`);
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
        const modelJson = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
        };
        await writeFile(join(tmp, MODEL_FILE), JSON.stringify(modelJson));
        await writeFile(join(tmp, WEIGHTS_FILE), new Uint8Array(weights));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
      }),
    );
    await writeFile(join(tmp, MANIFEST_FILE), manifestJson(manifest));
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Indented JSON with arrays of numbers on one line (vocabularies hold thousands of values). */
export function manifestJson(manifest: ModelManifest): string {
  return `${JSON.stringify(manifest, null, 2).replace(/\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]/g, (_, items: string) => `[${items.split(/,\s*/).join(', ')}]`)}\n`;
}

async function readJson(dir: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch {
    fail(dir, `${file} is missing`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    fail(dir, `${file} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/** Reads and validates a manifest alone (cheap: for listings). */
export async function readManifest(dir: string): Promise<ModelManifest> {
  const raw = await readJson(dir, MANIFEST_FILE);
  const parsed = v.safeParse(ManifestSchema, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    fail(dir, `${MANIFEST_FILE} is invalid${path ? ` at ${path}` : ''}: ${issue.message}`);
  }
  const manifest = parsed.output as unknown as ModelManifest;
  const problem = manifestProblem(manifest);
  if (problem) fail(dir, problem);
  return manifest;
}

/**
 * Loads and validates a package. With `captureColumns`, also refuses a capture that lacks the
 * model's feature columns. The model is checked against the manifest (input shape, classes).
 */
export async function loadModelPackage(dir: string, opts: { captureColumns?: readonly string[] } = {}): Promise<ModelPackage> {
  const manifest = await readManifest(dir);
  if (opts.captureColumns) assertCompatible(manifest, opts.captureColumns);
  const modelJson = (await readJson(dir, MODEL_FILE)) as { modelTopology?: unknown; weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  if (!modelJson || typeof modelJson !== 'object' || !modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) fail(dir, `${MODEL_FILE} is not a TensorFlow.js layers model`);
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const paths = modelJson.weightsManifest.flatMap((g) => g.paths);
  const buffers: Uint8Array[] = [];
  for (const p of paths) {
    const file = join(dir, p);
    if (!(await stat(file).catch(() => null))) fail(dir, `weights file ${p} is missing`);
    buffers.push(new Uint8Array(await readFile(file)));
  }
  const total = buffers.reduce((s, b) => s + b.byteLength, 0);
  const expected = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (total !== expected) fail(dir, `weights hold ${total} bytes, ${MODEL_FILE} expects ${expected}`);
  const weightData = new Uint8Array(total);
  let o = 0;
  for (const b of buffers) {
    weightData.set(b, o);
    o += b.byteLength;
  }
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology as object, weightSpecs: specs, weightData: weightData.buffer }),
    );
  } catch (err) {
    fail(dir, `the model cannot be built (${(err as Error).message.split('\n')[0]})`);
  }
  const inShape = model.inputs[0]!.shape;
  const outShape = model.outputs[0]!.shape;
  const channels = manifest.features.length + 1;
  if (inShape[1] !== manifest.window || inShape[2] !== channels) {
    model.dispose();
    fail(dir, `model input is [${inShape.slice(1).join(', ')}] but the manifest says window ${manifest.window} x ${channels} channels`);
  }
  if (outShape[1] !== manifest.classes.length) {
    model.dispose();
    fail(dir, `model has ${outShape[1]} outputs but the manifest lists ${manifest.classes.length} classes`);
  }
  const sizes = layerVocabSizes(model);
  const expectedSizes = (manifest.normalization.vocabulary ?? []).map((values) => values.length + 1);
  if (sizes.join(',') !== expectedSizes.join(',')) {
    model.dispose();
    fail(dir, `model embeds value codes of ${sizes.length} columns (${sizes.reduce((a, b) => a + b, 0)} codes) but the manifest's vocabulary has ${expectedSizes.length} (${expectedSizes.reduce((a, b) => a + b, 0)})`);
  }
  return { model, manifest };
}
