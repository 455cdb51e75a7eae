/**
 * Command-line flag helpers shared by `mindflow` and the benches: number checks, and the
 * detector's recipe flags (`mindflow train --filters 64,128 --embedding 32 …`), so a bench
 * tries another recipe with the same flags and the same limits as the CLI.
 */
import type { TrainSettings } from '../../preload/contract.ts';

/** A mistake in the command line: printed with the usage, exit status 2. */
export class UsageError extends Error {}

export function num(name: string, value: string | undefined, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new UsageError(`--${name} must be ${opts.integer ? 'a whole number' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.max !== undefined ? ` <= ${opts.max}` : ''}`);
  }
  return n;
}

export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function choice<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value !== undefined && !(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`);
  return value as T | undefined;
}

/** parseArgs options of the training recipe and the architecture */
export const RECIPE_FLAGS = {
  epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
  filters: { type: 'string' }, kernel: { type: 'string' }, pool: { type: 'string' }, dropout: { type: 'string' }, units: { type: 'string' },
  weighting: { type: 'string' }, schedule: { type: 'string' }, sampling: { type: 'string' },
  'skip-units': { type: 'string' }, 'skip-layers': { type: 'string' }, embedding: { type: 'string' }, 'code-dropout': { type: 'string' },
} as const;

export type RecipeFlagValues = { [K in keyof typeof RECIPE_FLAGS]?: string | undefined };

/** The settings the recipe flags give (only those given), checked; throws UsageError. */
export function recipeSettings(values: RecipeFlagValues): Partial<TrainSettings> {
  return definedOnly({
    epochs: num('epochs', values.epochs, { integer: true, min: 1 }),
    batchSize: num('batch', values.batch, { integer: true, min: 1 }),
    learningRate: num('lr', values.lr, { min: 0 }),
    convFilters: values.filters?.split(',').map((f) => num('filters', f.trim(), { integer: true, min: 1 })!),
    kernelSize: num('kernel', values.kernel, { integer: true, min: 1 }),
    poolSize: num('pool', values.pool, { integer: true, min: 1 }),
    dropout: num('dropout', values.dropout, { min: 0, max: 0.9 }),
    lstmUnits: num('units', values.units, { integer: true, min: 1 }),
    classWeighting: choice('weighting', values.weighting, ['balanced', 'sqrt', 'none'] as const),
    learningRateSchedule: choice('schedule', values.schedule, ['constant', 'cosine'] as const),
    sampling: choice('sampling', values.sampling, ['all', 'sqrt', 'unique'] as const),
    flowSkipUnits: num('skip-units', values['skip-units'], { integer: true, min: 0, max: 1024 }),
    flowSkipLayers: num('skip-layers', values['skip-layers'], { integer: true, min: 1, max: 4 }),
    embeddingDim: num('embedding', values.embedding, { integer: true, min: 1, max: 64 }),
    codeDropout: num('code-dropout', values['code-dropout'], { min: 0, max: 0.9 }),
  });
}

/**
 * `word` as a POSIX shell reads it back as one word: as it is when it holds only characters no
 * shell treats specially, else in single quotes (a quote inside as '\''). For the commands the
 * CLI suggests, so that a path with spaces, quotes or non-ASCII letters pastes as it was.
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
