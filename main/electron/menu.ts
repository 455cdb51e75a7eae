/**
 * The desktop app's menu bar, built from preload/menu.ts: a command item sends its id to the
 * focused window, which runs it as the palette would (so the menu does nothing the renderer
 * could not); Electron's roles do editing, zoom, windows and quitting.
 */
import { app, BrowserWindow, Menu, type MenuItemConstructorOptions } from 'electron';
import { APP_MENU, type MenuEntry } from '../../preload/menu.ts';

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

export function installMenu(): void {
  const mac = process.platform === 'darwin';
  const [file, view] = APP_MENU.map((section) => ({ label: section.label, submenu: section.entries.map(item) }));
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    { ...file!, submenu: [...file!.submenu, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    // the developer tools only where the renderer is served for development
    { ...view!, submenu: [...view!.submenu, ...(process.env.ELECTRON_RENDERER_URL ? [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }] : [])] },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: `MindFlow Workbench ${app.getVersion()}`, enabled: false }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
