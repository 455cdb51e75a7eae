import { app, BrowserWindow, dialog, screen } from 'electron';
import type { Session } from '../core/session.ts';
import { placeWindow, readSavedWindow, writeSavedWindow } from '../core/windowState.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

let quitting = false;
app.on('before-quit', () => (quitting = true));

/**
 * Closing the window while jobs run (an import, a training run, a scan, an export) would stop
 * them where closing ends the app: ask first, and keep working unless the analyst says stop.
 */
function confirmClose(win: BrowserWindow, session: Session, event: { preventDefault(): void }): boolean {
  const endsApp = quitting || process.platform !== 'darwin';
  const running = session.workbench.jobs.list();
  if (!endsApp || running.length === 0) return true;
  const one = running.length === 1;
  const names = running.slice(0, 5).map((j) => `• ${j.label}`).join('\n') + (running.length > 5 ? `\n• and ${running.length - 5} more` : '');
  const choice = dialog.showMessageBoxSync(win, {
    type: 'warning',
    title: 'MindFlow Workbench',
    message: one ? 'A job is still running' : `${running.length} jobs are still running`,
    detail: `${names}\n\nClosing MindFlow stops ${one ? 'it' : 'them'}, and what ${one ? 'it was' : 'they were'} making is not kept.`,
    buttons: ['Keep working', one ? 'Stop it and close' : 'Stop them and close'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  });
  if (choice === 0) {
    event.preventDefault();
    quitting = false;
    return false;
  }
  return true;
}

/** Where the window was last closed (app data folder), so the next one opens there. */
const savedWindowFile = () => join(app.getPath('userData'), 'window-state.json');
const SIZES = { width: 1440, height: 900, minWidth: 960, minHeight: 600 };

function saveWindow(win: BrowserWindow): void {
  try {
    writeSavedWindow(savedWindowFile(), { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  } catch {
    // a read-only app data folder: the next window opens at the default place
  }
}

export function createMainWindow(session: Session): BrowserWindow {
  const place = placeWindow(readSavedWindow(savedWindowFile()), screen.getAllDisplays().map((d) => d.workArea), SIZES);
  const win = new BrowserWindow({
    ...(place.x !== undefined && place.y !== undefined ? { x: place.x, y: place.y } : {}),
    width: place.width,
    height: place.height,
    minWidth: SIZES.minWidth,
    minHeight: SIZES.minHeight,
    show: false,
    title: 'MindFlow Workbench',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  // maximize() shows the window too: only once the renderer has painted
  win.once('ready-to-show', () => (place.maximized ? win.maximize() : win.show()));
  win.on('close', (event) => {
    if (confirmClose(win, session, event)) saveWindow(win);
  });
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(join(here, '../renderer/index.html'));
  return win;
}
