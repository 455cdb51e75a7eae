/**
 * One MindFlow per user. A project is a DuckDB file only one process may hold, so a second
 * launch (the app started again, a project file opened from the desktop) hands what it names
 * to the running MindFlow, which opens it in place and comes to the front, and then quits.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { projectFromArgv } from '../core/paths.ts';
import type { Session } from '../core/session.ts';

let launchProject: string | null = null;
let deliver: ((path: string | null) => void) | null = null;

/**
 * Claims the single-instance lock before anything else runs; false when another MindFlow
 * holds it (this one then quits). A project file opened on macOS before the app is ready
 * (the `open-file` event) becomes the project to start on.
 */
export function claimSingleInstance(): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (deliver) deliver(path);
    else launchProject = path;
  });
  app.on('second-instance', (_event, argv, cwd) => deliver?.(projectFromArgv(argv.slice(1), cwd)));
  return true;
}

/** The project this launch names (command line, or a file opened before the app was ready). */
export function startupProject(): string | null {
  return launchProject ?? projectFromArgv(process.argv.slice(1), process.cwd());
}

/** From now on a second launch's project opens here (refused with the reason while a job runs), and the window comes forward. */
export function acceptHandOver(session: Session, createWindow: () => BrowserWindow): void {
  deliver = (path) => {
    const win = BrowserWindow.getAllWindows()[0] ?? createWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
    if (!path) return;
    session.openProject(path, false).catch((err: unknown) => {
      dialog.showErrorBox(`MindFlow Workbench could not open ${path}`, err instanceof Error ? err.message : String(err));
    });
  };
}
