import { app, dialog } from 'electron';
import { join } from 'node:path';
import { ensureSampleCapture } from '../core/starter.ts';
import { RecentProjects } from '../core/recentProjects.ts';
import { Session, type SessionOptions } from '../core/session.ts';
import { pickCaptureFile, pickPackageFolder, pickProjectFile, pickSaveFile } from './ipc.ts';
import { printPdf, reveal } from './reports.ts';

/**
 * Opens the project the launch names (--project=P, or a .duckdb file opened with the app);
 * else the project open when MindFlow last closed, as a desktop app reopens its last document;
 * else (or when that one cannot be opened now) the sample project.
 */
export async function openStartupSession(named: string | null): Promise<Session> {
  const userData = app.getPath('userData');
  const options: SessionOptions = {
    host: 'electron',
    pickFile: pickCaptureFile,
    pickProject: pickProjectFile,
    pickPackage: pickPackageFolder,
    pickSaveFile,
    printPdf,
    reveal,
    recentFile: join(userData, 'recent-projects.json'),
  };
  const chosen = named ?? process.env.MINDFLOW_PROJECT;
  if (chosen) return Session.open(chosen, options);

  const sample = join(userData, 'sample.duckdb');
  const last = new RecentProjects(options.recentFile).list(null).find((p) => p.exists);
  if (last && last.path !== sample) {
    try {
      return await Session.open(last.path, options, 'existing');
    } catch (err) {
      // locked by another program, damaged, on a drive that went away: the sample, and why
      void dialog.showMessageBox({
        type: 'warning',
        title: 'MindFlow Workbench',
        message: `MindFlow could not reopen ${last.name}`,
        detail: `${err instanceof Error ? err.message : String(err)}\n\nThe sample project is open instead; open ${last.path} again from File › Open Project… once it can be.`,
      });
    }
  }
  const session = await Session.open(sample, options);
  await ensureSampleCapture(session.workbench.project);
  return session;
}
