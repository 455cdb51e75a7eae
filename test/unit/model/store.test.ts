import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModelsDir, ModelStore } from '../../../main/core/detector/store.ts';
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
