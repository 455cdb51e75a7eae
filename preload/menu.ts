/**
 * The desktop app's menu bar as data: palette commands (by id, run by the renderer) and
 * Electron roles. main/electron/menu.ts builds the native menu from it; a unit test checks that
 * every id names a command of the palette.
 */
export type MenuEntry =
  | { label: string; commandId: string; accelerator?: string }
  | { role: string }
  | 'separator';

export interface MenuSection {
  label: string;
  entries: MenuEntry[];
}

export const APP_MENU: MenuSection[] = [
  {
    label: 'File',
    entries: [
      { label: 'Open Project…', commandId: 'project.open', accelerator: 'CmdOrCtrl+O' },
      { label: 'New Project…', commandId: 'project.new' },
      { label: 'Compact Project…', commandId: 'project.compact' },
      'separator',
      { label: 'Import Capture…', commandId: 'captures.import' },
    ],
  },
  {
    label: 'View',
    entries: [
      { label: 'Command Palette…', commandId: 'view.palette', accelerator: 'CmdOrCtrl+Shift+P' },
      'separator',
      { label: 'Captures', commandId: 'view.captures' },
      { label: 'Explore', commandId: 'view.explore' },
      { label: 'Detections', commandId: 'view.detections' },
      { label: 'Model', commandId: 'view.model' },
      { label: 'Incidents', commandId: 'view.incidents' },
      'separator',
      { label: 'Toggle Side Bar', commandId: 'view.toggleSideBar', accelerator: 'CmdOrCtrl+B' },
      { label: 'Toggle Bottom Panel', commandId: 'view.togglePanel', accelerator: 'CmdOrCtrl+J' },
      { label: 'SQL Console', commandId: 'view.sql' },
      { label: 'Toggle Theme', commandId: 'theme.toggle' },
      'separator',
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'togglefullscreen' },
    ],
  },
];
