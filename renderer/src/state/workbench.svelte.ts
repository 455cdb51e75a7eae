import { MAX_INCIDENT_WINDOWS, type Api, type AppInfo, type CaptureInfo, type FilterClause, type ModelSummary, type Verdict } from '../../../preload/contract';
import type { Transport } from '../api';
import { CapturesState } from './captures.svelte';
import { DetectionsState, verdictLabels, type QueueLink } from './detections.svelte';
import { DrilldownTab, drilldownKey } from './drilldown.svelte';
import { ExploreTab } from './explore.svelte';
import { IncidentsState, IncidentTab, incidentKey } from './incidents.svelte';
import { ReportExportState } from './reportExport.svelte';
import { FlowExportState } from './flowExport.svelte';
import { WindowExportState } from './windowExport.svelte';
import { HostLookupState } from './hostLookup.svelte';
import { ProjectsState } from './projects.svelte';
import { AuditState } from './audit.svelte';
import { AuditExportState } from './auditExport.svelte';
import { CompactState } from './compact.svelte';
import { ColumnPrefs } from './columnPrefs.svelte';
import { scanResult } from '../lib/jobResults';
import { scanChoice, type ScanChoice } from '../lib/modelFit';
import { JobsState } from './jobs.svelte';
import { ModelState } from './model.svelte';
import { ScansState } from './scans.svelte';
import { SqlConsoleState } from './sqlConsole.svelte';
import { ThemeState } from './theme.svelte';
import { LayoutState } from './layout.svelte';
import { ConnectionState } from './connection.svelte';

export type Activity = 'captures' | 'explore' | 'detections' | 'model' | 'incidents';
/** every editor tab: the Model and Detections editors, one Explore tab per capture, one drill-down per window, one editor per incident */
export type EditorKey = 'model' | 'detections' | `explore:${number}` | `window:${number}:${number}` | `incident:${number}`;
export type FocusTarget = 'import' | 'filter' | 'sql' | 'train' | 'evaluate' | 'queue' | 'reason' | 'note';
export type PanelTab = 'jobs' | 'sql' | 'audit';

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
  /** the web host's event stream, for the status bar */
  readonly connection = new ConnectionState();

  activity = $state<Activity>('captures');
  /** shown or hidden as the analyst left them (kept with the layout's sizes) */
  get sideBarVisible(): boolean {
    return this.layout.sideBarVisible;
  }
  set sideBarVisible(shown: boolean) {
    this.layout.sideBarVisible = shown;
  }
  get panelVisible(): boolean {
    return this.layout.panelVisible;
  }
  set panelVisible(shown: boolean) {
    this.layout.panelVisible = shown;
  }
  panelTab = $state<PanelTab>('jobs');
  paletteOpen = $state(false);

  tabs = $state.raw<ExploreTab[]>([]);
  /** the capture of the Explore tab shown last (top talkers, status bar, SQL console follow it) */
  activeCaptureId = $state<number | null>(null);
  activeTab = $derived(this.tabs.find((t) => t.captureId === this.activeCaptureId) ?? null);
  /** the Model and Detections editors are editor tabs too, beside the Explore and drill-down tabs */
  modelTabOpen = $state(false);
  detectionsTabOpen = $state(false);
  drilldowns = $state.raw<DrilldownTab[]>([]);
  activeEditor = $state<EditorKey | null>(null);
  modelTabActive = $derived(this.activeEditor === 'model');
  detectionsTabActive = $derived(this.activeEditor === 'detections');
  exploreActive = $derived(this.activeEditor !== null && this.activeEditor.startsWith('explore:'));
  activeDrilldown = $derived(this.drilldowns.find((d) => d.key === this.activeEditor) ?? null);
  incidentTabs = $state.raw<IncidentTab[]>([]);
  activeIncident = $derived(this.incidentTabs.find((t) => t.key === this.activeEditor) ?? null);
  /** open editors in tab order */
  editors = $derived<EditorKey[]>([
    ...(this.modelTabOpen ? (['model'] as const) : []),
    ...(this.detectionsTabOpen ? (['detections'] as const) : []),
    ...this.tabs.map((t) => `explore:${t.captureId}` as const),
    ...this.drilldowns.map((d) => d.key),
    ...this.incidentTabs.map((t) => t.key),
  ]);

  readonly theme = new ThemeState();
  /** the side bar's width and the panel's height, resizable by their sashes */
  readonly layout = new LayoutState();
  readonly jobs: JobsState;
  readonly captures: CapturesState;
  readonly sql: SqlConsoleState;
  readonly model: ModelState;
  readonly scans: ScansState;
  readonly detections: DetectionsState;
  readonly incidents: IncidentsState;
  /** the export dialog (one at a time) */
  readonly reportExport: ReportExportState;
  /** the export dialog of an Explore tab's matching flows */
  readonly flowExport: FlowExportState;
  /** the export dialog of the Detections queue */
  readonly windowExport: WindowExportState;
  /** the "host in every capture" dialog */
  readonly hostLookup: HostLookupState;
  /** the Open / New Project dialog and the recent projects */
  readonly projects: ProjectsState;
  /** the audit trail panel */
  readonly audit: AuditState;
  /** the export dialog of the audit trail */
  readonly auditExport: AuditExportState;
  /** the Compact Project dialog */
  readonly compact: CompactState;
  /** another project is open: the page is starting over on it */
  switchingProject = $state<string | null>(null);
  /** the flow table's hidden columns per schema version, kept across restarts */
  readonly columnPrefs = new ColumnPrefs();

  /** the Detections editor shows the queue or the scan's metrics and threshold */
  detectionsPane = $state<'queue' | 'metrics'>('queue');
  /** bumped by the "Measure Queue Scroll" command; the queue runs its scroll bench */
  benchRequest = $state<number | null>(null);

  /** the incident whose editor takes focus once it is on the page (one just created from the dialog) */
  focusIncident = $state<number | null>(null);

  /** Focus requests from commands to components (e.g. "Import capture" focuses the path field). */
  focusRequest = $state<{ target: FocusTarget; seq: number } | null>(null);

  constructor(
    readonly transport: Transport,
    /** starts the page over (a reload): what a switch of project does to every window */
    private readonly restart: () => void = () => window.location.reload(),
  ) {
    this.api = transport.api;
    this.host = transport.host;
    this.jobs = new JobsState(this.api);
    this.captures = new CapturesState(this.api, transport, this.jobs);
    this.sql = new SqlConsoleState(this.api);
    this.model = new ModelState(this.api, this.jobs);
    this.scans = new ScansState(this.api, this.jobs);
    this.detections = new DetectionsState(this.api);
    this.incidents = new IncidentsState(this.api);
    this.reportExport = new ReportExportState(this.api, this.jobs);
    this.flowExport = new FlowExportState(this.api, this.jobs);
    this.windowExport = new WindowExportState(this.api, this.jobs);
    this.hostLookup = new HostLookupState(this.api);
    this.auditExport = new AuditExportState(this.api, this.jobs);
    this.compact = new CompactState(this.api, () => this.jobs.running.length, () => (this.captures.deleted = null));
    this.audit = new AuditState(this.api, () => this.detections.scanId, () => this.panelVisible && this.panelTab === 'audit');
    this.projects = new ProjectsState(this.api, () => this.jobs.running.length, (path) => this.onProjectChanged(path));

    transport.watchConnection?.((up) => this.connection.onChange(up));

    this.api.on('job:progress', (p) => {
      this.jobs.onProgress(p);
      this.captures.onProgress(p);
      this.model.onProgress(p);
      this.scans.onProgress(p);
      this.reportExport.onProgress(p);
      this.flowExport.onProgress(p);
      this.windowExport.onProgress(p);
      this.auditExport.onProgress(p);
    });
    this.api.on('job:finished', (f) => {
      this.jobs.onFinished(f);
      this.captures.onFinished(f);
      this.model.onFinished(f);
      this.scans.onFinished(f);
      this.reportExport.onFinished(f);
      this.flowExport.onFinished(f);
      this.windowExport.onFinished(f);
      this.auditExport.onFinished(f);
      const scanned = f.kind === 'scan' && f.ok ? scanResult(f) : null;
      if (scanned) {
        // a scan that ends while the analyst is elsewhere is what Detections shows next; one that
        // ends while they triage another capture leaves their queue where it is
        if (this.activity !== 'detections') void this.detections.setCapture(scanned.captureId);
        this.detections.onScansChanged(scanned.captureId);
        void this.scans.refresh().then(() => this.followScannedCapture());
      }
    });
    this.api.on('captures:changed', () => void this.refreshCaptures());
    this.api.on('models:changed', () => void this.model.refresh());
    this.api.on('scans:changed', (e) => {
      void this.scans.refresh().then(() => this.followScannedCapture());
      this.detections.onScansChanged(e.captureId);
      // a new scan is somewhere to move an incident to; a deleted one no longer is
      for (const t of this.incidentTabs) void t.loadMoveTargets();
      // a deleted scan is in the audit trail
      this.audit.onChanged();
      void this.closeDeletedScanTabs();
    });
    this.api.on('verdicts:changed', (e) => {
      this.detections.onVerdictsChanged(e.scanId);
      for (const d of this.drilldowns) d.onVerdictsChanged(e.scanId, e.windowIds);
      for (const t of this.incidentTabs) t.onVerdictsChanged(e.scanId, e.windowIds);
      this.audit.onChanged();
    });
    this.api.on('notes:changed', () => this.audit.onChanged());
    this.api.on('incidents:changed', (e) => void this.onIncidentsChanged(e.incidentIds));
    this.api.on('train:epoch', (e) => this.model.onEpoch(e));
    this.api.on('train:batch', (b) => this.model.onBatch(b));
    this.api.on('project:changed', (e) => this.onProjectChanged(e.projectPath));
    this.api.on('menu:command', (e) => this.runCommand(e.commandId));
  }

  /** Runs a palette command by id (the desktop app's menu does so); false when none has that id now. */
  runCommand(id: string): boolean {
    const command = this.commands.find((c) => c.id === id);
    command?.run();
    return !!command;
  }

  /**
   * Another project is open (from this window, another one, or another browser tab): every tab,
   * page cache and selection belonged to the old one, so the page starts over on the new one.
   */
  onProjectChanged(projectPath: string) {
    if (this.switchingProject !== null || projectPath === this.appInfo?.projectPath) return;
    this.switchingProject = projectPath;
    this.restart();
  }

  /** the project's name: its file name without `.duckdb` */
  get projectName(): string | null {
    const path = this.appInfo?.projectPath;
    return path ? (path.split(/[\\/]/).pop() ?? path).replace(/\.duckdb$/i, '') : null;
  }

  async start() {
    try {
      this.appInfo = await this.api.appInfo({});
    } catch (err) {
      this.appError = (err as Error).message;
    }
    await Promise.all([this.refreshCaptures(), this.jobs.load(), this.model.refresh(), this.model.loadBackend(), this.scans.refresh(), this.incidents.refresh(), this.projects.refresh()]);
    // Detections opens on the most recently scanned capture (the lists above load together)
    const newest = this.newestScannedCapture();
    if (newest !== null) void this.detections.setCapture(newest);
  }

  /** The Detections view shows a capture that has a scan, while the one it shows has none. */
  followScannedCapture() {
    const det = this.detections;
    if (det.captureId !== null && this.scans.latest[det.captureId]) return;
    const scanned = this.newestScannedCapture();
    if (scanned !== null) void det.setCapture(scanned);
  }

  /** The capture whose latest scan is the newest of all, or null when none has one. */
  newestScannedCapture(): number | null {
    let newest: { capture: number; scan: number } | null = null;
    for (const c of this.captures.list) {
      const scan = this.scans.latest[c.id];
      if (scan && (!newest || scan.id > newest.scan)) newest = { capture: c.id, scan: scan.id };
    }
    return newest?.capture ?? null;
  }

  async refreshCaptures() {
    await this.captures.refresh();
    // close tabs whose capture was deleted
    const alive = new Set(this.captures.list.map((c) => c.id));
    for (const t of this.tabs) if (!alive.has(t.captureId)) this.closeEditor(`explore:${t.captureId}`);
    // the Detections view shows the most recently scanned capture until one is chosen
    if (this.detections.captureId === null || !alive.has(this.detections.captureId)) {
      void this.detections.setCapture(this.newestScannedCapture() ?? this.captures.list[0]?.id ?? null);
    }
  }

  /** Shows an editor tab; Explore tabs also become the capture the side bar and status bar follow. */
  activate(key: EditorKey) {
    this.activeEditor = key;
    if (key.startsWith('explore:')) this.activeCaptureId = Number(key.slice('explore:'.length));
  }

  /** Closes an editor tab; the tab to its right (else left) becomes active. */
  closeEditor(key: EditorKey) {
    const order = this.editors;
    const index = order.indexOf(key);
    if (index < 0) return;
    if (key === 'model') this.modelTabOpen = false;
    else if (key === 'detections') this.detectionsTabOpen = false;
    else if (key.startsWith('explore:')) {
      const id = Number(key.slice('explore:'.length));
      this.tabs = this.tabs.filter((t) => t.captureId !== id);
      if (this.activeCaptureId === id) this.activeCaptureId = this.tabs.at(-1)?.captureId ?? null;
    } else if (key.startsWith('incident:')) this.incidentTabs = this.incidentTabs.filter((t) => t.key !== key);
    else this.drilldowns = this.drilldowns.filter((d) => d.key !== key);
    if (this.activeEditor === key) this.activeEditor = order[index + 1] ?? order[index - 1] ?? null;
    if (this.activeEditor?.startsWith('explore:')) this.activate(this.activeEditor);
  }

  openCapture(capture: CaptureInfo) {
    if (!this.tabs.some((t) => t.captureId === capture.id)) this.tabs = [...this.tabs, new ExploreTab(this.api, capture, this.scans.latest[capture.id]?.id ?? null, this.columnPrefs)];
    this.activate(`explore:${capture.id}`);
    this.activity = 'explore';
    this.sideBarVisible = true;
  }

  closeTab(captureId: number) {
    this.closeEditor(`explore:${captureId}`);
  }

  /** Pivot: Explore the capture with exactly these clauses. */
  exploreWith(captureId: number, clauses: FilterClause[]) {
    const capture = this.captures.byId(captureId);
    if (!capture) return;
    this.openCapture(capture);
    const tab = this.tabs.find((t) => t.captureId === captureId);
    if (!tab || !clauses.length) return;
    tab.newSearch(clauses[0]!);
    for (const c of clauses.slice(1)) tab.addClause(c);
  }

  /** Shows the Detections view: side bar (scan, counts, filters) and the queue editor. */
  openDetections() {
    this.activity = 'detections';
    this.sideBarVisible = true;
    this.detectionsTabOpen = true;
    this.activate('detections');
    this.requestFocus('queue');
  }

  /**
   * Opens (or shows) the drill-down of a flagged window. `queueIndex`: it was opened from that row
   * of the Detections queue, and its Previous / Next follow the queue; otherwise capture order.
   */
  openWindow(scanId: number, windowId: number, queueIndex?: number) {
    const key = drilldownKey(scanId, windowId);
    const link = queueIndex === undefined || scanId !== this.detections.scanId ? null : this.detections.linkAt(queueIndex);
    const open = this.drilldowns.find((d) => d.key === key);
    if (open) open.queue = link;
    else this.drilldowns = [...this.drilldowns, new DrilldownTab(this.api, scanId, windowId, link)];
    this.activate(key);
  }

  /**
   * The order a drill-down's Previous / Next follow: the queue's (while the queue keeps the sort
   * and filters it was opened under) or capture order; and whether each way has a window.
   */
  drilldownSteps(d: DrilldownTab): { queue: boolean; previous: boolean; next: boolean; order: string; position: string | null } {
    const det = this.detections;
    if (det.follows(d.queue)) {
      const sort = `${{ score: 'score', class: 'class', size: 'flows', host: 'source and destination', order: 'capture order' }[det.sort.by]} ${det.sort.dir === 'asc' ? 'ascending' : 'descending'}`;
      const row = det.pager.row(d.queue.index);
      return {
        queue: true,
        previous: det.neighbour(d.queue, d.windowId, -1) !== null,
        next: det.neighbour(d.queue, d.windowId, 1) !== null,
        order: `the Detections queue's order (sorted by ${sort}, with its filters)`,
        position: row && row.id !== d.windowId ? null : `${(d.queue.index + 1).toLocaleString('en-US')} of ${det.pager.total.toLocaleString('en-US')} in the queue`,
      };
    }
    return { queue: false, previous: d.detail?.previousId != null, next: d.detail?.nextId != null, order: 'capture order (every flagged window of the scan)', position: null };
  }

  /** Shows the Incidents view: the list in the side bar. */
  openIncidents() {
    this.activity = 'incidents';
    this.sideBarVisible = true;
  }

  /** Opens (or shows) an incident's editor tab. */
  openIncident(id: number) {
    const key = incidentKey(id);
    if (!this.incidentTabs.some((t) => t.key === key)) this.incidentTabs = [...this.incidentTabs, new IncidentTab(this.api, id, (i) => this.incidents.put(i))];
    this.activate(key);
  }

  /** Shows the Incidents view with an incident's editor in front. */
  showIncident(id: number) {
    this.openIncidents();
    this.openIncident(id);
  }

  /** Closes the drill-downs of windows whose scan was deleted. */
  async closeDeletedScanTabs() {
    if (!this.drilldowns.length) return;
    try {
      const alive = new Set((await this.api.listScans({})).map((s) => s.id));
      for (const d of this.drilldowns) if (!alive.has(d.scanId)) this.closeEditor(d.key);
    } catch {
      // a drill-down of a deleted scan says so itself when it reloads
    }
  }

  /** Incidents changed (here, in another window, from the CLI): list again, reload open editors, close deleted ones. */
  async onIncidentsChanged(ids: number[]) {
    await this.incidents.refresh();
    const alive = new Set(this.incidents.list.map((i) => i.id));
    for (const t of this.incidentTabs) {
      if (!alive.has(t.id)) this.closeEditor(t.key);
      else if (ids.includes(t.id)) void t.load();
      // another incident's windows, title or status may have changed what this one is related to
      else void t.loadRelated();
    }
  }

  /** The windows an incident action applies to: the drill-down's window when one is shown, else the x-selection or the cursor's. */
  incidentTargets(): { scanId: number | null; windowIds: number[] } {
    const d = this.activeDrilldown;
    if (d) return { scanId: d.scanId, windowIds: [d.windowId] };
    return { scanId: this.detections.scanId, windowIds: this.detections.targets() };
  }

  /** "Create incident…" / "Add to incident…": opens the dialog for the current targets. */
  askIncident(mode: 'create' | 'add') {
    const det = this.detections;
    if (!this.activeDrilldown && det.allMatching) {
      void det.matchingIds(MAX_INCIDENT_WINDOWS).then(
        (ids) => {
          if (ids) this.incidents.ask(mode, det.scanId, ids);
          else this.incidents.message = { text: `An incident holds at most ${MAX_INCIDENT_WINDOWS.toLocaleString('en-US')} windows, and ${det.pager.total.toLocaleString('en-US')} match: narrow the queue's filters first.`, error: true };
        },
        (err: Error) => (this.incidents.message = { text: err.message, error: true }),
      );
      return;
    }
    const { scanId, windowIds } = this.incidentTargets();
    this.incidents.ask(mode, scanId, windowIds);
  }

  /** Deletes an incident (after the editor's confirm) and closes its tab. */
  async deleteIncident(tab: IncidentTab) {
    if (!(await tab.remove())) return;
    this.closeEditor(tab.key);
    this.incidents.drop(tab.id);
    this.incidents.message = { text: `Deleted incident #${tab.id}`, error: false };
  }

  /**
   * Replaces the active drill-down with a neighbouring window's: the queue's previous / next row
   * (moving the queue's cursor along) when it was opened from the queue, else the previous / next
   * flagged window in capture order.
   */
  async stepWindow(direction: -1 | 1) {
    const d = this.activeDrilldown;
    if (!d) return;
    const det = this.detections;
    if (det.follows(d.queue)) {
      const index = det.neighbour(d.queue, d.windowId, direction);
      if (index === null) return;
      const link = { ...d.queue, index };
      const w = await det.stepTo(index);
      if (!w || this.activeDrilldown !== d || !det.follows(link)) return;
      this.replaceDrilldown(d, w.scanId, w.id, link);
      return;
    }
    const target = direction < 0 ? d.detail?.previousId : d.detail?.nextId;
    if (target === null || target === undefined) return;
    this.replaceDrilldown(d, d.scanId, target, null);
  }

  /** Shows window `windowId` in the place of drill-down `d` (its tab, unless that window has one open already). */
  private replaceDrilldown(d: DrilldownTab, scanId: number, windowId: number, link: QueueLink | null) {
    const key = drilldownKey(scanId, windowId);
    const open = this.drilldowns.find((x) => x.key === key);
    if (open) open.queue = link;
    else this.drilldowns = this.drilldowns.map((x) => (x === d ? new DrilldownTab(this.api, scanId, windowId, link) : x));
    this.activate(key);
  }

  /** A verdict from the keyboard or the palette: the drill-down's window when one is shown, else the queue's. */
  verdict(verdict: Verdict | null) {
    const d = this.activeDrilldown;
    if (d) void d.setVerdict(verdict);
    else void this.detections.setVerdict(verdict);
  }

  /** Opens the host lookup: on the address the current Explore tab filters on, if any. */
  findHost(host?: string) {
    const clause = this.activeTab?.clauses.find((c) => c.op === '=' && ['host', 'IPV4_SRC_ADDR', 'IPV4_DST_ADDR'].includes(c.field));
    const wanted = host ?? (clause ? String(clause.value) : undefined);
    this.hostLookup.show(wanted);
  }

  /** Explore pivots of a window: host, src→dst pair, port. */
  pivotWindow(kind: 'host' | 'pair' | 'port', value: { host?: string; src?: string; dst?: string; port?: number }, captureId: number) {
    if (kind === 'host' && value.host) this.exploreWith(captureId, [{ field: 'host', op: '=', value: value.host }]);
    else if (kind === 'pair' && value.src && value.dst)
      this.exploreWith(captureId, [
        { field: 'IPV4_SRC_ADDR', op: '=', value: value.src },
        { field: 'IPV4_DST_ADDR', op: '=', value: value.dst },
      ]);
    else if (kind === 'port' && value.port !== undefined) this.exploreWith(captureId, [{ field: 'port', op: '=', value: value.port }]);
  }

  showActivity(activity: Activity) {
    if (this.activity === activity && this.sideBarVisible) this.sideBarVisible = false;
    else {
      this.activity = activity;
      this.sideBarVisible = true;
      if (activity === 'model') this.openModelEditor();
      if (activity === 'detections') this.openDetections();
      if (activity === 'incidents') void this.incidents.refresh();
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
    this.activate('model');
  }

  activateExploreTab(captureId: number) {
    this.activate(`explore:${captureId}`);
  }

  closeModelEditor() {
    this.closeEditor('model');
  }

  /**
   * Scans a capture with the selected model (or the default one when none is chosen), or the
   * built-in one that can read it; a capture no model can read is refused here, on the card.
   */
  scanCapture(captureId: number) {
    const choice = this.scanChoiceFor(captureId);
    if (choice.blocked) {
      this.scans.refuse(captureId, choice.note ?? 'no model of this project can read this capture');
      return;
    }
    const model = choice.model;
    void this.scans.scan(captureId, model ? { id: model.id, name: model.name } : null);
  }

  /** The model a scan of this capture uses (see scanChoiceFor). */
  scanModelFor(captureId: number): ModelSummary | null {
    return this.scanChoiceFor(captureId).model;
  }

  /**
   * The model a scan of this capture uses: the selected one, unless the capture lacks its
   * feature columns (a v2 model on a v1 capture): then the built-in that fits, with the reason;
   * blocked when none of the project's models can read it. No model known yet: the core picks.
   */
  scanChoiceFor(captureId: number): ScanChoice<ModelSummary> {
    return scanChoice(this.model.scanModel, this.model.models, this.captures.byId(captureId));
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
      { id: 'project.open', title: 'File: Open Project…', keybinding: 'Ctrl+O', run: () => this.projects.show('open') },
      { id: 'project.new', title: 'File: New Project…', run: () => this.projects.show('new') },
      { id: 'project.compact', title: 'File: Compact Project (give back the space of deleted captures)…', run: () => void this.compact.show() },
      ...this.projects.others
        .filter((p) => p.exists)
        .map((p) => ({ id: `project.recent.${p.path}`, title: `File: Open Recent Project ${p.name} (${p.folder})`, run: () => void this.projects.open(p.path, false) })),
      { id: 'view.captures', title: 'View: Show Captures', run: () => { this.activity = 'captures'; this.sideBarVisible = true; } },
      { id: 'view.explore', title: 'View: Show Explore', run: () => { this.activity = 'explore'; this.sideBarVisible = true; } },
      { id: 'view.model', title: 'View: Open Model View', run: () => this.openModel() },
      { id: 'model.train', title: 'Model: Train Detector…', run: () => { this.openModel(); this.requestFocus('train'); } },
      { id: 'model.evaluate', title: 'Model: Evaluate Selected Model on a Capture…', run: () => { this.openModel(); this.requestFocus('evaluate'); } },
      { id: 'model.refresh', title: 'Model: Refresh Models and Backend', run: () => { void this.model.refresh(); void this.model.loadBackend(); } },
      { id: 'view.palette', title: 'View: Command Palette', keybinding: 'Ctrl+Shift+P', run: () => (this.paletteOpen = true) },
      { id: 'view.toggleSideBar', title: 'View: Toggle Side Bar', keybinding: 'Ctrl+B', run: () => (this.sideBarVisible = !this.sideBarVisible) },
      { id: 'view.togglePanel', title: 'View: Toggle Bottom Panel', keybinding: 'Ctrl+J', run: () => (this.panelVisible = !this.panelVisible) },
      { id: 'view.resetLayout', title: 'View: Reset Side Bar and Panel Sizes', run: () => { this.layout.resetSideBar(); this.layout.resetPanel(); } },
      { id: 'view.jobs', title: 'View: Show Jobs', run: () => this.showPanel('jobs') },
      { id: 'view.audit', title: 'View: Show Audit Trail (verdicts, undos, notes)', run: () => this.showPanel('audit') },
      { id: 'audit.export', title: 'Triage: Export Audit Trail (CSV, Parquet)…', run: () => { this.showPanel('audit'); this.auditExport.show(this.audit); } },
      { id: 'explore.findHost', title: 'Explore: Find a Host in Every Capture…', run: () => this.findHost() },
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
    list.push({ id: 'view.detections', title: 'View: Show Detections', run: () => this.openDetections() });
    list.push({ id: 'view.incidents', title: 'View: Show Incidents', run: () => this.openIncidents() });
    for (const i of this.incidents.list.slice(0, 20)) list.push({ id: `incidents.open.${i.id}`, title: `Incidents: Open #${i.id} ${i.title}`, run: () => this.showIncident(i.id) });
    const inc = this.activeIncident;
    if (inc) {
      list.push(
        { id: 'incidents.export', title: `Incidents: Export Report of #${inc.id}…`, run: () => this.reportExport.show(inc.id) },
        { id: 'incidents.save', title: `Incidents: Save #${inc.id}`, run: () => void inc.save() },
        { id: 'incidents.close', title: `Incidents: Close Editor #${inc.id}`, run: () => this.closeEditor(inc.key) },
      );
    }
    const det = this.detections;
    if (det.scanId !== null) {
      const drill = this.activeDrilldown;
      const on = drill ? `window #${drill.windowId}` : det.allMatching ? `all ${det.pager.total} matching windows` : det.selected.size ? `${det.selected.size} selected windows` : 'current window';
      for (const v of ['tp', 'fp', 'review'] as const) {
        const key = { tp: 'T', fp: 'F', review: 'R' }[v];
        list.push({ id: `triage.verdict.${v}`, title: `Triage: Mark ${on} ${verdictLabels[v]}`, keybinding: key, run: () => this.verdict(v) });
      }
      list.push(
        { id: 'triage.clear', title: `Triage: Clear Verdict of ${on}`, run: () => this.verdict(null) },
        { id: 'triage.undo', title: 'Triage: Undo Last Verdict', keybinding: 'U / Ctrl+Z', run: () => void det.undo() },
        { id: 'triage.next', title: 'Triage: Next Window', keybinding: 'J', run: () => (drill ? void this.stepWindow(1) : det.move(1)) },
        { id: 'triage.previous', title: 'Triage: Previous Window', keybinding: 'K', run: () => (drill ? void this.stepWindow(-1) : det.move(-1)) },
        { id: 'triage.select', title: 'Triage: Toggle Selection of Current Window', keybinding: 'X', run: () => det.toggleSelected() },
        { id: 'triage.clearSelection', title: 'Triage: Clear Selection', run: () => det.clearSelection() },
        { id: 'triage.selectAll', title: `Triage: Select All ${det.pager.total} Windows the Filters Match`, keybinding: 'Ctrl+A', run: () => { this.openDetections(); det.selectAllMatching(); } },
        { id: 'incidents.create', title: `Incidents: Create Incident from ${on}…`, keybinding: 'I', run: () => this.askIncident('create') },
        { id: 'incidents.addTo', title: `Incidents: Add ${on} to Incident…`, keybinding: 'A', run: () => this.askIncident('add') },
        { id: 'triage.reason', title: 'Triage: Write a Reason for the Next Verdict', run: () => { this.openDetections(); this.requestFocus('reason'); } },
        { id: 'triage.filters.clear', title: 'Triage: Clear Queue Filters', run: () => det.clearFilters() },
        { id: 'triage.exportQueue', title: 'Triage: Export Queue (CSV, Parquet)…', run: () => { this.openDetections(); this.windowExport.show(det); } },
        { id: 'triage.metrics', title: 'Triage: Show Scan Metrics and Threshold', run: () => { this.openDetections(); this.detectionsPane = 'metrics'; } },
        { id: 'triage.queue', title: 'Triage: Show Queue', run: () => { this.openDetections(); this.detectionsPane = 'queue'; } },
        // the queue's column headers sort with the mouse; these do it from the keyboard
        ...(['score', 'class', 'size', 'host', 'order'] as const).map((by) => {
          const name = { score: 'Score', class: 'Class', size: 'Flows', host: 'Source and Destination', order: 'Capture Order' }[by];
          const again = det.sort.by === by ? ` (now ${det.sort.dir === 'asc' ? 'ascending' : 'descending'}: reverse)` : '';
          return { id: `triage.sort.${by}`, title: `Triage: Sort Queue by ${name}${again}`, run: () => { this.openDetections(); det.setSort(by); } };
        }),
        { id: 'bench.queueScroll', title: 'Triage: Measure Queue Scroll (performance mark)', run: () => { this.openDetections(); this.detectionsPane = 'queue'; this.benchRequest = (this.benchRequest ?? 0) + 1; } },
      );
      const scan = det.scan;
      if (scan) {
        list.push({
          id: 'triage.deleteScan',
          title: `Triage: Delete Scan #${scan.id} (${scan.modelName}, threshold ${scan.threshold})…`,
          run: () => { this.openDetections(); this.detectionsPane = 'metrics'; void det.askDeleteScan(scan.id); },
        });
      }
      const carry = det.carrySource;
      if (carry) {
        list.push({
          id: 'triage.carry',
          title: `Triage: Carry ${carry.matches} Verdict${carry.matches === 1 ? '' : 's'} from Scan #${carry.scanId} (same flows and class)`,
          run: () => { this.openDetections(); void det.carry(); },
        });
      }
      const w = det.current;
      if (w && !drill) list.push({ id: 'triage.open', title: `Triage: Open Drill-down of Window #${w.id}`, keybinding: 'Enter', run: () => this.openWindow(w.scanId, w.id, det.cursor) });
      const target = drill?.detail?.window ?? w;
      if (target) {
        list.push({ id: 'triage.explain', title: `Triage: Explain Window #${target.id}`, run: () => { if (!drill) this.openWindow(target.scanId, target.id, det.cursor); void this.activeDrilldown?.explain(); } });
        const captureId = det.captureId ?? det.scan?.captureId;
        if (captureId) {
          for (const host of [...new Set([...target.srcHosts, ...target.dstHosts])].slice(0, 4))
            list.push(
              { id: `triage.pivot.host.${host}`, title: `Triage: Explore Host ${host}`, run: () => this.pivotWindow('host', { host }, captureId) },
              { id: `triage.findHost.${host}`, title: `Triage: Find Host ${host} in Every Capture`, run: () => this.hostLookup.show(host) },
            );
          const src = target.srcHosts[0];
          const dst = target.dstHosts[0];
          if (src && dst) list.push({ id: 'triage.pivot.pair', title: `Triage: Explore Pair ${src} → ${dst}`, run: () => this.pivotWindow('pair', { src, dst }, captureId) });
          for (const port of target.dstPorts.slice(0, 3))
            list.push({ id: `triage.pivot.port.${port}`, title: `Triage: Explore Port ${port}`, run: () => this.pivotWindow('port', { port }, captureId) });
        }
      }
      if (drill) {
        list.push(
          { id: 'triage.nextWindow', title: `Triage: Next Flagged Window (drill-down, in ${this.detections.follows(drill.queue) ? 'queue order' : 'capture order'})`, run: () => void this.stepWindow(1) },
          { id: 'triage.previousWindow', title: `Triage: Previous Flagged Window (drill-down, in ${this.detections.follows(drill.queue) ? 'queue order' : 'capture order'})`, run: () => void this.stepWindow(-1) },
          { id: 'triage.note', title: 'Triage: Add Note to Window', run: () => this.requestFocus('note') },
          { id: 'triage.closeDrilldown', title: `Triage: Close Drill-down #${drill.windowId}`, run: () => this.closeEditor(drill.key) },
        );
      }
    }
    const tab = this.activeTab;
    if (tab) {
      list.push(
        { id: 'explore.addFilter', title: 'Explore: Add Filter Clause', keybinding: 'Ctrl+F', run: () => this.requestFocus('filter') },
        { id: 'explore.clearFilter', title: 'Explore: Clear Filter', run: () => tab.clearFilter() },
        { id: 'explore.exportFlows', title: 'Explore: Export Matching Flows (CSV, Parquet)…', run: () => this.flowExport.show(tab) },
        { id: 'explore.clearBrush', title: 'Explore: Clear Brush (flow range)', run: () => tab.setFlowRange(undefined) },
        { id: 'explore.closeTab', title: `Explore: Close Tab ${tab.capture.fileName}`, run: () => this.closeTab(tab.captureId) },
      );
    }
    return list;
  });
}
