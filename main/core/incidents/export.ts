/**
 * Exporting an incident report: assemble it from the project, build the chosen format, write
 * the file atomically. PDF is the HTML report printed by Chromium: Electron's own printToPDF in
 * the app, a headless Chromium elsewhere (CLI, web host).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReportExport, ReportFormat } from '../../../preload/contract.ts';
import type { JobContext } from '../capture/import.ts';
import { MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import { buildReportFile, reportExtension } from '../report/index.ts';
import { assembleIncidentReport, type Explain } from './assemble.ts';
import { fileTarget } from '../query/copy.ts';

export interface ExportDeps {
  explain: Explain;
  appVersion: string;
  printPdf?: ((html: string) => Promise<Uint8Array>) | undefined;
  urlFor?: ((path: string) => string | null) | undefined;
}

export function reportsDir(project: Project): string {
  return `${project.path}.reports`;
}

function chromiumPath(): string | null {
  const candidates = [process.env.MINDFLOW_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'];
  return candidates.find((c): c is string => Boolean(c && existsSync(c))) ?? null;
}

/** HTML to PDF with a headless Chromium: no network, a throw-away profile, no header/footer. */
export async function printPdfWithChromium(html: string, signal?: AbortSignal): Promise<Uint8Array> {
  const browser = chromiumPath();
  if (!browser) {
    throw new MindflowError('unavailable', 'PDF export needs Chromium or Chrome (install Debian\'s chromium, or set MINDFLOW_CHROMIUM); HTML export works without it');
  }
  const dir = await mkdtemp(join(tmpdir(), 'mindflow-pdf-'));
  try {
    const page = join(dir, 'report.html');
    const pdf = join(dir, 'report.pdf');
    await writeFile(page, html);
    await new Promise<void>((resolveRun, reject) => {
      const child = spawn(browser, [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
        '--disable-extensions', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, '--no-pdf-header-footer', `--print-to-pdf=${pdf}`,
        pathToFileURL(page).href,
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()).slice(-2000));
      const kill = () => child.kill('SIGKILL');
      signal?.addEventListener('abort', kill, { once: true });
      const timer = setTimeout(kill, 120_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', kill);
        if (signal?.aborted) reject(new MindflowError('cancelled', 'export cancelled'));
        else if (code === 0 && existsSync(pdf)) resolveRun();
        else reject(new MindflowError('internal', `Chromium could not print the PDF (exit ${code}): ${err.trim().split('\n').pop() ?? ''}`));
      });
    });
    return new Uint8Array(await readFile(pdf));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function exportReport(project: Project, incidentId: number, format: ReportFormat, path: string | undefined, ctx: JobContext, deps: ExportDeps): Promise<ReportExport> {
  const target = fileTarget(project, path ?? join(reportsDir(project), `incident-${incidentId}.${reportExtension(format)}`));
  ctx.progress({ phase: 'gathering', fraction: 0, message: `gathering incident #${incidentId}` });
  const report = await assembleIncidentReport(project, incidentId, deps.explain, deps.appVersion, (f) =>
    ctx.progress({ phase: 'gathering', fraction: f * 0.8, message: `gathering evidence for incident #${incidentId}` }),
  );
  if (ctx.signal.aborted) throw new MindflowError('cancelled', 'export cancelled');
  ctx.progress({ phase: 'writing', fraction: 0.85, message: `writing ${format.toUpperCase()}` });
  let bytes: Uint8Array;
  if (format === 'pdf') {
    const html = buildReportFile('html', report);
    bytes = deps.printPdf ? await deps.printPdf(html) : await printPdfWithChromium(html, ctx.signal);
  } else {
    bytes = Buffer.from(buildReportFile(format, report), 'utf8');
  }
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, target);
  return { incidentId, format, path: target, bytes: (await stat(target)).size, url: deps.urlFor?.(target) ?? null };
}
