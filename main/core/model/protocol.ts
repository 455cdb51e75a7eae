/** Messages between the main process and a model worker (structured-clone safe). */
import type { BackendInfo, BackendKind } from './backend.ts';
import type { Metrics } from './metrics.ts';
import type { ModelManifest } from './package.ts';
import type { BatchProgress, EpochProgress, PreparedTraining, TrainOptions } from './train.ts';
import type { Dataset } from './dataset.ts';

/** Training settings that can cross a thread boundary (no callbacks, no signal). */
export type TrainSettings = Omit<TrainOptions, 'signal' | 'onBatch' | 'onEpoch' | 'parallel'>;

export interface SaveTarget {
  dir: string;
  name: string;
  appVersion: string;
}

export type WorkerRequest =
  | { type: 'init'; backend: BackendKind | null }
  | { type: 'load'; id: number; dir: string }
  /** `logits`: pre-softmax scores instead of probabilities (see predictLogits) */
  | { type: 'score'; id: number; x: Float32Array; size: number; logits?: boolean }
  /** unkeyed windows in compact form: `rows` [W-1+size, C], window i = rows i..i+W-1 */
  | { type: 'score-rows'; id: number; rows: Float32Array; size: number }
  | { type: 'train'; id: number; dataset: Dataset; settings: TrainSettings; save: SaveTarget | null }
  | { type: 'cancel'; id: number }
  /** a helper rank of a data-parallel training run (see parallel.ts) */
  | { type: 'train-peer'; id: number; dataset: Dataset; settings: TrainSettings; buffer: SharedArrayBuffer; prepared: PreparedTraining; rank: number; size: number };

export interface TrainSummary {
  manifest: ModelManifest;
  history: EpochProgress[];
  test: Metrics | null;
  seconds: number;
  trainWindowsPerSecond: number;
}

export type WorkerResponse =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'loaded'; id: number; manifest: ModelManifest }
  | { type: 'scored'; id: number; probs: Float32Array }
  | { type: 'batch'; id: number; progress: BatchProgress }
  | { type: 'epoch'; id: number; progress: EpochProgress }
  | { type: 'trained'; id: number; summary: TrainSummary }
  | { type: 'peer-done'; id: number }
  | { type: 'error'; id: number | null; code: string; message: string };
