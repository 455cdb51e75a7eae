/**
 * Trains the built-in default detector on the real NF-BoT-IoT-v2 sample A and writes the model
 * package to resources/models/default/ (weights + manifest only, no data).
 *
 *   node --import tsx scripts/train-default.ts [--data PATH] [--out DIR] [--seed N] [--epochs N]
 *                                              [--features auto|v1|v2] [--test F] [--validation F] [--no-refit]
 *
 * Reproducible: seeded split, initialisation, dropout and sampling; the wasm backend by default
 * (MINDFLOW_BACKEND overrides). Two runs of the same recipe and seed: the first holds out
 * 10 % of the distinct feature rows (--test) and measures the model on them; the second trains
 * the shipped model on every flow (a row held out of it is a row it has to guess wherever
 * another sample repeats it, and the group hold-out takes about 10 % of the flows). The
 * package carries the first run's metrics and says where they come from (training.metricsFrom).
 * --no-refit ships the first run's model instead.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '../main/core/model/backend.ts';
import { chooseFeatureSet } from '../main/core/model/features.ts';
import { manifestFor } from '../main/core/model/manifest.ts';
import { saveModelPackage } from '../main/core/model/packageModel.ts';
import { trainingWorkers } from '../main/core/model/parallel.ts';
import { DEFAULT_TRAINING, labelledRows, trainOnThreads, type TrainOptions } from '../main/core/model/train.ts';
import { loadDataset } from '../main/core/model/dataset.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(root, '../shared/data/nf-bot-iot-v2-sample-a.csv.gz') },
    out: { type: 'string', default: resolve(root, 'resources/models/default') },
    seed: { type: 'string', default: '42' },
    epochs: { type: 'string' },
    features: { type: 'string', default: 'auto' },
    keyed: { type: 'boolean', default: false },
    test: { type: 'string', default: '0.1' },
    validation: { type: 'string', default: '0' },
    'no-refit': { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  if (!existsSync(args.data!)) {
    console.error(`sample not found: ${args.data} (pass --data PATH)`);
    process.exit(1);
  }
  const started = performance.now();
  const backend = await initBackend(process.env.MINDFLOW_BACKEND ? null : 'wasm');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`CREATE TABLE flows_1 AS SELECT * FROM read_csv('${args.data!.replace(/'/g, "''")}')`);
  const columns = (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE flows_1)`)).getColumns()[0] as string[];
  const set = chooseFeatureSet(columns, args.features as 'auto' | 'v1' | 'v2');
  const ds = await loadDataset(conn, 'flows_1', { set, window: 10, keyed: args.keyed! });
  console.log(`backend ${backend.label}; ${ds.n} flows, feature set ${set.name} (${ds.features} features), ${ds.classes.join('/')}`);
  const options: TrainOptions = {
    ...DEFAULT_TRAINING,
    seed: Number(args.seed),
    testFraction: Number(args.test),
    validationFraction: Number(args.validation),
    ...(args.epochs ? { epochs: Number(args.epochs) } : {}),
    onEpoch: (p) =>
      console.log(
        `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(4)}${p.validation ? ` | validation macro F1 ${p.validation.macroF1.toFixed(4)} weighted F1 ${p.validation.weightedF1.toFixed(4)}` : ''} | ${Math.round(p.windowsPerSecond)} windows/s`,
      ),
  };
  // wasm and plain JS train data-parallel, one thread per core (this one is rank 0)
  const workers = backend.kind === 'wasm' || backend.kind === 'cpu' ? trainingWorkers(options.batchSize ?? 256, availableParallelism()) : 1;
  const run = { workers, backend: backend.kind };
  const loaded = (performance.now() - started) / 1000;

  // 1. the honest figure: the recipe on all but a hold-out of distinct feature rows
  const t1 = performance.now();
  const estimate = await trainOnThreads(ds, options, run);
  estimate.model.dispose();
  const t = estimate.test!;
  console.log(`hold-out run: ${((performance.now() - t1) / 1000).toFixed(1)} s; ${t.total} flows of ${estimate.split.test + estimate.split.validation + estimate.split.train} held out (unique feature rows never seen in training):`);
  console.log(`  accuracy ${t.accuracy.toFixed(5)}  weighted F1 ${t.weightedF1.toFixed(5)}  macro F1 ${t.macroF1.toFixed(4)}  binary F1 ${t.binary?.f1.toFixed(5)}`);
  for (const c of t.perClass) console.log(`  ${c.name.padEnd(16)} P ${c.precision.toFixed(4)} R ${c.recall.toFixed(4)} F1 ${c.f1.toFixed(4)} n ${c.support}`);
  console.log(`  confusion (rows = truth ${t.classes.join(', ')}): ${JSON.stringify(t.confusion)}`);

  // 2. the shipped model: the same recipe and seed on every labelled flow. A row held out of
  // a shipped model is a row it has to guess wherever another sample repeats it; the metrics
  // it carries are those of run 1, and its manifest says so.
  let result = estimate;
  const refit = !args['no-refit'];
  if (refit) {
    const every = labelledRows(ds);
    const t2 = performance.now();
    result = await trainOnThreads(ds, { ...options, split: { train: every, validation: new Int32Array(0), test: new Int32Array(0) } }, run);
    console.log(`final model on all ${every.length} labelled flows: ${((performance.now() - t2 + loaded * 1000) / 1000).toFixed(1)} s with the data load (training ${Math.round(result.trainWindowsPerSecond)} windows/s)`);
  }
  const version = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }).version;
  const manifest = manifestFor(ds, result, {
    name: basename(args.out!),
    backend: backend.label,
    appVersion: version,
    settings: {
      source: 'NF-BoT-IoT-v2 sample A (278,781 flows)',
      epochs: options.epochs,
      batchSize: options.batchSize,
      groupSampling: options.groupSampling,
      learningRate: options.learningRate,
      learningRateSchedule: options.learningRateSchedule,
      classWeighting: options.classWeighting,
      seed: options.seed,
      workers,
      command: 'node --import tsx scripts/train-default.ts',
      ...(refit
        ? {
            metricsFrom: `a run of this recipe and seed that held out ${Math.round(options.testFraction! * 100)}% of the distinct feature rows (${t.total.toLocaleString('en-US')} flows it never saw); this model was then trained on every flow`,
            holdOutSplit: estimate.split,
          }
        : { testFraction: options.testFraction, validationFraction: options.validationFraction }),
    },
  });
  manifest.metrics = t;
  await saveModelPackage(args.out!, result.model, manifest);
  console.log(`wrote ${args.out} in ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  conn.closeSync();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
