/**
 * The desktop app's menu bar, built from preload/menu.ts: a command item sends its id to the
 * focused window, which runs it as the palette would (so the menu does nothing the renderer
 * could not); Electron's roles do editing, zoom, windows and quitting. File › Open Recent lists
 * the session's recent projects and is rebuilt whenever another project opens; the system's own
 * recent documents (macOS Dock, Windows jump list) get each project too.
 */
import { app, BrowserWindow, dialog, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import { homedir } from 'node:os';
import { APP_MENU, type MenuEntry } from '../../preload/menu.ts';
import type { Session } from '../core/session.ts';

const MAX_RECENT_ITEMS = 10;

function item(entry: MenuEntry): MenuItemConstructorOptions {
  if (entry === 'separator') return { type: 'separator' };
  if ('role' in entry) return { role: entry.role as MenuItemConstructorOptions['role'] };
  const { commandId } = entry;
  return {
    label: entry.label,
    accelerator: entry.accelerator,
    click: () => {
      const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      win?.webContents.send('mindflow:event:menu:command', { commandId });
    },
  };
}

/** `/home/ana/cases` as `~/cases`. */
function shortFolder(folder: string): string {
  const home = homedir();
  return home && (folder === home || folder.startsWith(`${home}/`)) ? `~${folder.slice(home.length)}` : folder;
}

function openRecent(session: Session, path: string): void {
  session.openProject(path, false).catch((err: unknown) => {
    dialog.showErrorBox(`MindFlow Workbench could not open ${path}`, err instanceof Error ? err.message : String(err));
  });
}

/** File › Open Recent: the other projects opened before, newest first; a missing one greyed out. */
function recentMenu(session: Session): MenuItemConstructorOptions {
  const others = session.recent.list(session.workbench.project.path).filter((p) => !p.current).slice(0, MAX_RECENT_ITEMS);
  const submenu: MenuItemConstructorOptions[] = others.map((p) => ({
    label: `${p.name} — ${shortFolder(p.folder)}${p.exists ? '' : ' (missing)'}`,
    enabled: p.exists,
    click: () => openRecent(session, p.path),
  }));
  if (submenu.length === 0) submenu.push({ label: 'No other projects yet', enabled: false });
  submenu.push({ type: 'separator' }, {
    label: 'Clear Recently Opened',
    enabled: others.length > 0,
    click: () => {
      for (const p of others) session.recent.forget(p.path);
      app.clearRecentDocuments();
      installMenu(session);
    },
  });
  return { label: 'Open Recent', submenu };
}

export function installMenu(session: Session): void {
  const mac = process.platform === 'darwin';
  const [fileSection, viewSection] = APP_MENU.map((section) => ({ label: section.label, submenu: section.entries.map(item) }));
  const fileItems = fileSection!.submenu;
  const openAt = APP_MENU[0]!.entries.findIndex((e) => e !== 'separator' && 'commandId' in e && e.commandId === 'project.open');
  fileItems.splice(openAt + 1, 0, recentMenu(session));
  // a project is a file to copy, archive or hand over: the file manager shows it
  fileItems.push({ type: 'separator' }, { label: 'Show Project in Folder', click: () => shell.showItemInFolder(session.workbench.project.path) });
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    { ...fileSection!, submenu: [...fileItems, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    // the developer tools only where the renderer is served for development
    { ...viewSection!, submenu: [...viewSection!.submenu, ...(process.env.ELECTRON_RENDERER_URL ? [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }] : [])] },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: `MindFlow Workbench ${app.getVersion()}`, enabled: false },
        // the sample project, the recent list and the window's place live there
        { label: 'Show App Data Folder', click: () => void shell.openPath(app.getPath('userData')) },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Keeps Open Recent and the system's recent documents up to date as projects open. */
export function followProjects(session: Session): void {
  app.addRecentDocument(session.workbench.project.path);
  session.subscribe((event, payload) => {
    if (event !== 'project:changed') return;
    app.addRecentDocument((payload as { projectPath: string }).projectPath);
    installMenu(session);
  });
}
