/**
 * worker_threads entry of the model worker: the only place (with scripts) that chooses a
 * TensorFlow.js backend. Training and scoring run here, never on the main thread.
 * Protocol: see protocol.ts. One model per worker; jobs are cancelled by id.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { errorCode, isCancelled, oneLine } from '../errors.ts';
import { initBackend, type BackendInfo } from './backend.ts';
import { manifestFor } from './manifest.ts';
import { type ModelManifest } from './package.ts';
import { loadModelPackage, saveModelPackage } from './packageModel.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';
import { GradientExchange, isPeerFailure, spawnTrainingPeers, STOP_CANCELLED, STOP_FAILED } from './parallel.ts';
import { trainDetector, type PreparedTraining } from './train.ts';
import { expandWindows } from './windows.ts';
import { FlowPathCache, predictLogits, predictRows } from './model.ts';

if (!isMainThread && parentPort) {
  const port = parentPort;
  let backend: BackendInfo | null = null;
  let backendReady: Promise<BackendInfo> | null = null;
  let model: tf.LayersModel | null = null;
  let manifest: ModelManifest | null = null;
  // flow-path outputs of the loaded model (its weights never change here); a new model, a new cache
  let flowCache: FlowPathCache | null = null;
  const jobs = new Map<number, AbortController>();
  const send = (msg: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

  const handle = async (msg: WorkerRequest): Promise<void> => {
    switch (msg.type) {
      case 'init':
        backendReady = initBackend(msg.backend);
        backend = await backendReady;
        send({ type: 'ready', backend });
        return;
      case 'cancel':
        jobs.get(msg.id)?.abort();
        return;
      case 'load': {
        const pkg = await loadModelPackage(msg.dir);
        model?.dispose();
        model = pkg.model;
        manifest = pkg.manifest;
        flowCache = new FlowPathCache();
        send({ type: 'loaded', id: msg.id, manifest });
        return;
      }
      case 'score':
      case 'score-rows': {
        if (!model || !manifest) throw new Error('no model loaded in this worker');
        const channels = manifest.features.length + 1;
        const W = manifest.window;
        const probs = tf.tidy(() => {
          // compact rows go through the shared-computation path when the model allows it
          const fast = msg.type === 'score-rows' ? predictRows(model!, tf.tensor2d(msg.rows, [W - 1 + msg.size, channels]), msg.size, flowCache ?? undefined, msg.rows) : null;
          if (fast) return fast;
          const x = msg.type === 'score' ? msg.x : expandWindows(msg.rows, msg.size, W, channels);
          const input = tf.tensor3d(x, [msg.size, W, channels]);
          if (msg.type === 'score' && msg.logits) return predictLogits(model!, input);
          return model!.predict(input, { batchSize: msg.size }) as tf.Tensor;
        });
        const out = (await probs.data()) as Float32Array;
        probs.dispose();
        send({ type: 'scored', id: msg.id, probs: out }, [out.buffer as ArrayBuffer]);
        return;
      }
      case 'train': {
        const controller = new AbortController();
        jobs.set(msg.id, controller);
        const workers = msg.settings.workers ?? 1;
        const peers = workers > 1 ? spawnTrainingPeers(workers, backend?.kind ?? null) : null;
        try {
          const result = await trainDetector(msg.dataset, {
            ...msg.settings,
            ...(peers
              ? {
                  parallel: {
                    size: workers,
                    startPeers: (buffer: SharedArrayBuffer, prepared: PreparedTraining) => peers.start(buffer, msg.dataset, msg.settings, prepared),
                  },
                }
              : {}),
            signal: controller.signal,
            onBatch: (progress) => send({ type: 'batch', id: msg.id, progress }),
            onEpoch: (progress) => send({ type: 'epoch', id: msg.id, progress }),
          }).catch(async (err: unknown) => {
            // a failed peer stops rank 0 with a generic error: report the peer's own
            // (only a started peer can fail a run: the exchange that reports it exists from then on)
            const peerError = peers && isPeerFailure(err) ? await peers.done.then(() => null, (e: unknown) => e) : null;
            throw peerError ?? err;
          });
          await peers?.done;
          const m = manifestFor(msg.dataset, result, {
            name: msg.save?.name ?? 'model',
            backend: backend?.label ?? tf.getBackend(),
            appVersion: msg.save?.appVersion ?? '0.0.0',
            settings: {
              epochs: msg.settings.epochs,
              batchSize: msg.settings.batchSize,
              groupSampling: msg.settings.groupSampling,
              learningRateSchedule: msg.settings.learningRateSchedule,
              maxPerGroup: msg.settings.maxPerGroup,
              classWeighting: msg.settings.classWeighting,
              workers,
            },
          });
          if (msg.save) await saveModelPackage(msg.save.dir, result.model, m);
          model?.dispose();
          model = result.model;
          manifest = m;
          flowCache = new FlowPathCache();
          send({
            type: 'trained',
            id: msg.id,
            summary: { manifest: m, history: result.history, test: result.test, seconds: result.seconds, trainWindowsPerSecond: result.trainWindowsPerSecond },
          });
        } finally {
          jobs.delete(msg.id);
          await peers?.close();
        }
        return;
      }
      case 'train-peer': {
        try {
          await backendReady;
          await trainDetector(msg.dataset, { ...msg.settings, parallel: { size: msg.size, rank: msg.rank, buffer: msg.buffer, prepared: msg.prepared } });
        } catch (err) {
          GradientExchange.stopAll(msg.buffer, isCancelled(err) ? STOP_CANCELLED : STOP_FAILED);
          throw err;
        }
        send({ type: 'peer-done', id: msg.id });
        return;
      }
    }
  };

  port.on('message', (msg: WorkerRequest) => {
    handle(msg).catch((err: unknown) => {
      send({ type: 'error', id: 'id' in msg ? msg.id : null, code: errorCode(err), message: oneLine(err) });
    });
  });
}
