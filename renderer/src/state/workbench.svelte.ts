import type { Api, AppInfo, CaptureInfo } from '../../../preload/contract';
import type { Transport } from '../api';
import { CapturesState } from './captures.svelte';
import { ExploreTab } from './explore.svelte';
import { JobsState } from './jobs.svelte';
import { ModelState } from './model.svelte';
import { ScansState } from './scans.svelte';
import { SqlConsoleState } from './sqlConsole.svelte';
import { ThemeState } from './theme.svelte';

export type Activity = 'captures' | 'explore' | 'model';
export type FocusTarget = 'import' | 'filter' | 'sql' | 'train' | 'evaluate';
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
  /** the Model editor is one more editor tab, beside the Explore tabs */
  modelTabOpen = $state(false);
  modelTabActive = $state(false);

  readonly theme = new ThemeState();
  readonly jobs: JobsState;
  readonly captures: CapturesState;
  readonly sql: SqlConsoleState;
  readonly model: ModelState;
  readonly scans: ScansState;

  /** Focus requests from commands to components (e.g. "Import capture" focuses the path field). */
  focusRequest = $state<{ target: FocusTarget; seq: number } | null>(null);

  constructor(readonly transport: Transport) {
    this.api = transport.api;
    this.host = transport.host;
    this.jobs = new JobsState(this.api);
    this.captures = new CapturesState(this.api, transport, this.jobs);
    this.sql = new SqlConsoleState(this.api);
    this.model = new ModelState(this.api, this.jobs);
    this.scans = new ScansState(this.api, this.jobs);

    this.api.on('job:progress', (p) => {
      this.jobs.onProgress(p);
      this.captures.onProgress(p);
      this.model.onProgress(p);
      this.scans.onProgress(p);
    });
    this.api.on('job:finished', (f) => {
      this.jobs.onFinished(f);
      this.captures.onFinished(f);
      this.model.onFinished(f);
      this.scans.onFinished(f);
    });
    this.api.on('captures:changed', () => void this.refreshCaptures());
    this.api.on('models:changed', () => void this.model.refresh());
    this.api.on('scans:changed', () => void this.scans.refresh());
    this.api.on('train:epoch', (e) => this.model.onEpoch(e));
    this.api.on('train:batch', (b) => this.model.onBatch(b));
  }

  async start() {
    try {
      this.appInfo = await this.api.appInfo({});
    } catch (err) {
      this.appError = (err as Error).message;
    }
    await Promise.all([this.refreshCaptures(), this.jobs.load(), this.model.refresh(), this.model.loadBackend(), this.scans.refresh()]);
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
    this.modelTabActive = false;
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
      if (activity === 'model') this.openModelEditor();
    }
  }

  /** Shows the Model view: its side bar (models) and its editor (train, metrics, evaluate). */
  openModel() {
    this.activity = 'model';
    this.sideBarVisible = true;
    this.openModelEditor();
  }

  openModelEditor() {
    this.modelTabOpen = true;
    this.modelTabActive = true;
  }

  activateExploreTab(captureId: number) {
    this.activeCaptureId = captureId;
    this.modelTabActive = false;
  }

  closeModelEditor() {
    this.modelTabOpen = false;
    this.modelTabActive = false;
  }

  /** Scans a capture with the selected model (or the default one when none is chosen). */
  scanCapture(captureId: number) {
    const model = this.model.scanModel;
    void this.scans.scan(captureId, model ? { id: model.id, name: model.name } : null);
  }

  showPanel(tab: PanelTab) {
    this.panelTab = tab;
    this.panelVisible = true;
  }

  requestFocus(target: FocusTarget) {
    this.focusRequest = { target, seq: (this.focusRequest?.seq ?? 0) + 1 };
  }

  /** Every action, for the command palette. */
  commands = $derived.by((): Command[] => {
    const list: Command[] = [
      { id: 'view.captures', title: 'View: Show Captures', run: () => { this.activity = 'captures'; this.sideBarVisible = true; } },
      { id: 'view.explore', title: 'View: Show Explore', run: () => { this.activity = 'explore'; this.sideBarVisible = true; } },
      { id: 'view.model', title: 'View: Open Model View', run: () => this.openModel() },
      { id: 'model.train', title: 'Model: Train Detector…', run: () => { this.openModel(); this.requestFocus('train'); } },
      { id: 'model.evaluate', title: 'Model: Evaluate Selected Model on a Capture…', run: () => { this.openModel(); this.requestFocus('evaluate'); } },
      { id: 'model.refresh', title: 'Model: Refresh Models and Backend', run: () => { void this.model.refresh(); void this.model.loadBackend(); } },
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
    if (this.model.run) list.push({ id: 'model.cancelTraining', title: 'Model: Cancel Training', run: () => void this.model.cancelTraining() });
    if (this.model.evalJobId) list.push({ id: 'model.cancelEvaluation', title: 'Model: Cancel Evaluation', run: () => void this.model.cancelEvaluation() });
    if (this.captures.importJobId) list.push({ id: 'captures.cancelImport', title: 'Captures: Cancel Import', run: () => void this.captures.cancelImport() });
    for (const c of this.captures.list) {
      list.push({ id: `explore.open.${c.id}`, title: `Explore: Open Capture #${c.id} ${c.fileName}`, run: () => this.openCapture(c) });
      if (this.scans.running[c.id]) list.push({ id: `scan.cancel.${c.id}`, title: `Scan: Cancel Scan of #${c.id} ${c.fileName}`, run: () => void this.scans.cancel(c.id) });
      else
        list.push({
          id: `scan.capture.${c.id}`,
          title: `Scan: Scan Capture #${c.id} ${c.fileName}`,
          run: () => {
            this.activity = 'captures';
            this.sideBarVisible = true;
            this.scanCapture(c.id);
          },
        });
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
