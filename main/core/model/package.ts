/**
 * Model packages: a directory with the TensorFlow.js `model.json` + `weights.bin` and a
 * `manifest.json` (classes, feature set, window, normalisation statistics, training data hash,
 * metrics, backend, creation time, app version). Files are written and read with plain fs
 * (a custom IOHandler), so no native tfjs-node is needed. Loading validates everything and
 * refuses a mismatch with a one-line error. A package is data, never code.
 *
 * This module reads and checks the files without TensorFlow.js, so the main process (listings,
 * the CLI, the web host) never loads it; building and saving the model is packageModel.ts's,
 * which the model worker uses.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import * as v from 'valibot';
import { MindflowError } from '../errors.ts';
import { featureColumns, featureNames, missingColumns, type FeatureSet, type FeatureStats } from './features.ts';
import type { Metrics } from './metrics.ts';

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

/** Refuses a package: a one-line error that names its directory. */
export function refusePackage(dir: string, what: string): never {
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

/** Indented JSON with arrays of numbers on one line (vocabularies hold thousands of values). */
export function manifestJson(manifest: ModelManifest): string {
  return `${JSON.stringify(manifest, null, 2).replace(/\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]/g, (_, items: string) => `[${items.split(/,\s*/).join(', ')}]`)}\n`;
}

async function readJson(dir: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch {
    refusePackage(dir, `${file} is missing`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    refusePackage(dir, `${file} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/** Reads and validates a manifest alone (cheap: for listings). */
export async function readManifest(dir: string): Promise<ModelManifest> {
  const raw = await readJson(dir, MANIFEST_FILE);
  const parsed = v.safeParse(ManifestSchema, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    refusePackage(dir, `${MANIFEST_FILE} is invalid${path ? ` at ${path}` : ''}: ${issue.message}`);
  }
  const manifest = parsed.output as unknown as ModelManifest;
  const problem = manifestProblem(manifest);
  if (problem) refusePackage(dir, problem);
  return manifest;
}

/** One weight tensor of model.json's weightsManifest (TensorFlow.js's WeightsManifestEntry, the fields a package uses). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
}

/** model.json as a package holds it: the layers topology and one or more groups of weight files. */
export interface ModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

interface TopologyLayer {
  name?: string;
  class_name?: string;
  config?: { batch_input_shape?: (number | null)[]; units?: number; vocab_sizes?: number[] };
}

/**
 * What is wrong between a package's model.json, its weights and its manifest, read from the
 * JSON without building the model ('' when nothing): the weights' size, the input window and
 * channels, the softmax's classes, the value codes the layer embeds.
 */
export function topologyProblem(manifest: ModelManifest, modelJson: ModelJson, weightBytes: number): string {
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const expected = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (weightBytes !== expected) return `weights hold ${weightBytes} bytes, ${MODEL_FILE} expects ${expected}`;
  const config = modelJson.modelTopology.config as { layers?: TopologyLayer[]; output_layers?: [string, ...unknown[]][] } | undefined;
  const layers = Array.isArray(config?.layers) ? config.layers : [];
  const input = layers.find((l) => l.class_name === 'InputLayer')?.config?.batch_input_shape;
  const body = layers.find((l) => l.class_name === 'MindflowCnnBiLstm');
  const outputName = config?.output_layers?.[0]?.[0];
  const units = layers.find((l) => l.name === outputName)?.config?.units;
  if (!Array.isArray(input) || !body || typeof units !== 'number') return `${MODEL_FILE} is not a MindFlow CNN-BiLSTM (no input shape, CNN-BiLSTM layer or softmax)`;
  const channels = manifest.features.length + 1;
  if (input[1] !== manifest.window || input[2] !== channels) return `model input is [${input.slice(1).join(', ')}] but the manifest says window ${manifest.window} x ${channels} channels`;
  if (units !== manifest.classes.length) return `model has ${units} outputs but the manifest lists ${manifest.classes.length} classes`;
  const sizes = body.config?.vocab_sizes ?? [];
  const expectedSizes = (manifest.normalization.vocabulary ?? []).map((values) => values.length + 1);
  if (sizes.join(',') !== expectedSizes.join(',')) {
    return `model embeds value codes of ${sizes.length} columns (${sizes.reduce((a, b) => a + b, 0)} codes) but the manifest's vocabulary has ${expectedSizes.length} (${expectedSizes.reduce((a, b) => a + b, 0)})`;
  }
  return '';
}

/** How many of the float32 weights in `bytes` are NaN or infinite. */
export function nonFiniteWeights(bytes: Uint8Array): number {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  let n = 0;
  // all exponent bits set: infinity or NaN
  for (let i = 0; i < words.length; i++) if ((words[i]! & 0x7f800000) === 0x7f800000) n++;
  return n;
}

/**
 * Reads a package directory and checks its three files against each other (`topologyProblem`),
 * failing with one line that names the directory. The weights of every file, in order.
 */
export async function readPackageFiles(dir: string): Promise<{ manifest: ModelManifest; modelJson: ModelJson; weights: Uint8Array }> {
  const manifest = await readManifest(dir);
  const modelJson = (await readJson(dir, MODEL_FILE)) as Partial<ModelJson> | null;
  if (!modelJson || typeof modelJson !== 'object' || !modelJson.modelTopology || typeof modelJson.modelTopology !== 'object' || !Array.isArray(modelJson.weightsManifest)) {
    refusePackage(dir, `${MODEL_FILE} is not a TensorFlow.js layers model`);
  }
  const json = modelJson as ModelJson;
  const wellFormed = json.weightsManifest.every(
    (g) => g && Array.isArray(g.paths) && g.paths.every((p) => typeof p === 'string') && Array.isArray(g.weights) && g.weights.every((w) => w && Array.isArray(w.shape) && w.shape.every((d) => Number.isInteger(d) && d >= 0)),
  );
  if (!wellFormed) refusePackage(dir, `${MODEL_FILE}'s weightsManifest is not a list of weight files and shapes`);
  const buffers: Uint8Array[] = [];
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
    const file = join(dir, p);
    // a package is data: its weights are files inside it, never a path out of it
    const inside = relative(dir, file);
    if (isAbsolute(p) || inside === '..' || inside.startsWith(`..${sep}`)) refusePackage(dir, `weights file ${p} is outside the package`);
    if (!(await stat(file).catch(() => null))) refusePackage(dir, `weights file ${p} is missing`);
    buffers.push(new Uint8Array(await readFile(file)));
  }
  const weights = new Uint8Array(buffers.reduce((s, b) => s + b.byteLength, 0));
  let o = 0;
  for (const b of buffers) {
    weights.set(b, o);
    o += b.byteLength;
  }
  const problem = topologyProblem(manifest, json, weights.byteLength);
  if (problem) refusePackage(dir, problem);
  const broken = nonFiniteWeights(weights);
  // a model with a NaN weight scores every flow NaN, which reads as the first class (Benign)
  if (broken > 0) refusePackage(dir, `${broken.toLocaleString('en-US')} of its ${(weights.byteLength / 4).toLocaleString('en-US')} weights are not finite numbers (NaN or infinity): the weights file is corrupt`);
  return { manifest, modelJson: json, weights };
}
