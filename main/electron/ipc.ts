/**
 * Binds the contract to Electron IPC: one invoke channel for every call (validated by the
 * workbench's dispatch against the contract's schemas) and one channel per event.
 */
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { dirname, extname } from 'node:path';
import type { Session } from '../core/session.ts';

function fromOurWindow(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith('file://') || (!!process.env.ELECTRON_RENDERER_URL && url.startsWith(process.env.ELECTRON_RENDERER_URL));
}

export function bindIpc(session: Session): void {
  ipcMain.handle('mindflow:call', async (event, name: unknown, args: unknown) => {
    if (!fromOurWindow(event)) return { ok: false, error: { code: 'bad-args', message: 'call from an unknown frame refused' } };
    if (typeof name !== 'string') return { ok: false, error: { code: 'bad-args', message: 'call name must be a string' } };
    return session.dispatch(name, args);
  });
  session.subscribe((eventName, payload) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(`mindflow:event:${eventName}`, payload);
  });
}

/** The native dialog for a project file: an existing one to open, or where to create a new one. */
export async function pickProjectFile(create: boolean): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow();
  const filters = [{ name: 'MindFlow projects', extensions: ['duckdb'] }];
  if (create) {
    const options = { title: 'New MindFlow project', buttonLabel: 'Create', filters, properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const] };
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    return result.canceled ? null : (result.filePath ?? null);
  }
  const options = { title: 'Open a MindFlow project', properties: ['openFile' as const], filters: [...filters, { name: 'All files', extensions: ['*'] }] };
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/** The native save dialog for an export's file (a report, flows, windows, the audit trail). */
export async function pickSaveFile(suggested: string): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow();
  const ext = extname(suggested).slice(1);
  const filters = ext ? [{ name: `${ext.toUpperCase()} files`, extensions: [ext] }, { name: 'All files', extensions: ['*'] }] : [];
  const options = { title: 'Export to', buttonLabel: 'Choose', defaultPath: suggested, filters, properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const] };
  const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
  return result.canceled ? null : (result.filePath ?? null);
}

/** The native dialog for a model package: a new folder to export to (a save dialog names it), or one to import. */
export async function pickPackageFolder(exporting: boolean, suggested: string): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow();
  if (exporting) {
    const options = { title: 'Export model package', buttonLabel: 'Export', defaultPath: suggested, properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const] };
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    return result.canceled ? null : (result.filePath ?? null);
  }
  const options = { title: 'Import a model package', buttonLabel: 'Import', defaultPath: dirname(suggested), properties: ['openDirectory' as const] };
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

export async function pickCaptureFile(): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow();
  const options = {
    title: 'Import a NetFlow capture',
    properties: ['openFile' as const],
    filters: [
      { name: 'NetFlow captures', extensions: ['csv', 'gz', 'parquet'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
