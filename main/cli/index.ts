/**
 * mindflow: the command-line host of the core. Errors print one line on stderr and exit 1;
 * usage mistakes exit 2. JSON output (--json) is a public interface: keep its shape.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { importCapture, type JobContext } from '../core/capture/import.ts';
import { oneLine } from '../core/errors.ts';
import { rendererDir, sampleProjectPath } from '../core/paths.ts';
import { Project } from '../core/project.ts';
import { generateSample } from '../core/sample/generator.ts';
import { ensureSampleCapture } from '../core/starter.ts';
import { Workbench } from '../core/workbench.ts';
import { startWebHost } from '../web/server.ts';

const USAGE = `mindflow: NetFlow captures, the MindFlow detector and triage, from the command line

usage:
  mindflow import FILE --project P.duckdb [--json]     import a CSV, CSV.gz or Parquet capture
  mindflow captures --project P.duckdb [--json]        list the captures in a project
  mindflow sample --rows N --out FILE.csv [--seed S]   write the built-in NF-BoT-IoT v1 sample
  mindflow serve [--project P.duckdb] [--port N]       start the web host on 127.0.0.1
  mindflow help                                        this text
`;

class UsageError extends Error {}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
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

/** Ctrl+C cancels the running job cleanly (the import rolls back) instead of killing it. */
function cancellable(): AbortController {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller;
}

function requireProject(values: { project?: string | undefined }): string {
  if (!values.project) throw new UsageError('--project P.duckdb is required');
  return resolve(values.project);
}

async function cmdImport(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { project: { type: 'string' }, json: { type: 'boolean' } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('import takes exactly one FILE');
  const project = await Project.open(requireProject(values));
  try {
    const controller = cancellable();
    const { capture, reused } = await importCapture(project, file, { signal: controller.signal, progress: progressPrinter('import') });
    clearProgress();
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ reused, capture }, null, 2)}\n`);
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
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    project.close();
  }
}

async function cmdCaptures(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { project: { type: 'string' }, json: { type: 'boolean' } } });
  const project = await Project.open(requireProject(values));
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

async function cmdSample(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { rows: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } } });
  if (!values.out) throw new UsageError('--out FILE.csv is required');
  const rows = values.rows === undefined ? 100_000 : Number(values.rows);
  if (!Number.isSafeInteger(rows) || rows < 1) throw new UsageError('--rows must be a positive whole number');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError('--seed must be a whole number');
  const controller = cancellable();
  const t0 = performance.now();
  const print = progressPrinter('sample');
  const result = await generateSample({
    rows,
    seed,
    out: resolve(values.out),
    signal: controller.signal,
    onProgress: (done, total) => print({ phase: 'writing', fraction: done / total, message: '' }),
  });
  clearProgress();
  const s = (performance.now() - t0) / 1000;
  const classes = Object.entries(result.classCounts).map(([k, n]) => `${k} ${fmt(n)}`).join(', ');
  process.stdout.write(`wrote ${fmt(result.rows)} flows to ${resolve(values.out)} in ${s.toFixed(2)} s\nclasses: ${classes}\n`);
}

async function cmdServe(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { project: { type: 'string' }, port: { type: 'string' } } });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
  const projectPath = values.project ? resolve(values.project) : sampleProjectPath();
  const workbench = await Workbench.open(projectPath, { host: 'web' });
  if (!values.project) {
    await ensureSampleCapture(workbench.project, (msg) => process.stderr.write(`${msg}\n`));
  }
  const host = await startWebHost({ workbench, staticDir: rendererDir(), port });
  process.stdout.write(`MindFlow web host on ${host.url}\nproject: ${projectPath}\nopen the URL above in a browser (it carries this run's access token); Ctrl+C stops\n`);
  const stop = async () => {
    await host.close();
    workbench.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'import':
      return cmdImport(rest);
    case 'captures':
      return cmdCaptures(rest);
    case 'sample':
      return cmdSample(rest);
    case 'serve':
      return cmdServe(rest);
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

main(process.argv.slice(2)).catch((err: unknown) => {
  clearProgress();
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`mindflow: ${oneLine(err)}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`mindflow: ${oneLine(err)}\n`);
  process.exit(1);
});
