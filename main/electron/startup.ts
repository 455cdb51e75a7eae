import { app } from 'electron';
import { join } from 'node:path';
import { ensureSampleCapture } from '../core/starter.ts';
import { Session } from '../core/session.ts';
import { pickCaptureFile, pickPackageFolder, pickProjectFile, pickSaveFile } from './ipc.ts';
import { printPdf, reveal } from './reports.ts';

/** Opens the project the launch names (--project=P, or a .duckdb file opened with the app), else the sample project. */
export async function openStartupSession(named: string | null): Promise<Session> {
  const projectPath = named ?? process.env.MINDFLOW_PROJECT ?? join(app.getPath('userData'), 'sample.duckdb');
  const session = await Session.open(projectPath, {
    host: 'electron',
    pickFile: pickCaptureFile,
    pickProject: pickProjectFile,
    pickPackage: pickPackageFolder,
    pickSaveFile,
    printPdf,
    reveal,
    recentFile: join(app.getPath('userData'), 'recent-projects.json'),
  });
  if (!named && !process.env.MINDFLOW_PROJECT) await ensureSampleCapture(session.workbench.project);
  return session;
}
