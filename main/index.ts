/**
 * The Electron entry: boot steps in order, each concern in its own file. Everything the
 * product does lives in main/core, which never imports electron.
 */
import { app } from 'electron';
import { hardenWebContents } from './electron/security.ts';
import { bindIpc } from './electron/ipc.ts';
import { createMainWindow } from './electron/window.ts';
import { openStartupWorkbench } from './electron/startup.ts';

app.enableSandbox();
hardenWebContents();

app.whenReady().then(async () => {
  const workbench = await openStartupWorkbench();
  bindIpc(workbench);
  createMainWindow();
  app.on('activate', () => createMainWindow());
  app.on('before-quit', () => workbench.close());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
