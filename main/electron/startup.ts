import { app } from 'electron';
import { join } from 'node:path';
import { ensureSampleCapture } from '../core/starter.ts';
import { Workbench } from '../core/workbench.ts';
import { pickCaptureFile } from './ipc.ts';
import { printPdf, reveal } from './reports.ts';

/** Opens the project named on the command line (--project=P), else the sample project. */
export async function openStartupWorkbench(): Promise<Workbench> {
  const arg = process.argv.find((a) => a.startsWith('--project='));
  const projectPath = arg ? arg.slice('--project='.length) : process.env.MINDFLOW_PROJECT ?? join(app.getPath('userData'), 'sample.duckdb');
  const workbench = await Workbench.open(projectPath, { host: 'electron', pickFile: pickCaptureFile, printPdf, reveal });
  if (!arg && !process.env.MINDFLOW_PROJECT) await ensureSampleCapture(workbench.project);
  return workbench;
}
