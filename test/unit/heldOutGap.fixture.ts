/**
 * A real case for the held-out note: a 3-epoch model (Conv1D 8,16, BiLSTM 8, batches of 512)
 * trained on sample A from the Train form, its held-out test split, then evaluated on sample A
 * itself. Shared by the rule's tests and the Model view's.
 */
import type { ModelMetrics } from '../../preload/contract.ts';
import { metricsFromConfusion } from '../../main/core/model/metrics.ts';

export const classes = ['Benign', 'DDoS', 'DoS', 'Reconnaissance', 'Theft'];
export const metrics = (confusion: number[][]): ModelMetrics => metricsFromConfusion(confusion, classes) as ModelMetrics;

export const heldOut = metrics([
  [337, 6, 2, 6, 0],
  [50, 16306, 70, 1, 0],
  [33, 236, 31614, 472, 0],
  [178, 0, 265, 2224, 2],
  [1, 0, 0, 1, 3],
]);
export const onSampleA = metrics([
  [1173, 66, 3, 43, 0],
  [112, 84078, 354, 8, 0],
  [5818, 1008, 157697, 2481, 0],
  [14517, 24, 1249, 10095, 22],
  [13, 0, 0, 7, 13],
]);
