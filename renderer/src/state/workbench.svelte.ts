import type { Api, AppInfo, CaptureInfo } from '../../../preload/contract';
import type { Transport } from '../api';
import { CapturesState } from './captures.svelte';
import { ExploreTab } from './explore.svelte';
import { JobsState } from './jobs.svelte';
import { SqlConsoleState } from './sqlConsole.svelte';
import { ThemeState } from './theme.svelte';

export type Activity = 'captures' | 'explore';
export type PanelTab = 'jobs' | 'sql';

export interface Command {
  id: string;
  title: string;
  keybinding?: string;
  run(): void;
}

/** The root of renderer state: layout, open tabs, and the feature states beneath it. */
export class Workbench {
  readonly api: Api;
  readonly host: 'electron' | 'web';
  appInfo = $state.raw<AppInfo | null>(null);
  appError = $state<string | null>(null);

  activity = $state<Activity>('captures');
  sideBarVisible = $state(true);
  panelVisible = $state(true);
  panelTab = $state<PanelTab>('jobs');
  paletteOpen = $state(false);

  tabs = $state.raw<ExploreTab[]>([]);
  activeCaptureId = $state<number | null>(null);
  activeTab = $derived(this.tabs.find((t) => t.captureId === this.activeCaptureId) ?? null);

  readonly theme = new ThemeState();
  readonly jobs: JobsState;
  readonly captures: CapturesState;
  readonly sql: SqlConsoleState;

  /** Focus requests from commands to components (e.g. "Import capture" focuses the path field). */
  focusRequest = $state<{ target: 'import' | 'filter' | 'sql'; seq: number } | null>(null);

  constructor(readonly transport: Transport) {
    this.api = transport.api;
    this.host = transport.host;
    this.jobs = new JobsState(this.api);
    this.captures = new CapturesState(this.api, transport, this.jobs);
    this.sql = new SqlConsoleState(this.api);

    this.api.on('job:progress', (p) => {
      this.jobs.onProgress(p);
      this.captures.onProgress(p);
    });
    this.api.on('job:finished', (f) => {
      this.jobs.onFinished(f);
      this.captures.onFinished(f);
    });
    this.api.on('captures:changed', () => void this.refreshCaptures());
  }

  async start() {
    try {
      this.appInfo = await this.api.appInfo({});
    } catch (err) {
      this.appError = (err as Error).message;
    }
    await Promise.all([this.refreshCaptures(), this.jobs.load()]);
  }

  async refreshCaptures() {
    await this.captures.refresh();
    // close tabs whose capture was deleted
    const alive = new Set(this.captures.list.map((c) => c.id));
    if (this.tabs.some((t) => !alive.has(t.captureId))) {
      this.tabs = this.tabs.filter((t) => alive.has(t.captureId));
      if (this.activeCaptureId !== null && !alive.has(this.activeCaptureId)) this.activeCaptureId = this.tabs.at(-1)?.captureId ?? null;
    }
  }

  openCapture(capture: CaptureInfo) {
    if (!this.tabs.some((t) => t.captureId === capture.id)) this.tabs = [...this.tabs, new ExploreTab(this.api, capture)];
    this.activeCaptureId = capture.id;
    this.activity = 'explore';
    this.sideBarVisible = true;
  }

  closeTab(captureId: number) {
    const index = this.tabs.findIndex((t) => t.captureId === captureId);
    if (index < 0) return;
    this.tabs = this.tabs.filter((t) => t.captureId !== captureId);
    if (this.activeCaptureId === captureId) this.activeCaptureId = (this.tabs[index] ?? this.tabs[index - 1])?.captureId ?? null;
  }

  showActivity(activity: Activity) {
    if (this.activity === activity && this.sideBarVisible) this.sideBarVisible = false;
    else {
      this.activity = activity;
      this.sideBarVisible = true;
    }
  }

  showPanel(tab: PanelTab) {
    this.panelTab = tab;
    this.panelVisible = true;
  }

  requestFocus(target: 'import' | 'filter' | 'sql') {
    this.focusRequest = { target, seq: (this.focusRequest?.seq ?? 0) + 1 };
  }

  /** Every action, for the command palette. */
  commands = $derived.by((): Command[] => {
    const list: Command[] = [
      { id: 'view.captures', title: 'View: Show Captures', run: () => { this.activity = 'captures'; this.sideBarVisible = true; } },
      { id: 'view.explore', title: 'View: Show Explore', run: () => { this.activity = 'explore'; this.sideBarVisible = true; } },
      { id: 'view.toggleSideBar', title: 'View: Toggle Side Bar', keybinding: 'Ctrl+B', run: () => (this.sideBarVisible = !this.sideBarVisible) },
      { id: 'view.togglePanel', title: 'View: Toggle Bottom Panel', keybinding: 'Ctrl+J', run: () => (this.panelVisible = !this.panelVisible) },
      { id: 'view.jobs', title: 'View: Show Jobs', run: () => this.showPanel('jobs') },
      { id: 'view.sql', title: 'SQL: Open Console', run: () => { this.showPanel('sql'); this.requestFocus('sql'); } },
      { id: 'sql.run', title: 'SQL: Run Query', keybinding: 'Ctrl+Enter', run: () => { this.showPanel('sql'); void this.sql.run(); } },
      { id: 'theme.toggle', title: `Preferences: Toggle Theme (now ${this.theme.current})`, run: () => this.theme.toggle() },
      {
        id: 'captures.import',
        title: 'Captures: Import Capture…',
        run: () => {
          this.activity = 'captures';
          this.sideBarVisible = true;
          if (this.host === 'electron') void this.captures.pickAndImport();
          else this.requestFocus('import');
        },
      },
      { id: 'captures.refresh', title: 'Captures: Refresh List', run: () => void this.refreshCaptures() },
      { id: 'jobs.clear', title: 'Jobs: Clear Finished', run: () => this.jobs.clearFinished() },
    ];
    if (this.captures.importJobId) list.push({ id: 'captures.cancelImport', title: 'Captures: Cancel Import', run: () => void this.captures.cancelImport() });
    for (const c of this.captures.list) {
      list.push({ id: `explore.open.${c.id}`, title: `Explore: Open Capture #${c.id} ${c.fileName}`, run: () => this.openCapture(c) });
    }
    const tab = this.activeTab;
    if (tab) {
      list.push(
        { id: 'explore.addFilter', title: 'Explore: Add Filter Clause', keybinding: 'Ctrl+F', run: () => this.requestFocus('filter') },
        { id: 'explore.clearFilter', title: 'Explore: Clear Filter', run: () => tab.clearFilter() },
        { id: 'explore.clearBrush', title: 'Explore: Clear Brush (flow range)', run: () => tab.setFlowRange(undefined) },
        { id: 'explore.closeTab', title: `Explore: Close Tab ${tab.capture.fileName}`, run: () => this.closeTab(tab.captureId) },
      );
    }
    return list;
  });
}
