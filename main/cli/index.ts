/**
 * mindflow: the command-line host of the core. Errors print one line on stderr and exit 1;
 * usage mistakes exit 2. JSON output (--json) is a public interface: keep its shape.
 */
import { parseArgs } from 'node:util';
import { basename, dirname, join, resolve } from 'node:path';
import { importCapture, type JobContext } from '../core/capture/import.ts';
import { oneLine } from '../core/errors.ts';
import { recentProjectsFile, rendererDir, sampleProjectPath } from '../core/paths.ts';
import { Session } from '../core/session.ts';
import { compactProject } from '../core/compact.ts';
import { Project } from '../core/project.ts';
import { generateSample } from '../core/sample/generator.ts';
import { ensureSampleCapture } from '../core/starter.ts';
import { APP_VERSION, Workbench } from '../core/workbench.ts';
import { startWebHost } from '../web/server.ts';
import { DEFAULT_THRESHOLD, evaluateModel, listScans, probeBackend, scanCapture, trainModel } from '../core/detector/service.ts';
import { carrySources, carryVerdicts } from '../core/triage/carry.ts';
import { auditLog, listWindows, setVerdict, setVerdictMatching } from '../core/triage/triage.ts';
import { checkPackageTarget, ModelStore } from '../core/detector/store.ts';
import { readManifest } from '../core/model/package.ts';
import { formatWindowSpan, incidentSeverities, reasonOnlyChange, hostRoleNames, leftOutFlows, otherAttacksText, reportFormats, sharedHostsText, tlpLevels } from '../../preload/contract.ts';
import type { AuditEntry, CaptureInfo, FlaggedWindow, Incident, ModelMetrics, ReportFormat, TrainSettings, TriageStatus, Verdict } from '../../preload/contract.ts';
import { createIncident, listIncidents } from '../core/incidents/incidents.ts';
import { moveIncident } from '../core/incidents/move.ts';
import { relatedIncidents } from '../core/incidents/related.ts';
import { deleteScan } from '../core/detector/scans.ts';
import { exportReport } from '../core/incidents/export.ts';
import { exportFlows } from '../core/query/exportFlows.ts';
import { exportWindows } from '../core/triage/exportWindows.ts';
import { exportAudit } from '../core/triage/exportAudit.ts';
import { findHost } from '../core/query/hosts.ts';
import { parseClause } from '../../preload/clauses.ts';
import { heldOutGapNote, heldOutGapText } from '../../preload/heldOutGap.ts';
import { rowExportFormats, type RowExportFormat, type FilterClause } from '../../preload/contract.ts';
import { SCAN_COLUMNS } from '../core/query/filters.ts';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { checkNotDatabase } from '../core/query/copy.ts';
import { choice, definedOnly, num, RECIPE_FLAGS, recipeSettings, shellQuote, UsageError } from './flags.ts';

const USAGE = `mindflow: NetFlow captures, the MindFlow detector and triage, from the command line

usage:
  mindflow import FILE --project P.duckdb [--json]     import a CSV, CSV.gz or Parquet capture
  mindflow captures --project P.duckdb [--json]        list the captures in a project
  mindflow sample --rows N --out FILE.csv [--seed S]   write the built-in NF-BoT-IoT v1 sample
  mindflow serve [--project P.duckdb] [--port N]       start the web host on 127.0.0.1
  mindflow train --project P --capture ID --out DIR    train the CNN-BiLSTM on a labelled capture
        [--epochs N --window W --batch N --lr X --filters 64,128 --kernel K --pool P
         --dropout D --units U --features auto|v1|v2 --keyed --binary --seed S
         --patience N --weighting balanced|sqrt|none --sampling unique|sqrt|all
         --schedule cosine|constant --skip-units N --skip-layers N --embedding N
         --code-dropout P --no-codes --identifiers --name NAME] [--json]
        (--features auto, the default, takes v2 when the capture has its columns, else v1;
         --identifiers adds hosts and ports to the features: they give NF-BoT-IoT's classes away)
  mindflow eval FILE [--model DIR] [--project P] [--json]   metrics of a model on a labelled capture
  mindflow scan FILE [--model DIR] [--project P] [--threshold T] [--json]
                                                       score every flow, list flagged windows
  mindflow scans --project P [--capture ID] [--json]  every scan (newest first): model, threshold, flagged
                                                       windows, metrics against the labels, to compare models
  mindflow scans --project P --delete ID [--json]     delete a scan: its scores, windows, verdicts and notes
                                                       (refused while an incident holds it)
  mindflow windows --project P [--scan ID] [--status untriaged|tp|fp|review] [--class C] [--host IP]
        [--not-in SCAN] [--limit N] [--out FILE [--format csv|parquet]] [--json]
                                                       the flagged windows of a scan (latest by default);
                                                       with --out, every matching one written to FILE
  mindflow verdict --project P --window ID --set tp|fp|review|clear [--scan ID] [--reason R]
                                                       record an analyst verdict (audited)
  mindflow verdict --project P --all [--status S] [--class C] [--host IP] [--not-in SCAN] --set tp|fp|review|clear [--scan ID]
        [--reason R] [--json]                          the same verdict for every window the filters match
  mindflow verdict --project P --carry-from SCAN [--scan ID] [--json]
                                                       give untriaged windows the verdicts another scan of
                                                       the capture gave windows with the same flows and class
  mindflow audit --project P [--scan ID [--window ID]] [--limit N] [--json]
                                                       the audit trail, newest first: verdicts, undos
                                                       and notes, who and when, before and after
  mindflow audit --project P [--scan ID] --out FILE [--format csv|parquet] [--json]
                                                       the whole trail written to FILE, oldest first
  mindflow incident create --project P --windows ID,ID --title T [--scan ID]
        [--severity low|medium|high|critical] [--tlp CLEAR|GREEN|AMBER|AMBER+STRICT|RED] [--summary S] [--json]
  mindflow incident list --project P [--json]
  mindflow incident move --project P --incident ID --to-scan S [--json]
                                                       move an incident to another scan of its capture: each
                                                       window to the one with its flows and class there
  mindflow incident related --project P --incident ID [--json]
                                                       the other incidents (any scan or capture) whose
                                                       windows share a host with this one's
  mindflow report --project P --incident ID --format html|pdf|md|json|iocs|stix|misp --out FILE
  mindflow flows --project P --capture ID --out FILE [--where "FIELD OP VALUE"]... [--scan ID|latest]
        [--sort COLUMN[:desc]] [--columns flow_id,COL,...] [--format csv|parquet] [--json]
                                                       write the matching flows (Explore's filter)
  mindflow host IP --project P [--json]                every capture the address appears in: flows sent
                                                       and received, classes, peers, ports, flagged windows;
                                                       and the incidents whose windows carry it
  mindflow compact --project P [--json]                rewrite the project without the space deleted
                                                       captures and scans left (checked table by table)
  mindflow backend [--json]                            which TensorFlow.js backend runs the model here,
                                                       and why not a faster one (GPU, native)
  (eval and scan use the built-in default model without --model; without --project they work
   in a temporary project; MINDFLOW_BACKEND=gpu|node|wasm|cpu forces a TensorFlow.js backend)
  mindflow help                                        this text
`;

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function progressPrinter(label: string): JobContext['progress'] {
  if (!process.stderr.isTTY) return () => {};
  return (p) => {
    const pct = p.fraction === null ? '' : ` ${(p.fraction * 100).toFixed(0)}%`;
    process.stderr.write(`\r\x1b[K${label}: ${p.phase}${pct}`);
  };
}

function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

/** The signal that asked this run to stop, once one did. */
let stoppedBy: NodeJS.Signals | null = null;
const stopping = new AbortController();

/** The shell's exit status for a run stopped by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
function signalStatus(signal: NodeJS.Signals): number {
  return 128 + (osConstants.signals[signal] ?? 0);
}

/**
 * Ctrl+C (SIGINT) and SIGTERM (kill, a service manager, a CI timeout) cancel the running job
 * cleanly (an import rolls back, a temporary project is removed) instead of killing it; the run
 * then exits with the signal's status. A second signal stops at once (temporary projects are
 * still removed, on exit). Returns the controller whose signal the job polls.
 */
function cancellable(): AbortController {
  if (!process.listeners('SIGINT').includes(onStopSignal)) {
    process.on('SIGINT', onStopSignal);
    process.on('SIGTERM', onStopSignal);
  }
  return stopping;
}

function onStopSignal(signal: NodeJS.Signals): void {
  if (stoppedBy) process.exit(signalStatus(stoppedBy));
  stoppedBy = signal;
  stopping.abort();
}

/** The file format of `--out FILE`: `--format`, else the file's extension (CSV unless .parquet); `--format` alone is refused. */
function outFormat(values: { out?: string | undefined; format?: string | undefined }): RowExportFormat {
  if (values.format && !values.out) throw new UsageError('--format goes with --out FILE');
  return choice('format', values.format, rowExportFormats) ?? (values.out && /\.parquet$/i.test(values.out) ? 'parquet' : 'csv');
}

function requireProject(values: { project?: string | undefined }): string {
  if (!values.project) throw new UsageError('--project P.duckdb is required');
  return resolve(values.project);
}

/**
 * The project of a command that works in one: it must be there. Only the commands that bring
 * data in (import, and eval or scan of a FILE) make a project where none is; a mistyped path
 * is "no project at PATH", and nothing is created (no file, no folder).
 */
function openExisting(values: { project?: string | undefined }): Promise<Project> {
  return Project.open(requireProject(values), 'existing');
}

async function cmdImport(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { project: { type: 'string' }, json: { type: 'boolean' } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('import takes exactly one FILE');
  const project = await Project.open(requireProject(values));
  try {
    const controller = cancellable();
    const { capture, reused, emptyValues = {} } = await importCapture(project, file, { signal: controller.signal, progress: progressPrinter('import') });
    clearProgress();
    const empty = Object.entries(emptyValues);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ reused, capture, emptyValues }, null, 2)}\n`);
      return;
    }
    const classes = Object.entries(capture.classCounts).map(([k, n]) => `${k} ${fmt(n)}`).join(', ');
    const lines = [
      reused
        ? `already imported: ${capture.fileName} is capture #${capture.id} (same SHA-256), reused`
        : `imported ${capture.fileName} as capture #${capture.id} in ${capture.importSeconds.toFixed(2)} s`,
      `schema:  NF-BoT-IoT ${capture.schemaVersion}${capture.ignoredColumns.length ? ` (ignored columns: ${capture.ignoredColumns.join(', ')})` : ''}`,
      `rows:    ${fmt(capture.rows)}`,
      `classes: ${capture.labelled ? classes : 'unlabelled capture'}`,
      `order:   ${capture.order === 'file order' ? 'file order (no timestamps)' : 'FLOW_START_MILLISECONDS'}`,
      `sha256:  ${capture.sha256}`,
      ...(empty.length
        ? [`empty:   ${empty.map(([c, n]) => `${c} in ${fmt(n)} flow${n === 1 ? '' : 's'}`).join(', ')} (stored as missing; the detector reads a missing value as 0)`]
        : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    project.close();
  }
}

async function cmdCaptures(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { project: { type: 'string' }, json: { type: 'boolean' } } });
  const project = await openExisting(values);
  try {
    const captures = await project.listCaptures();
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ captures }, null, 2)}\n`);
      return;
    }
    if (captures.length === 0) {
      process.stdout.write('no captures in this project\n');
      return;
    }
    for (const c of captures) {
      const classes = Object.entries(c.classCounts).map(([k, n]) => `${k}=${fmt(n)}`).join(' ');
      process.stdout.write(`#${c.id}  ${c.fileName}  ${c.schemaVersion}  ${fmt(c.rows)} flows  ${classes || 'unlabelled'}  ${c.importedAt}\n`);
    }
  } finally {
    project.close();
  }
}

/** A class -> {precision, recall, f1, support} map, as `eval --json` prints per-class metrics. */
function perClassMap(m: ModelMetrics): Record<string, { precision: number; recall: number; f1: number; support: number }> {
  return Object.fromEntries(m.perClass.map((c) => [c.name, { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support }]));
}

async function cmdScans(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { project: { type: 'string' }, capture: { type: 'string' }, delete: { type: 'string' }, json: { type: 'boolean' } } });
  const captureId = num('capture', values.capture, { integer: true, min: 1 });
  const doomed = num('delete', values.delete, { integer: true, min: 1 });
  const project = await openExisting(values);
  try {
    if (doomed !== undefined) {
      const r = await deleteScan(project, doomed);
      if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        process.stdout.write(
          `deleted scan #${r.scanId} of capture #${r.captureId}: ${fmt(r.windows)} flagged window${r.windows === 1 ? '' : 's'}, ${fmt(r.verdicts)} verdict${r.verdicts === 1 ? '' : 's'}, ${fmt(r.notes)} note${r.notes === 1 ? '' : 's'} (the audit trail keeps them); "mindflow compact --project ${shellQuote(values.project!)}" gives the space back\n`,
        );
      }
      return;
    }
    const names = new Map((await project.listCaptures()).map((c) => [c.id, c.fileName]));
    if (captureId !== undefined && !names.has(captureId)) throw new Error(`no capture #${captureId} in this project (see "mindflow captures")`);
    const scans = (await listScans(project, captureId)).map((s) => ({
      id: s.id, captureId: s.captureId, captureName: names.get(s.captureId) ?? null, model: s.modelName, modelId: s.modelId, threshold: s.threshold,
      createdAt: s.createdAt, flows: s.flows, seconds: s.seconds, windowsPerSecond: s.windowsPerSecond, backend: s.backend,
      flaggedWindows: s.flaggedWindows, predicted: s.predictedCounts,
      metrics: s.metrics ? { ...scanFigures(s.metrics), perClass: perClassMap(s.metrics) } : null,
    }));
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ scans }, null, 2)}\n`);
      return;
    }
    if (scans.length === 0) {
      process.stdout.write(`no scans${captureId !== undefined ? ` of capture #${captureId}` : ''} in this project\n`);
      return;
    }
    for (const s of scans) {
      const m = s.metrics ? `  accuracy ${s.metrics.accuracy.toFixed(4)}  macro F1 ${s.metrics.macroF1.toFixed(4)}  weighted F1 ${s.metrics.weightedF1.toFixed(4)}` : '  (no labels to measure against)';
      process.stdout.write(`#${s.id}  capture #${s.captureId} ${s.captureName ?? '?'}  "${s.model}"  threshold ${s.threshold}  ${s.createdAt}  ${fmt(s.flaggedWindows)} flagged windows${m}\n`);
    }
  } finally {
    project.close();
  }
}

async function cmdSample(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { rows: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } } });
  if (!values.out) throw new UsageError('--out FILE.csv is required');
  const rows = values.rows === undefined ? 100_000 : Number(values.rows);
  if (!Number.isSafeInteger(rows) || rows < 1) throw new UsageError('--rows must be a positive whole number');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError('--seed must be a whole number');
  const out = resolve(values.out);
  checkNotDatabase(out);
  const controller = cancellable();
  const t0 = performance.now();
  const print = progressPrinter('sample');
  const result = await generateSample({
    rows,
    seed,
    out,
    signal: controller.signal,
    onProgress: (done, total) => print({ phase: 'writing', fraction: done / total, message: '' }),
  });
  clearProgress();
  const s = (performance.now() - t0) / 1000;
  const classes = Object.entries(result.classCounts).map(([k, n]) => `${k} ${fmt(n)}`).join(', ');
  process.stdout.write(`wrote ${fmt(result.rows)} flows to ${out} in ${s.toFixed(2)} s\nclasses: ${classes}\n`);
}

async function cmdServe(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { project: { type: 'string' }, port: { type: 'string' } } });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
  const projectPath = values.project ? resolve(values.project) : sampleProjectPath();
  // the sample project is made on first start; --project opens a project or starts a new one
  // there, as the desktop app's --project= does (an existing file that is not one is refused)
  const session = await Session.open(projectPath, { host: 'web', recentFile: recentProjectsFile() }, 'any');
  if (!values.project) {
    await ensureSampleCapture(session.workbench.project, (msg) => process.stderr.write(`${msg}\n`));
  }
  const host = await startWebHost({ session, staticDir: rendererDir(), port });
  process.stdout.write(`MindFlow web host on ${host.url}\nproject: ${projectPath}\nopen the URL above in a browser (it carries this run's access token); Ctrl+C stops\n`);
  session.subscribe((event, payload) => {
    if (event === 'project:changed') process.stdout.write(`project: ${(payload as { projectPath: string }).projectPath}\n`);
  });
  const stop = async () => {
    await host.close();
    session.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function printEpoch(json: boolean): (p: { epoch: number; epochs: number; loss: number; accuracy: number | null; valMacroF1: number | null; windowsPerSecond: number }) => void {
  return (p) => {
    clearProgress();
    const line = `epoch ${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(4)}  acc ${p.accuracy === null ? '-' : p.accuracy.toFixed(4)}  val macro-F1 ${p.valMacroF1 === null ? '-' : p.valMacroF1.toFixed(4)}  ${fmt(p.windowsPerSecond)} windows/s`;
    (json ? process.stderr : process.stdout).write(`${line}\n`);
  };
}

function metricsTable(m: ModelMetrics): string {
  const rows = m.perClass.map((c) => `  ${c.name.padEnd(16)} ${c.precision.toFixed(4)}  ${c.recall.toFixed(4)}  ${c.f1.toFixed(4)}  ${String(c.support).padStart(9)}`);
  const left = leftOutFlows(m);
  const other = m.otherAttacks;
  const scope = other ? `, ${fmt(m.total + other.flagged + other.missed)} flows; classes the model lacks count as attacks` : '';
  const binary = m.binary ? `\nbinary (benign vs attack${scope}): precision ${m.binary.precision.toFixed(4)}  recall ${m.binary.recall.toFixed(4)}  F1 ${m.binary.f1.toFixed(4)}` : '';
  // labels of one class only (a capture whose attacks are of classes the model lacks, or labelled
  // by a 0/1 Label alone): per-class figures are that class's alone and say nothing of attacks
  const present = m.perClass.filter((c) => c.support > 0);
  const oneClass = present.length === 1 && m.binary ? `\nonly ${present[0]!.name} among the model's classes has flows here: the per-class figures are that class's alone; benign vs attack is the measure` : '';
  return `  ${'class'.padEnd(16)} precision recall  F1      support\n${rows.join('\n')}\naccuracy ${m.accuracy.toFixed(4)}  macro F1 ${m.macroF1.toFixed(4)}  weighted F1 ${m.weightedF1.toFixed(4)}${left ? `  (on ${fmt(m.total)} of ${fmt(m.total + left)} flows)` : ''}${oneClass}${binary}${other ? `\n${otherAttacksText(other)}` : ''}`;
}

async function cmdTrain(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' }, capture: { type: 'string' }, out: { type: 'string' }, name: { type: 'string' },
      ...RECIPE_FLAGS, window: { type: 'string' },
      features: { type: 'string' }, keyed: { type: 'boolean' }, binary: { type: 'boolean' }, identifiers: { type: 'boolean' },
      seed: { type: 'string' }, patience: { type: 'string' }, json: { type: 'boolean' }, 'no-codes': { type: 'boolean' },
    },
  });
  const captureId = num('capture', values.capture, { integer: true, min: 1 });
  if (captureId === undefined) throw new UsageError('--capture ID is required (see "mindflow captures")');
  if (!values.out) throw new UsageError('--out DIR is required (the model package is written there)');
  // a folder that cannot take the package is said before minutes of training, not after
  await checkPackageTarget(resolve(values.out));
  const settings: Partial<TrainSettings> = definedOnly({
    ...recipeSettings(values),
    window: num('window', values.window, { integer: true, min: 1, max: 256 }),
    featureSet: choice('features', values.features, ['auto', 'v1', 'v2'] as const),
    keyBySource: values.keyed,
    binary: values.binary,
    identifiers: values.identifiers,
    seed: num('seed', values.seed, { integer: true }),
    earlyStoppingPatience: num('patience', values.patience, { integer: true, min: 0 }),
    valueCodes: values['no-codes'] ? false : undefined,
  });
  const project = await openExisting(values);
  try {
    const capture = await project.capture(captureId);
    const controller = cancellable();
    const print = progressPrinter('train');
    const { model } = await trainModel(project, capture, { name: values.name, settings }, {
      signal: controller.signal,
      progress: print,
      onEpoch: printEpoch(Boolean(values.json)),
    });
    clearProgress();
    const dir = await new ModelStore(project).export(model.id, values.out);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ model, dir }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`trained "${model.name}" (model ${model.id}) on ${model.backend}\nwrote the package to ${dir}\n`);
    if (model.metrics) process.stdout.write(`${model.metricsFrom ? `held-out estimate (${model.metricsFrom})` : 'held-out test metrics (flows the model never saw)'}:\n${metricsTable(model.metrics)}\n`);
  } finally {
    project.close();
  }
}

/**
 * The project to work in for eval/scan: the named one (made if none is there: they import a
 * FILE into it), else a temporary one removed afterwards, also when a signal stops the run or
 * it exits on an error.
 */
async function workProject(path: string | undefined): Promise<{ project: Project; done: () => void }> {
  if (path) {
    const project = await Project.open(resolve(path));
    return { project, done: () => project.close() };
  }
  cancellable(); // from here a signal cancels: the folder made next is removed
  const dir = mkdtempSync(join(tmpdir(), 'mindflow-cli-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  let project: Project;
  try {
    project = await Project.open(join(dir, 'work.duckdb'), 'new');
  } catch (err) {
    remove();
    throw err;
  }
  return {
    project,
    done: () => {
      project.close();
      remove();
      process.off('exit', remove);
    },
  };
}

async function captureFor(project: Project, file: string, signal: AbortSignal): Promise<CaptureInfo> {
  const { capture } = await importCapture(project, file, { signal, progress: progressPrinter('import') });
  clearProgress();
  return capture;
}

async function cmdEval(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { model: { type: 'string' }, project: { type: 'string' }, json: { type: 'boolean' } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('eval takes exactly one FILE');
  const { project, done } = await workProject(values.project);
  try {
    const controller = cancellable();
    const capture = await captureFor(project, file, controller.signal);
    const modelId = values.model === undefined ? undefined : (await new ModelStore(project).add(packageDir(values.model))).id;
    const ev = await evaluateModel(project, capture, modelId, { signal: controller.signal, progress: progressPrinter('eval') });
    clearProgress();
    const m = ev.metrics;
    const stored = await new ModelStore(project).get(ev.modelId);
    const summary = stored.summary;
    const model = summary.name;
    // the Model view's note, in the same words, when these figures are clearly below the held-out estimate
    const { classWeighting } = (await readManifest(stored.dir)).training;
    const gap = summary.metrics
      ? heldOutGapNote({ heldOut: summary.metrics, capture: m, captureName: capture.fileName, trainedOnCapture: ev.trainedOnCapture, classWeighting: typeof classWeighting === 'string' ? classWeighting : null })
      : null;
    if (values.json) {
      const perClass = perClassMap(m);
      const out = {
        accuracy: m.accuracy, macroF1: m.macroF1, weightedF1: m.weightedF1, perClass, confusion: m.confusion, classes: m.classes, backend: ev.backend, flows: ev.flows, seconds: ev.seconds, binary: m.binary,
        unknownLabels: m.unknownLabels ?? {}, otherAttacks: otherAttacksOf(m), model, modelId: ev.modelId,
        trainedOnCapture: ev.trainedOnCapture,
        heldOut: summary.metrics ? { macroF1: summary.metrics.macroF1, weightedF1: summary.metrics.weightedF1, flows: summary.metrics.total } : null,
        heldOutNote: gap ? heldOutGapText(gap) : null,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${capture.fileName}: ${fmt(ev.flows)} flows scored in ${ev.seconds.toFixed(1)} s on ${ev.backend} by "${model}"\n${leftOutLine(m)}${metricsTable(m)}\nconfusion (rows true, columns predicted: ${m.classes.join(', ')}):\n${m.confusion.map((r) => `  ${r.map((x) => String(x).padStart(8)).join('')}`).join('\n')}\n`);
    if (gap) process.stdout.write(`\nnote: ${heldOutGapText(gap)}\n`);
  } finally {
    done();
  }
}

/** A scan's figures against the capture's labels, as `scan --json` and `scans --json` print them. */
function scanFigures(m: ModelMetrics) {
  return { accuracy: m.accuracy, macroF1: m.macroF1, weightedF1: m.weightedF1, binary: m.binary, unknownLabels: m.unknownLabels ?? {}, otherAttacks: otherAttacksOf(m) };
}

/** Zeros when the capture has no flows of attack classes the model lacks (scripts read the key always). */
function otherAttacksOf(m: ModelMetrics): { flagged: number; missed: number } {
  return m.otherAttacks ?? { flagged: 0, missed: 0 };
}

/**
 * The package folder `--model` names: the folder itself, or the folder of its model.json or
 * manifest.json when the path names one of them. An empty value is a mistake, not "the default".
 */
function packageDir(model: string): string {
  if (!model.trim()) throw new UsageError('--model needs a model package folder (leave it out for the built-in model)');
  const full = resolve(model);
  return /^(model|manifest)\.json$/.test(basename(full)) && existsSync(full) && statSync(full).isFile() ? dirname(full) : full;
}

/** A line naming the flows that metrics leave out because the model has no class for their label ('' when none). */
function leftOutLine(m: ModelMetrics): string {
  const entries = Object.entries(m.unknownLabels ?? {});
  if (!entries.length) return '';
  const n = leftOutFlows(m);
  return `left out of the per-class metrics: ${fmt(n)} flows whose label is not one of the model's classes (${entries.map(([l, c]) => `${l} ${fmt(c)}`).join(', ')})\n`;
}

async function cmdScan(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { model: { type: 'string' }, project: { type: 'string' }, threshold: { type: 'string' }, json: { type: 'boolean' }, top: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('scan takes exactly one FILE');
  const threshold = num('threshold', values.threshold, { min: 0, max: 1 }) ?? DEFAULT_THRESHOLD;
  const top = num('top', values.top, { integer: true, min: 0 }) ?? 20;
  const { project, done } = await workProject(values.project);
  try {
    const controller = cancellable();
    const capture = await captureFor(project, file, controller.signal);
    const modelId = values.model === undefined ? undefined : (await new ModelStore(project).add(packageDir(values.model))).id;
    const scan = await scanCapture(project, capture, { modelId, threshold }, { signal: controller.signal, progress: progressPrinter('scan') });
    clearProgress();
    const windows = (await listWindows(project, { scanId: scan.id, offset: 0, limit: Math.max(1, top) })).windows.slice(0, top);
    if (values.json) {
      const out = {
        scanId: scan.id, captureId: capture.id, model: scan.modelName, backend: scan.backend, threshold, flows: scan.flows, seconds: scan.seconds,
        flowsPerSecond: scan.windowsPerSecond, predicted: scan.predictedCounts, flaggedWindows: scan.flaggedWindows, windows: windows.map(windowJson),
        metrics: scan.metrics ? scanFigures(scan.metrics) : null,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    const counts = Object.entries(scan.predictedCounts).map(([k, n]) => `${k} ${fmt(n)}`).join(', ');
    const lines = [
      `scanned ${capture.fileName}: ${fmt(scan.flows)} flows in ${scan.seconds.toFixed(2)} s (${fmt(scan.windowsPerSecond)} windows/s on ${scan.backend}) with "${scan.modelName}"`,
      `predicted: ${counts}`,
      `flagged windows (threshold ${threshold}): ${fmt(scan.flaggedWindows)}${scan.flaggedWindows > windows.length ? `, top ${windows.length} by confidence:` : ':'}`,
      ...windows.map((w) => `  #${w.id}  ${w.class.padEnd(15)} flows ${w.firstFlow}-${w.lastFlow} (${w.flows})${w.startMs !== null ? `  ${formatWindowSpan(w.startMs, w.endMs ?? w.startMs)}` : ''}  peak ${w.peak.toFixed(3)} mean ${w.mean.toFixed(3)}  ${w.srcHosts.slice(0, 3).join(',')} -> ${w.dstHosts.slice(0, 3).join(',')}:${w.dstPorts.slice(0, 5).join(',')}`),
    ];
    if (scan.metrics) {
      lines.push(`against the capture's labels: accuracy ${scan.metrics.accuracy.toFixed(4)}, macro F1 ${scan.metrics.macroF1.toFixed(4)}, weighted F1 ${scan.metrics.weightedF1.toFixed(4)}`);
      if (scan.metrics.unknownLabels) lines.push(leftOutLine(scan.metrics).trimEnd());
      if (scan.metrics.otherAttacks) lines.push(otherAttacksText(scan.metrics.otherAttacks));
    } else if (capture.labelled) lines.push(`no metrics: none of the capture's labels (${Object.keys(capture.classCounts).join(', ')}) is a class of the model (${Object.keys(scan.predictedCounts).join(', ')})`);
    const source = (await carrySources(project, scan.id)).find((s) => s.matches > 0);
    if (source && values.project) {
      lines.push(`${fmt(source.matches)} of these windows ${source.matches === 1 ? 'has' : 'have'} the flows and class of windows judged in scan #${source.scanId}; to carry their verdicts: mindflow verdict --project ${shellQuote(values.project)} --carry-from ${source.scanId}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    done();
  }
}

async function latestScanId(project: Project, scan: string | undefined): Promise<number> {
  const id = num('scan', scan, { integer: true, min: 1 });
  if (id !== undefined) return id;
  const scans = await listScans(project);
  if (!scans[0]) throw new Error('this project has no scans yet: run "mindflow scan FILE --project P" first');
  return scans[0].id;
}

/**
 * A flagged window as `scan --json` and `windows --json` print it: one shape for both, so a script
 * reads either. The window's own fields (peak, mean, verdictReason, verdictBy, startMs and endMs on
 * v3 captures), plus the names `windows --json` has always used for some of them (score = peak,
 * meanScore = mean, reason, analyst) and hosts (sources and destinations, each once).
 */
function windowJson(w: FlaggedWindow) {
  return {
    ...w, score: w.peak, meanScore: w.mean, hosts: [...new Set([...w.srcHosts, ...w.dstHosts])], reason: w.verdictReason, analyst: w.verdictBy,
  };
}

/** The queue's filters from --status, --class, --host and --not-in (as `windows` and `verdict --all` read them). */
function queueFilter(values: { status?: string | undefined; class?: string | undefined; host?: string | undefined; 'not-in'?: string | undefined }): { status?: TriageStatus; classes?: string[]; host?: string; notIn?: number } {
  const statuses = ['untriaged', 'tp', 'fp', 'review'];
  if (values.status && !statuses.includes(values.status)) throw new UsageError(`--status must be one of ${statuses.join(', ')}`);
  const notIn = num('not-in', values['not-in'], { integer: true, min: 1 });
  return {
    ...(values.status ? { status: values.status as TriageStatus } : {}),
    ...(values.class ? { classes: [values.class] } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(notIn !== undefined ? { notIn } : {}),
  };
}

async function cmdWindows(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' }, scan: { type: 'string' }, status: { type: 'string' }, class: { type: 'string' }, host: { type: 'string' }, 'not-in': { type: 'string' }, limit: { type: 'string' },
      out: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const filter = queueFilter(values);
  const limit = num('limit', values.limit, { integer: true, min: 1, max: 100_000 }) ?? 100_000;
  const format = outFormat(values);
  const project = await openExisting(values);
  try {
    const scanId = await latestScanId(project, values.scan);
    if (values.out) {
      // every window that matches, written to a file (no --limit)
      const controller = cancellable();
      const result = await exportWindows(
        project,
        { scanId, format, path: values.out, ...filter },
        { signal: controller.signal, progress: progressPrinter('windows') },
      );
      clearProgress();
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`wrote ${fmt(result.rows)} windows of scan #${scanId} as ${format.toUpperCase()} to ${result.path} (${fmt(result.bytes)} bytes)\n`);
      return;
    }
    const page = await listWindows(project, { scanId, offset: 0, limit, ...filter });
    const windows = page.windows.map(windowJson);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ scanId, total: page.total, statusCounts: page.statusCounts, windows }, null, 2)}\n`);
      return;
    }
    const c = page.statusCounts;
    process.stdout.write(`scan #${scanId}: ${fmt(page.total)} windows (untriaged ${fmt(c.untriaged)}, tp ${fmt(c.tp)}, fp ${fmt(c.fp)}, review ${fmt(c.review)})\n`);
    for (const w of windows) {
      process.stdout.write(`#${w.id}  ${w.class.padEnd(15)} score ${w.score.toFixed(3)}  flows ${w.firstFlow}-${w.lastFlow} (${w.flows})${w.startMs !== null ? `  ${formatWindowSpan(w.startMs, w.endMs ?? w.startMs)}` : ''}  ${w.srcHosts.slice(0, 2).join(',')} -> ${w.dstHosts.slice(0, 2).join(',')}:${w.dstPorts.slice(0, 4).join(',')}  ${w.verdict ?? 'untriaged'}\n`);
    }
  } finally {
    project.close();
  }
}

async function cmdVerdict(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' }, scan: { type: 'string' }, window: { type: 'string' }, set: { type: 'string' }, reason: { type: 'string' },
      'carry-from': { type: 'string' }, all: { type: 'boolean' }, status: { type: 'string' }, class: { type: 'string' }, host: { type: 'string' }, 'not-in': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const filtered = values.status !== undefined || values.class !== undefined || values.host !== undefined || values['not-in'] !== undefined;
  if (filtered && !values.all) throw new UsageError('--status, --class, --host and --not-in choose windows with --all');
  const carryFrom = num('carry-from', values['carry-from'], { integer: true, min: 1 });
  if (carryFrom !== undefined) {
    if (values.window !== undefined || values.set !== undefined || values.reason !== undefined || values.all) {
      throw new UsageError('--carry-from takes no --window, --all, --set or --reason: each window gets the verdict and reason of its match');
    }
    return carryCommand(values, carryFrom);
  }
  const windowId = num('window', values.window, { integer: true, min: 1 });
  if (values.all && windowId !== undefined) throw new UsageError('--window and --all do not go together: one window, or every one the filters match');
  if (windowId === undefined && !values.all) throw new UsageError('--window ID is required (see "mindflow windows"), or --all, or --carry-from SCAN');
  const choices = ['tp', 'fp', 'review', 'clear'];
  if (!values.set || !choices.includes(values.set)) throw new UsageError(`--set must be one of ${choices.join(', ')}`);
  const filter = queueFilter(values);
  const project = await openExisting(values);
  try {
    const scanId = await latestScanId(project, values.scan);
    const verdict = values.set === 'clear' ? null : (values.set as Verdict);
    const why = values.reason ? ` (${values.reason})` : '';
    // a window that already has the verdict and reason is left as it is, and counted apart
    const already = `already ${verdict ?? 'untriaged'}${verdict && values.reason ? ' with that reason' : ''}`;
    if (windowId === undefined) {
      const { updated, reasonChanged, unchanged } = await setVerdictMatching(project, { scanId, ...filter }, verdict, values.reason);
      if (values.json) process.stdout.write(`${JSON.stringify({ scanId, updated, reasonChanged, unchanged, verdict, reason: values.reason ?? null })}\n`);
      else if (!reasonChanged && !unchanged) process.stdout.write(`${fmt(updated)} window${updated === 1 ? '' : 's'} of scan #${scanId}: ${verdict ?? 'verdict cleared'}${why}\n`);
      else {
        const only = reasonChanged ? ` (${reasonChanged === updated ? (updated === 1 ? 'only its reason' : 'only their reasons') : `${fmt(reasonChanged)} only ${reasonChanged === 1 ? 'its reason' : 'their reasons'}`})` : '';
        const left = unchanged ? `; ${fmt(unchanged)} ${already}, left as ${unchanged === 1 ? 'it was' : 'they were'}` : '';
        process.stdout.write(`${fmt(updated)} window${updated === 1 ? '' : 's'} of scan #${scanId} changed: ${verdict ?? 'verdict cleared'}${why}${only}${left}\n`);
      }
      return;
    }
    const { updated, reasonChanged, unchanged } = await setVerdict(project, scanId, [windowId], verdict, values.reason);
    if (values.json) process.stdout.write(`${JSON.stringify({ scanId, windowId, updated, reasonChanged, unchanged, verdict, reason: values.reason ?? null })}\n`);
    else if (unchanged) process.stdout.write(`window #${windowId} of scan #${scanId}: ${already}${why}; nothing changed\n`);
    else if (reasonChanged) process.stdout.write(`window #${windowId} of scan #${scanId}: ${verdict ?? 'verdict cleared'}, reason ${values.reason ? `changed${why}` : 'cleared'}\n`);
    else process.stdout.write(`window #${windowId} of scan #${scanId}: ${verdict ?? 'verdict cleared'}${why}\n`);
  } finally {
    project.close();
  }
}

/** `verdict --carry-from SCAN`: another scan's verdicts onto the windows here with the same flows and class. */
async function carryCommand(values: { project?: string | undefined; scan?: string | undefined; json?: boolean | undefined }, fromScanId: number): Promise<void> {
  const project = await openExisting(values);
  try {
    const toScanId = await latestScanId(project, values.scan);
    const r = await carryVerdicts(project, fromScanId, toScanId);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ fromScanId: r.fromScanId, toScanId: r.toScanId, carried: r.carried, windowIds: r.windowIds })}\n`);
      return;
    }
    process.stdout.write(r.carried
      ? `carried ${fmt(r.carried)} verdict${r.carried === 1 ? '' : 's'} from scan #${fromScanId} to scan #${toScanId} (windows with the same flows and class; untriaged ones only)\n`
      : `no untriaged window of scan #${toScanId} has the flows and class of a judged window of scan #${fromScanId}\n`);
  } finally {
    project.close();
  }
}

async function cmdIncident(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      project: { type: 'string' }, scan: { type: 'string' }, windows: { type: 'string' }, title: { type: 'string' },
      severity: { type: 'string' }, tlp: { type: 'string' }, summary: { type: 'string' }, json: { type: 'boolean' },
      incident: { type: 'string' }, 'to-scan': { type: 'string' },
    },
  });
  if (sub !== 'create' && sub !== 'list' && sub !== 'move' && sub !== 'related') throw new UsageError('incident takes "create", "list", "move" or "related"');
  const moving = sub === 'move' ? num('incident', values.incident, { integer: true, min: 1 }) : undefined;
  const relating = sub === 'related' ? num('incident', values.incident, { integer: true, min: 1 }) : undefined;
  if (sub === 'related' && relating === undefined) throw new UsageError('--incident ID is required (see "mindflow incident list")');
  const toScan = num('to-scan', values['to-scan'], { integer: true, min: 1 });
  if (sub === 'move' && moving === undefined) throw new UsageError('--incident ID is required (see "mindflow incident list")');
  if (sub === 'move' && toScan === undefined) throw new UsageError('--to-scan S is required (see "mindflow scans")');
  const project = await openExisting(values);
  try {
    if (moving !== undefined && toScan !== undefined) {
      const r = await moveIncident(project, moving, toScan);
      if (values.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else process.stdout.write(`moved incident #${moving} from scan #${r.fromScanId} to scan #${r.toScanId}: ${fmt(r.windows)} window${r.windows === 1 ? '' : 's'}, ${fmt(r.carried)} verdict${r.carried === 1 ? '' : 's'} carried\n`);
      return;
    }
    if (relating !== undefined) {
      const related = await relatedIncidents(project, relating);
      if (values.json) process.stdout.write(`${JSON.stringify({ incidentId: relating, related }, null, 2)}\n`);
      else if (!related.length) process.stdout.write(`no other incident shares a host with incident #${relating}\n`);
      else {
        for (const r of related) {
          process.stdout.write(`#${r.id}  ${r.status.padEnd(9)} ${r.severity.padEnd(8)} scan #${String(r.scanId).padEnd(4)} ${r.captureName}  ${r.title}\n    shares ${r.sharedCount} host${r.sharedCount === 1 ? '' : 's'}: ${sharedHostsText(r.shared, r.sharedCount, 5)}\n`);
        }
      }
      return;
    }
    if (sub === 'list') {
      const incidents = await listIncidents(project);
      if (values.json) process.stdout.write(`${JSON.stringify({ incidents }, null, 2)}\n`);
      else for (const i of incidents) process.stdout.write(`#${i.id}  ${i.status.padEnd(9)} ${i.severity.padEnd(8)} TLP:${i.tlp.padEnd(12)} scan #${String(i.scanId).padEnd(4)} ${i.windowIds.length} window${i.windowIds.length === 1 ? ' ' : 's'}  ${i.title}\n`);
      return;
    }
    if (!values.title) throw new UsageError('--title T is required');
    if (!values.windows) throw new UsageError('--windows ID,ID is required (see "mindflow windows")');
    const windowIds = values.windows.split(',').map((w) => num('windows', w.trim(), { integer: true, min: 1 })!);
    if (values.severity && !(incidentSeverities as readonly string[]).includes(values.severity)) throw new UsageError(`--severity must be one of ${incidentSeverities.join(', ')}`);
    if (values.tlp && !(tlpLevels as readonly string[]).includes(values.tlp.toUpperCase())) throw new UsageError(`--tlp must be one of ${tlpLevels.join(', ')}`);
    const incident = await createIncident(project, {
      scanId: await latestScanId(project, values.scan),
      windowIds,
      title: values.title,
      severity: values.severity as Incident['severity'] | undefined,
      tlp: values.tlp?.toUpperCase() as Incident['tlp'] | undefined,
      summary: values.summary,
    });
    if (values.json) process.stdout.write(`${JSON.stringify({ id: incident.id, incident }, null, 2)}\n`);
    else process.stdout.write(`created incident #${incident.id} "${incident.title}" with ${incident.windowIds.length} window${incident.windowIds.length === 1 ? '' : 's'} of scan #${incident.scanId}\n`);
  } finally {
    project.close();
  }
}

async function cmdReport(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { project: { type: 'string' }, incident: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } } });
  const incidentId = num('incident', values.incident, { integer: true, min: 1 });
  if (incidentId === undefined) throw new UsageError('--incident ID is required (see "mindflow incident list")');
  if (!values.format || !(reportFormats as readonly string[]).includes(values.format)) throw new UsageError(`--format must be one of ${reportFormats.join(', ')}`);
  if (!values.out) throw new UsageError('--out FILE is required');
  const workbench = await Workbench.open(requireProject(values), { host: 'web' }, 'existing');
  try {
    const controller = cancellable();
    const result = await exportReport(workbench.project, incidentId, values.format as ReportFormat, values.out, { signal: controller.signal, progress: progressPrinter('report') }, {
      explain: (scanId, windowId) => workbench.handlers.explainWindow({ scanId, windowId }),
      appVersion: APP_VERSION,
    });
    clearProgress();
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`wrote the ${values.format.toUpperCase()} report of incident #${incidentId} to ${result.path} (${fmt(result.bytes)} bytes)\n`);
  } finally {
    workbench.close();
  }
}

async function cmdFlows(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' }, capture: { type: 'string' }, out: { type: 'string' }, where: { type: 'string', multiple: true },
      scan: { type: 'string' }, sort: { type: 'string' }, format: { type: 'string' }, columns: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const captureId = num('capture', values.capture, { integer: true, min: 1 });
  if (captureId === undefined) throw new UsageError('--capture ID is required (see "mindflow captures")');
  if (!values.out) throw new UsageError('--out FILE is required');
  const format = outFormat(values);
  const sortMatch = values.sort === undefined ? null : /^([A-Za-z_][A-Za-z0-9_]*)(?::(asc|desc))?$/i.exec(values.sort);
  if (values.sort !== undefined && !sortMatch) throw new UsageError('--sort must be COLUMN or COLUMN:asc|desc');
  const workbench = await Workbench.open(requireProject(values), { host: 'web' }, 'existing');
  try {
    const capture = await workbench.project.capture(captureId);
    let scanId: number | undefined;
    if (values.scan === 'latest') {
      const latest = (await listScans(workbench.project, captureId))[0];
      if (!latest) throw new Error(`capture #${captureId} has no scans yet: run "mindflow scan FILE --project P" first`);
      scanId = latest.id;
    } else {
      scanId = num('scan', values.scan, { integer: true, min: 1 });
    }
    const fields = ['flow_id', ...capture.columns, ...(scanId !== undefined ? Object.keys(SCAN_COLUMNS) : [])];
    const clauses: FilterClause[] = (values.where ?? []).map((text) => {
      const parsed = parseClause(text, fields);
      if (!parsed.ok) throw new UsageError(`--where "${text}": ${parsed.message}`);
      return parsed.clause;
    });
    const controller = cancellable();
    const result = await exportFlows(
      workbench.project,
      {
        captureId,
        filter: { clauses, ...(scanId !== undefined ? { scanId } : {}) },
        ...(sortMatch ? { sort: { column: sortMatch[1]!, dir: sortMatch[2]?.toLowerCase() === 'desc' ? ('desc' as const) : ('asc' as const) } } : {}),
        format,
        ...(values.columns ? { columns: values.columns.split(',').map((c) => c.trim()).filter(Boolean) } : {}),
        path: values.out,
      },
      { signal: controller.signal, progress: progressPrinter('flows') },
    );
    clearProgress();
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`wrote ${fmt(result.rows)} flows of capture #${captureId}${result.scanId !== null ? ` with scan #${result.scanId}` : ''} as ${format.toUpperCase()} to ${result.path} (${fmt(result.bytes)} bytes)\n`);
  } finally {
    workbench.close();
  }
}

async function cmdHost(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { project: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('host takes exactly one IP address');
  const project = await openExisting(values);
  try {
    const found = await findHost(project, positionals[0]!);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${found.host}: in ${found.captures.length} of ${found.searched} capture${found.searched === 1 ? '' : 's'} (${found.ms.toFixed(0)} ms)\n`);
    for (const c of found.captures) {
      const top = (list: { value: string | number; flows: number }[]) => list.map((x) => `${x.value} (${fmt(x.flows)})`).join(', ');
      const classes = Object.entries(c.classes).map(([k, n]) => `${k || '(empty)'} ${fmt(n)}`).join(', ');
      process.stdout.write(`#${c.captureId} ${c.fileName}: ${fmt(c.flows)} of ${fmt(c.captureFlows)} flows (sent ${fmt(c.sent)}, received ${fmt(c.received)}), flows ${fmt(c.firstFlow)}-${fmt(c.lastFlow)}`);
      process.stdout.write(`${c.startMs !== null && c.endMs !== null ? `, ${formatWindowSpan(c.startMs, c.endMs)}` : ''}\n`);
      if (classes) process.stdout.write(`    classes: ${classes}\n`);
      process.stdout.write(`    ${fmt(c.peers)} peer${c.peers === 1 ? '' : 's'}: ${top(c.topPeers)}; destination ports: ${top(c.topPorts)}\n`);
      if (c.scan) process.stdout.write(`    scan #${c.scan.scanId}: ${fmt(c.scan.windows)} flagged window${c.scan.windows === 1 ? '' : 's'} name it (${fmt(c.scan.untriaged)} untriaged, ${fmt(c.scan.tp)} true positive)\n`);
    }
    for (const i of found.incidents) {
      process.stdout.write(`incident #${i.id} "${i.title}" (${i.status}, ${i.severity}, scan #${i.scanId}): ${hostRoleNames[i.role]} in ${fmt(i.windows)} window${i.windows === 1 ? '' : 's'}\n`);
    }
  } finally {
    project.close();
  }
}

async function cmdAudit(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' }, scan: { type: 'string' }, window: { type: 'string' }, limit: { type: 'string' },
      out: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const scanId = num('scan', values.scan, { integer: true, min: 1 });
  const windowId = num('window', values.window, { integer: true, min: 1 });
  if (windowId !== undefined && scanId === undefined) throw new UsageError('--window needs --scan (window ids are per scan)');
  const limit = num('limit', values.limit, { integer: true, min: 1, max: 1_000_000 }) ?? 50;
  const format = outFormat(values);
  if (values.out && (windowId !== undefined || values.limit)) throw new UsageError('--out writes the whole trail (of --scan ID, or of the project): no --window or --limit');
  const project = await openExisting(values);
  try {
    if (values.out) {
      const controller = cancellable();
      const result = await exportAudit(project, { scanId, format, path: values.out }, { signal: controller.signal, progress: progressPrinter('audit') });
      clearProgress();
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`wrote ${fmt(result.entries)} audit entries${scanId === undefined ? '' : ` of scan #${scanId}`} as ${format.toUpperCase()} to ${result.path} (${fmt(result.bytes)} bytes)\n`);
      return;
    }
    const trail = await auditLog(project, { scanId, windowId, limit });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(trail, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${fmt(trail.total)} audit entr${trail.total === 1 ? 'y' : 'ies'}${trail.entries.length < trail.total ? `, the newest ${fmt(trail.entries.length)}` : ''}\n`);
    for (const e of trail.entries) process.stdout.write(`${auditLine(e)}\n`);
  } finally {
    project.close();
  }
}

/** One audit entry on one line: when (UTC), who, what, which window, before → after, why. */
export function auditLine(e: AuditEntry): string {
  const when = `${e.at.slice(0, 10)} ${e.at.slice(11, 19)}`;
  const window = `scan #${e.scanId} window #${e.windowId}${e.windowClass ? ` (${e.windowClass}${e.captureName ? `, ${e.captureName}` : ''})` : ''}`;
  const verdict = (v: string | null) => v ?? 'untriaged';
  if (e.action === 'scan-deleted') return `${when}  ${e.analyst}  deleted   ${e.value ?? `scan #${e.scanId}`}`;
  if (e.action === 'incident-moved') return `${when}  ${e.analyst}  moved     scan #${e.scanId}: ${e.value ?? ''}`;
  const what =
    e.action === 'note'
      ? `note      ${window}: ${e.value ?? ''}`
      : `${e.action === 'undo' ? 'undo   ' : 'verdict'}   ${window}: ${reasonOnlyChange(e) ? `${verdict(e.value)}, reason ${e.action === 'undo' ? 'change undone' : e.reason ? 'changed' : 'cleared'}` : `${verdict(e.previous)} -> ${verdict(e.value)}`}${e.reason ? ` (${e.reason})` : ''}${e.undone ? ' [undone]' : ''}`;
  return `${when}  ${e.analyst}  ${what}`;
}

async function cmdCompact(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { project: { type: 'string' }, json: { type: 'boolean' } } });
  const path = requireProject(values);
  let project = await Project.open(path, 'existing');
  try {
    const result = await compactProject(
      project,
      async () => project.close(),
      async () => {
        project = await Project.open(path, 'existing');
      },
    );
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`compacted ${result.path}: ${fmt(result.bytesBefore)} -> ${fmt(result.bytesAfter)} bytes (${result.tables} tables checked) in ${result.seconds.toFixed(2)} s\n`);
  } finally {
    project.close();
  }
}

async function cmdBackend(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
  const status = await probeBackend();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${status.name} · ${status.device}\n${status.notes.map((n) => `  - ${n}\n`).join('')}`);
}

/**
 * The usage lines of one command (each of its forms with their continuation lines), or the
 * whole usage when USAGE has no such command.
 */
function commandUsage(command: string): string {
  const lines = USAGE.split('\n');
  const picked: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (/^ {2}mindflow /.test(line)) inside = line.startsWith(`  mindflow ${command} `) || line === `  mindflow ${command}`;
    else if (!/^ {3,}\S/.test(line)) inside = false;
    if (inside) picked.push(line);
  }
  return picked.length ? `usage:\n${picked.join('\n')}\n` : USAGE;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // `mindflow eval --help` and `mindflow help eval`: that command's usage
  if (command && command !== 'help' && !command.startsWith('-') && rest.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(commandUsage(command));
    return;
  }
  if (command === 'help' && rest[0]) {
    process.stdout.write(commandUsage(rest[0]));
    return;
  }
  switch (command) {
    case 'import':
      return cmdImport(rest);
    case 'captures':
      return cmdCaptures(rest);
    case 'sample':
      return cmdSample(rest);
    case 'serve':
      return cmdServe(rest);
    case 'train':
      return cmdTrain(rest);
    case 'eval':
      return cmdEval(rest);
    case 'scan':
      return cmdScan(rest);
    case 'scans':
      return cmdScans(rest);
    case 'windows':
      return cmdWindows(rest);
    case 'verdict':
      return cmdVerdict(rest);
    case 'audit':
      return cmdAudit(rest);
    case 'compact':
      return cmdCompact(rest);
    case 'incident':
      return cmdIncident(rest);
    case 'report':
      return cmdReport(rest);
    case 'flows':
      return cmdFlows(rest);
    case 'host':
      return cmdHost(rest);
    case 'backend':
      return cmdBackend(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

// Output piped into a reader that stops early (`mindflow windows … | head`): stop quietly, as
// Unix tools do, instead of dying on EPIPE with a stack trace
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

main(process.argv.slice(2)).then(
  () => {
    // a signal that came when the work could no longer be cancelled: it finished, the status says why it ended
    if (stoppedBy) process.exit(signalStatus(stoppedBy));
  },
  (err: unknown) => {
    clearProgress();
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`mindflow: ${oneLine(err)}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`mindflow: ${oneLine(err)}\n`);
    process.exit(stoppedBy ? signalStatus(stoppedBy) : 1);
  },
);
