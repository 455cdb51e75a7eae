import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModelsDir, MODEL_CACHE_MAX_AGE_MS, ModelStore, packageFolderName, pruneModelCache } from '../../../main/core/detector/store.ts';
import { Workbench } from '../../../main/core/workbench.ts';
import { MANIFEST_FILE, type ModelManifest } from '../../../main/core/model/package.ts';
import { Project } from '../../../main/core/project.ts';
import { tempDir } from '../helpers.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A copy of the built-in v1 package under another name: the same weights, its own manifest. */
function packageNamed(root: string, name: string): string {
  const dir = join(root, name.replace(/\W+/g, '-'));
  cpSync(join(builtinModelsDir(), 'default-v1'), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as ModelManifest;
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, name, created: new Date().toISOString() }));
  return dir;
}

async function openProject(root: string, file: string): Promise<ModelStore> {
  const project = await Project.open(join(root, file));
  cleanups.push(() => project.close());
  return new ModelStore(project);
}

function exportedName(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as ModelManifest).name;
}

describe('model packages in a project', () => {
  it('exports each model with its own manifest when two projects hold the same weights', async () => {
    const { dir: root, cleanup } = tempDir('mindflow-store-');
    cleanups.push(cleanup);
    const first = await openProject(root, 'first.duckdb');
    const second = await openProject(root, 'second.duckdb');
    const a = await first.add(packageNamed(root, 'analyst A model'));
    const b = await second.add(packageNamed(root, 'analyst B model'));
    expect(b.id).toBe(a.id); // the id is the weights' hash

    expect(exportedName(await first.export(a.id, join(root, 'out-a')))).toBe('analyst A model');
    expect(exportedName(await second.export(b.id, join(root, 'out-b')))).toBe('analyst B model');
    expect((await second.get(b.id)).summary.name).toBe('analyst B model');
  });

  it('exports into a new, empty or package folder only: a folder with other files is refused, not emptied', async () => {
    const { dir: root, cleanup } = tempDir('mindflow-store-');
    cleanups.push(cleanup);
    const store = await openProject(root, 'p.duckdb');
    const precious = join(root, 'documents');
    mkdirSync(precious);
    writeFileSync(join(precious, 'notes.txt'), 'keep me');
    await expect(store.export('default-v1', precious)).rejects.toThrow(`${precious} already holds other files (notes.txt): export the model to a new or empty folder`);
    expect(readFileSync(join(precious, 'notes.txt'), 'utf8')).toBe('keep me');
    await expect(store.export('default-v1', root)).rejects.toThrow('already holds other files'); // the project's own folder
    await expect(store.export('default-v1', join(precious, 'notes.txt'))).rejects.toThrow('is a file');
    // a new folder, an empty one, and a package already there (replaced) are fine
    const out = join(root, 'pkg');
    expect(exportedName(await store.export('default-v1', out))).toBe(exportedName(join(builtinModelsDir(), 'default-v1')));
    expect(exportedName(await store.export('default-v1', out))).toBe(exportedName(join(builtinModelsDir(), 'default-v1')));
    mkdirSync(join(root, 'empty'));
    await store.export('default-v1', join(root, 'empty'));
  });

  it('keeps the model a project has when the same weights come again under another name', async () => {
    const { dir: root, cleanup } = tempDir('mindflow-store-');
    cleanups.push(cleanup);
    const store = await openProject(root, 'p.duckdb');
    const kept = await store.add(packageNamed(root, 'first import'));
    const again = await store.add(packageNamed(root, 'second import'));
    expect(again.id).toBe(kept.id);
    expect(again.name).toBe('first import');
    expect((await store.list()).filter((m) => m.id === kept.id).map((m) => m.name)).toEqual(['first import']);
  });
});

describe('adding a package checks its files against each other before the project takes it', () => {
  it.each<[string, (dir: string) => void, string]>([
    ['weights cut short', (d) => writeFileSync(join(d, 'weights.bin'), readFileSync(join(d, 'weights.bin')).subarray(100)), 'weights hold'],
    [
      'a manifest with a class the softmax does not have',
      (d) => {
        const m = JSON.parse(readFileSync(join(d, MANIFEST_FILE), 'utf8')) as ModelManifest;
        writeFileSync(join(d, MANIFEST_FILE), JSON.stringify({ ...m, classes: [...m.classes, 'Worm'] }));
      },
      'model has 5 outputs but the manifest lists 6 classes',
    ],
  ])('%s: refused with the folder the analyst named, even when the project holds those weights already', async (_, edit, message) => {
    const { dir: root, cleanup } = tempDir('mindflow-store-');
    cleanups.push(cleanup);
    const store = await openProject(root, 'p.duckdb');
    const good = await store.add(packageNamed(root, 'good'));
    const bad = packageNamed(root, 'broken');
    edit(bad);
    await expect(store.add(bad)).rejects.toThrow(`model package ${bad}: ${message}`);
    expect((await store.list()).filter((m) => !m.builtin).map((m) => m.id)).toEqual([good.id]);
  });
});

describe('the folder a desktop export suggests', () => {
  it('is the model name, with what file systems refuse turned into dashes', () => {
    expect(packageFolderName('e2e small detector')).toBe('e2e small detector');
    expect(packageFolderName('DoS vs DDoS: v2/keyed?')).toBe('DoS vs DDoS- v2-keyed-');
    expect(packageFolderName('..\\..\\secret')).toBe('secret');
    expect(packageFolderName('tabs\tand\nlines  ')).toBe('tabs-and-lines');
    expect(packageFolderName('...')).toBe('model');
    expect(packageFolderName('x'.repeat(200))).toHaveLength(80);
  });

  it('sits beside the project; the native dialog decides, and without one (the web host) the answer is null', async () => {
    const { dir: root, cleanup } = tempDir('mindflow-store-');
    cleanups.push(cleanup);
    const asked: [boolean, string][] = [];
    const desktop = await Workbench.open(join(root, 'cases', 'p.duckdb'), {
      host: 'electron',
      pickPackage: async (exporting, suggested) => (asked.push([exporting, suggested]), exporting ? join(root, 'chosen') : null),
    });
    cleanups.push(() => desktop.close());
    expect(await desktop.handlers.pickModelPackage({ export: true, suggestedName: 'night shift: v2' })).toBe(join(root, 'chosen'));
    expect(await desktop.handlers.pickModelPackage({ export: false })).toBeNull();
    expect(asked).toEqual([
      [true, join(root, 'cases', 'night shift- v2')],
      [false, join(root, 'cases', 'model')],
    ]);
    const web = await Workbench.open(join(root, 'web.duckdb'), { host: 'web' });
    cleanups.push(() => web.close());
    expect(await web.handlers.pickModelPackage({ export: true, suggestedName: 'm' })).toBeNull();
  });
});

describe('the package cache', () => {
  const day = 24 * 3600 * 1000;
  function entry(root: string, name: string, ageMs: number, now: number): void {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MANIFEST_FILE), '{}');
    const t = new Date(now - ageMs);
    utimesSync(dir, t, t);
  }

  it('removes packages unused for a week and half-written ones older than an hour, and keeps the rest', async () => {
    const { dir: root, cleanup } = tempDir('mindflow-cache-');
    cleanups.push(cleanup);
    const now = Date.now();
    entry(root, 'mold-0001', MODEL_CACHE_MAX_AGE_MS + day, now);
    entry(root, 'mrecent-0002', MODEL_CACHE_MAX_AGE_MS - day, now);
    entry(root, 'mnew-0003.tmp-123-456', 2 * 3600 * 1000, now);
    entry(root, 'mnew-0004.tmp-789-012', 60 * 1000, now);
    const removed = await pruneModelCache(root, now);
    expect(removed.sort()).toEqual(['mnew-0003.tmp-123-456', 'mold-0001']);
    expect(readdirSync(root).sort()).toEqual(['mnew-0004.tmp-789-012', 'mrecent-0002']);
  });

  it('does nothing when the cache folder does not exist', async () => {
    const { dir: root, cleanup } = tempDir('mindflow-cache-');
    cleanups.push(cleanup);
    expect(await pruneModelCache(join(root, 'missing'))).toEqual([]);
  });

  it('touches a cached package each time a project loads it, so a model in use is never pruned', async () => {
    const { dir: root, cleanup } = tempDir('mindflow-store-');
    cleanups.push(cleanup);
    const store = await openProject(root, 'p.duckdb');
    const model = await store.add(packageNamed(root, 'in use'));
    const { dir } = await store.get(model.id);
    const old = new Date(Date.now() - MODEL_CACHE_MAX_AGE_MS - day);
    utimesSync(dir, old, old);
    expect((await store.get(model.id)).dir).toBe(dir);
    expect(await pruneModelCache(join(dir, '..'))).not.toContain(dir.split('/').pop());
    expect(existsSync(join(dir, MANIFEST_FILE))).toBe(true);
  });
});
