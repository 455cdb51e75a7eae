/**
 * The Electron entry: boot steps in order, each concern in its own file. Everything the
 * product does lives in main/core, which never imports electron.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { hardenWebContents } from './electron/security.ts';
import { bindIpc } from './electron/ipc.ts';
import { createMainWindow } from './electron/window.ts';
import { followProjects, installMenu } from './electron/menu.ts';
import { notifyWhenAway } from './electron/notify.ts';
import { openStartupSession } from './electron/startup.ts';
import { acceptHandOver, claimSingleInstance, startupProject } from './electron/instance.ts';

app.enableSandbox();
// Windows shows a process's notifications under its AppUserModelID; run from the repository
// (no installer yet) that is Electron's own executable, as its docs advise for development
if (process.platform === 'win32') app.setAppUserModelId(process.execPath);
hardenWebContents();

// a second MindFlow hands its project to the first one and quits
if (claimSingleInstance()) boot();

function boot(): void {
  app
    .whenReady()
    .then(async () => {
      const session = await openStartupSession(startupProject());
      bindIpc(session);
      installMenu(session);
      followProjects(session);
      notifyWhenAway(session);
      const newWindow = () => createMainWindow(session);
      newWindow();
      acceptHandOver(session, newWindow);
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) newWindow();
      });
      // not before-quit: a window may still refuse to close (a job runs and the analyst keeps
      // working), which cancels the quit; will-quit comes once every window has closed
      app.on('will-quit', () => session.close());
    })
    .catch((err: unknown) => {
      // a project open in another MindFlow, a file that is not a project, a folder that cannot be
      // written: say so and quit, instead of running on with no window
      dialog.showErrorBox('MindFlow Workbench could not open the project', err instanceof Error ? err.message : String(err));
      app.quit();
    });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
