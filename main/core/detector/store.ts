/**
 * Models live inside the project file: manifest, model.json and weights as a BLOB, so a
 * project stays one file an analyst can copy. A package directory (what TensorFlow.js and the
 * worker read) is materialised on demand in a cache folder. The default model ships with the
 * app under resources/models/default and is listed as built in.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { blobValue, DuckDBBlobValue } from '@duckdb/node-api';
import type { EpochPoint, ModelSummary, TrainSettings } from '../../../preload/contract.ts';
import { queryObjects } from '../db.ts';
import { MindflowError } from '../errors.ts';
import { appRoot } from '../paths.ts';
import type { Project } from '../project.ts';
import { missingColumns, type FeatureSet } from '../model/features.ts';
import { MANIFEST_FILE, MODEL_FILE, WEIGHTS_FILE, readManifest, readPackageFiles, type ModelManifest } from '../model/package.ts';

/** The built-in models: one package directory each under resources/models, its name is its id. */
export const DEFAULT_MODEL_ID = 'default';

export function builtinModelsDir(): string {
  return join(appRoot(), 'resources', 'models');
}

export interface StoredModel {
  summary: ModelSummary;
  /** a package directory holding model.json, weights.bin and manifest.json */
  dir: string;
}


function featureSetOf(s: ModelSummary): FeatureSet {
  return { name: s.featureSet as FeatureSet['name'], columns: s.featureColumns, identifiers: s.identifiers };
}

function summaryOf(id: string, manifest: ModelManifest, builtin: boolean, history: EpochPoint[], settings: Partial<TrainSettings>): ModelSummary {
  const training = manifest.training as Record<string, unknown>;
  const curve = Array.isArray(training.lossCurve) ? (training.lossCurve as number[]) : [];
  const valF1 = Array.isArray(training.validationMacroF1) ? (training.validationMacroF1 as (number | null)[]) : [];
  return {
    id,
    name: manifest.name,
    builtin,
    classes: manifest.classes,
    binary: manifest.binary,
    featureSet: manifest.featureSet.name,
    featureColumns: manifest.featureSet.columns,
    identifiers: manifest.featureSet.identifiers,
    features: manifest.features,
    window: manifest.window,
    keyed: manifest.keyed,
    backend: manifest.backend,
    created: manifest.created,
    appVersion: manifest.appVersion,
    trainingDataHash: manifest.training.dataHash,
    metrics: manifest.metrics,
    metricsFrom: typeof manifest.training.metricsFrom === 'string' ? manifest.training.metricsFrom : null,
    history: history.length
      ? history
      : curve.map((loss, i) => ({ epoch: i + 1, epochs: curve.length, loss, accuracy: null, valMacroF1: valF1[i] ?? null, valAccuracy: null, seconds: 0, windowsPerSecond: 0 })),
    settings,
  };
}

/** Reads and checks a package directory (`readPackageFiles`) into the three pieces stored in the project. */
export async function readPackage(dir: string): Promise<{ manifest: ModelManifest; modelJson: string; weights: Uint8Array }> {
  const full = resolve(dir);
  if (!existsSync(full)) throw new MindflowError('not-found', `model package not found: ${full}`);
  const { manifest, modelJson, weights } = await readPackageFiles(full);
  // One weights file, whatever the source package had.
  const single = { ...modelJson, weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: modelJson.weightsManifest.flatMap((g) => g.weights) }] };
  return { manifest, modelJson: JSON.stringify(single), weights };
}

async function writePackage(dir: string, manifest: ModelManifest, modelJson: string, weights: Uint8Array): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  await writeFile(join(tmp, MODEL_FILE), modelJson);
  await writeFile(join(tmp, WEIGHTS_FILE), weights);
  await writeFile(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Where the package directories of project models are written for the worker to load. */
export function modelCacheDir(): string {
  return join(tmpdir(), 'mindflow-models');
}

/** A cached package not used for this long is removed (each use touches its directory). */
export const MODEL_CACHE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** A half-written package (a process that died while writing it) is removed after this long. */
const PARTIAL_MAX_AGE_MS = 3600 * 1000;

/**
 * Removes cached package directories that have not been used for `maxAgeMs`, and half-written
 * ones older than an hour. Every model a project loads, exports or scans with leaves one; without
 * this the cache only grows. Returns the names removed. A directory that cannot be read or
 * removed is left alone: the cache is a convenience, never a reason to fail.
 */
export async function pruneModelCache(root: string = modelCacheDir(), now: number = Date.now(), maxAgeMs: number = MODEL_CACHE_MAX_AGE_MS): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const path = join(root, name);
    try {
      const age = now - (await stat(path)).mtimeMs;
      if (age > (name.includes('.tmp-') ? PARTIAL_MAX_AGE_MS : maxAgeMs)) {
        await rm(path, { recursive: true, force: true });
        removed.push(name);
      }
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/**
 * A folder name for a model's package: its name with what file systems refuse (separators,
 * reserved and control characters) turned into dashes, no leading or trailing dots or spaces,
 * at most 80 characters; "model" when nothing is left.
 */
export function packageFolderName(modelName: string): string {
  const name = modelName
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.-]+|[\s.]+$/g, '')
    .slice(0, 80)
    .trim();
  return name || 'model';
}

/**
 * A folder a package may be written to: new, empty, or holding a package already (which the
 * export replaces). Writing a package replaces the whole folder, so a folder with anything
 * else in it (a home folder, the project's own folder) is refused, never emptied.
 */
export async function checkPackageTarget(target: string): Promise<void> {
  if (!existsSync(target)) return;
  if (!(await stat(target)).isDirectory()) throw new MindflowError('bad-args', `${target} is a file: export the model to a folder`);
  const others = (await readdir(target)).filter((name) => ![MANIFEST_FILE, MODEL_FILE, WEIGHTS_FILE].includes(name));
  if (others.length) {
    throw new MindflowError('bad-args', `${target} already holds other files (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}): export the model to a new or empty folder`);
  }
}

export class ModelStore {
  constructor(private readonly project: Project) {}

  async list(): Promise<ModelSummary[]> {
    const out: ModelSummary[] = (await this.builtins()).map((b) => b.summary);
    const rows = await this.project.withConnection((c) =>
      queryObjects<{ id: string; manifest: string; history: string; settings: string }>(c, `SELECT id, manifest, history, settings FROM models ORDER BY created DESC`),
    );
    for (const r of rows) {
      out.push(summaryOf(r.id, JSON.parse(r.manifest) as ModelManifest, false, JSON.parse(r.history) as EpochPoint[], JSON.parse(r.settings) as Partial<TrainSettings>));
    }
    return out;
  }

  /** Built-in models, the default first; a package that does not validate is left out. */
  async builtins(): Promise<StoredModel[]> {
    const root = builtinModelsDir();
    const names = existsSync(root) ? (await readdir(root)).filter((n) => /^[A-Za-z0-9_-]{1,64}$/.test(n)).sort((a, b) => (a === DEFAULT_MODEL_ID ? -1 : b === DEFAULT_MODEL_ID ? 1 : a.localeCompare(b))) : [];
    const out: StoredModel[] = [];
    for (const name of names) {
      const dir = join(root, name);
      if (!existsSync(join(dir, MANIFEST_FILE))) continue;
      const manifest = await readManifest(dir).catch(() => null);
      if (manifest) out.push({ summary: summaryOf(name, manifest, true, [], {}), dir });
    }
    return out;
  }

  /** The built-in model for a capture: the default when the capture has its features, else the first that fits. */
  async builtinFor(columns: readonly string[]): Promise<StoredModel> {
    const all = await this.builtins();
    if (all.length === 0) throw new MindflowError('not-found', `no built-in model in ${builtinModelsDir()}: run "npm run train:default"`);
    const fits = all.find((b) => missingColumns(featureSetOf(b.summary), columns).length === 0);
    return fits ?? all[0]!;
  }

  /** The model and a package directory the worker can load. */
  async get(id: string = DEFAULT_MODEL_ID): Promise<StoredModel> {
    const builtin = (await this.builtins()).find((b) => b.summary.id === id);
    if (builtin) return builtin;
    if (id === DEFAULT_MODEL_ID) throw new MindflowError('not-found', `the default model is missing from ${builtinModelsDir()}: run "npm run train:default"`);
    const raw = await this.project.withConnection(async (c) =>
      (await c.runAndReadAll(`SELECT id, manifest, model_json, weights, history, settings FROM models WHERE id = ?`, [id])).getRows(),
    );
    const r = raw[0];
    if (!r) throw new MindflowError('bad-args', `no model "${id}" in this project`);
    const row = { id: String(r[0]), manifest: String(r[1]), model_json: String(r[2]), history: String(r[4]), settings: String(r[5]) };
    const manifest = JSON.parse(row.manifest) as ModelManifest;
    const weights = (r[3] as DuckDBBlobValue).bytes;
    // The package directory is named by everything it holds: two models with the same weights
    // (a seeded run repeated, the same package imported into two projects) can differ in name,
    // date and metrics, and each must export and load with its own manifest.
    const digest = createHash('sha256').update(row.manifest).update(row.model_json).update(weights).digest('hex').slice(0, 16);
    const dir = join(modelCacheDir(), `${id}-${digest}`);
    if (existsSync(join(dir, MANIFEST_FILE))) {
      // in use: keep it out of the next prune
      const now = new Date();
      await utimes(dir, now, now).catch(() => undefined);
    } else {
      await writePackage(dir, manifest, row.model_json, weights);
      await pruneModelCache();
    }
    return { summary: summaryOf(row.id, manifest, false, JSON.parse(row.history) as EpochPoint[], JSON.parse(row.settings) as Partial<TrainSettings>), dir };
  }

  /** Stores a package directory's model in the project under a new id. */
  async add(dir: string, extra: { history?: EpochPoint[]; settings?: Partial<TrainSettings> } = {}): Promise<ModelSummary> {
    const { manifest, modelJson, weights } = await readPackage(dir);
    // The id is the content hash: adding the same package twice reuses it.
    const id = `m${createHash('sha256').update(modelJson).update(weights).digest('hex').slice(0, 16)}`;
    const existing = await this.project.withConnection((c) =>
      queryObjects<{ manifest: string; history: string; settings: string }>(c, `SELECT manifest, history, settings FROM models WHERE id = ?`, [id]),
    );
    if (existing[0]) {
      // the model the project already has, as it has it (its name, not the new package's)
      const kept = JSON.parse(existing[0].manifest) as ModelManifest;
      return summaryOf(id, kept, false, JSON.parse(existing[0].history) as EpochPoint[], JSON.parse(existing[0].settings) as Partial<TrainSettings>);
    }
    await this.project.withConnection((c) =>
      c.run(`INSERT INTO models VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?)`, [
        id,
        manifest.name,
        JSON.stringify(manifest),
        modelJson,
        blobValue(weights),
        JSON.stringify(extra.history ?? []),
        JSON.stringify(extra.settings ?? {}),
      ]),
    );
    return summaryOf(id, manifest, false, extra.history ?? [], extra.settings ?? {});
  }

  async export(id: string, dir: string): Promise<string> {
    const target = resolve(dir);
    await checkPackageTarget(target);
    const model = await this.get(id);
    const { manifest, modelJson, weights } = await readPackage(model.dir);
    await writePackage(target, manifest, modelJson, weights);
    return target;
  }

  async remove(id: string): Promise<void> {
    if ((await this.builtins()).some((b) => b.summary.id === id)) throw new MindflowError('bad-args', `the built-in model "${id}" cannot be deleted`);
    await this.get(id);
    await this.project.withConnection((c) => c.run(`DELETE FROM models WHERE id = ?`, [id]));
  }
}
