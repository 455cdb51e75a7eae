/**
 * A model package's model: built from its checked files, or saved with its manifest. The part of
 * packages that needs TensorFlow.js, used by the model worker (and scripts and tests that train);
 * package.ts reads and checks the files without it.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MindflowError } from '../errors.ts';
import './model.ts'; // registers the custom layer class before any model is deserialised
import { assertCompatible, manifestJson, manifestProblem, MANIFEST_FILE, MODEL_FILE, readPackageFiles, refusePackage, WEIGHTS_FILE, type ModelManifest } from './package.ts';

export interface ModelPackage {
  model: tf.LayersModel;
  manifest: ModelManifest;
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

/**
 * Loads and validates a package (`readPackageFiles`). With `captureColumns`, also refuses a
 * capture that lacks the model's feature columns.
 */
export async function loadModelPackage(dir: string, opts: { captureColumns?: readonly string[] } = {}): Promise<ModelPackage> {
  const { manifest, modelJson, weights } = await readPackageFiles(dir);
  if (opts.captureColumns) assertCompatible(manifest, opts.captureColumns);
  try {
    const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData: weights.buffer }));
    return { model, manifest };
  } catch (err) {
    refusePackage(dir, `the model cannot be built (${(err as Error).message.split('\n')[0]})`);
  }
}
