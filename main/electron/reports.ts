/** The Electron host's part of report export: printing PDF with its own Chromium, and showing files. */
import { BrowserWindow, shell } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function printPdf(html: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'mindflow-print-'));
  const page = join(dir, 'report.html');
  await writeFile(page, html);
  // An offscreen, sandboxed window with no preload: the report is data, never code.
  const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false } });
  try {
    await win.loadURL(pathToFileURL(page).href);
    return await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4', margins: { marginType: 'default' } });
  } finally {
    win.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function reveal(path: string, show: boolean): Promise<boolean> {
  if (show) {
    shell.showItemInFolder(path);
    return true;
  }
  return (await shell.openPath(path)) === '';
}
