import type { Api, FlaggedWindow, Incident, IncidentMoveTarget, incidentSeverities, incidentStatuses, RelatedIncident, tlpLevels } from '../../../preload/contract';

import { filterIncidents, statusCounts, type StatusFilter } from '../lib/incidentFilter';

export type IncidentStatus = (typeof incidentStatuses)[number];
export type IncidentSeverity = (typeof incidentSeverities)[number];
export type TlpLevel = (typeof tlpLevels)[number];

export const statusNames: Record<IncidentStatus, string> = { open: 'Open', contained: 'Contained', closed: 'Closed' };
export const severityNames: Record<IncidentSeverity, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };

export const incidentKey = (id: number) => `incident:${id}` as const;


/** What the create / add-to dialog acts on: windows of one scan. */
export interface IncidentRequest {
  mode: 'create' | 'add';
  scanId: number;
  windowIds: number[];
}

/** The project's incidents, kept current by `incidents:changed`. */
export class IncidentsState {
  list = $state.raw<Incident[]>([]);
  error = $state<string | null>(null);
  loading = $state(false);
  /** the create / add-to-incident dialog, when open */
  request = $state.raw<IncidentRequest | null>(null);
  /** the last incident action, read out to screen readers */
  message = $state<{ text: string; error: boolean } | null>(null);
  /** the side bar's filter: words to find, and the status to show */
  filterText = $state('');
  statusFilter = $state<StatusFilter>('all');
  shown = $derived(filterIncidents(this.list, this.filterText, this.statusFilter));
  counts = $derived(statusCounts(this.list));
  /** `scanId:windowId` -> the incidents holding that window, oldest first */
  private holders = $derived.by(() => {
    const map = new Map<string, Incident[]>();
    for (const i of [...this.list].sort((a, b) => a.id - b.id)) {
      for (const w of i.windowIds) {
        const key = `${i.scanId}:${w}`;
        const list = map.get(key);
        if (list) list.push(i);
        else map.set(key, [i]);
      }
    }
    return map;
  });

  constructor(private api: Api) {}

  byId(id: number): Incident | undefined {
    return this.list.find((i) => i.id === id);
  }

  /** The incidents that hold a window (none: an empty list). */
  holding(scanId: number, windowId: number): Incident[] {
    return this.holders.get(`${scanId}:${windowId}`) ?? [];
  }

  /** incidents that windows of this scan may be added to */
  forScan(scanId: number): Incident[] {
    return this.list.filter((i) => i.scanId === scanId);
  }

  async refresh() {
    this.loading = true;
    try {
      this.list = [...(await this.api.listIncidents({}))].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id - a.id);
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.loading = false;
    }
  }

  /** Replaces one incident in the list after a call answered it. */
  put(incident: Incident) {
    const rest = this.list.filter((i) => i.id !== incident.id);
    this.list = [incident, ...rest].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id - a.id);
  }

  drop(id: number) {
    this.list = this.list.filter((i) => i.id !== id);
  }

  ask(mode: IncidentRequest['mode'], scanId: number | null, windowIds: number[]) {
    if (scanId === null || !windowIds.length) {
      this.message = { text: 'Select flagged windows first (x in the queue), or put the cursor on one.', error: true };
      return;
    }
    this.request = { mode, scanId, windowIds };
  }

  async create(args: { scanId: number; windowIds: number[]; title: string; severity: IncidentSeverity; tlp: TlpLevel; summary: string }): Promise<Incident> {
    const { summary, ...rest } = args;
    const incident = await this.api.createIncident(summary.trim() ? { ...rest, summary: summary.trim() } : rest);
    this.put(incident);
    this.message = { text: `Created incident #${incident.id} “${incident.title}” with ${incident.windowIds.length} window${incident.windowIds.length === 1 ? '' : 's'}`, error: false };
    return incident;
  }

  async addWindows(id: number, windowIds: number[]): Promise<Incident> {
    const before = this.byId(id)?.windowIds.length ?? 0;
    const incident = await this.api.addIncidentWindows({ id, windowIds });
    this.put(incident);
    const added = incident.windowIds.length - before;
    this.message = { text: `Added ${added} window${added === 1 ? '' : 's'} to incident #${incident.id} “${incident.title}”`, error: false };
    return incident;
  }
}

/** One incident editor tab: its fields as a draft, its windows, its notes. */
export class IncidentTab {
  readonly key: `incident:${number}`;
  incident = $state.raw<Incident | null>(null);
  loadError = $state<string | null>(null);
  /** the editable fields; saved together */
  draft = $state({ title: '', status: 'open' as IncidentStatus, severity: 'medium' as IncidentSeverity, tlp: 'AMBER' as TlpLevel, summary: '', analyst: '' });
  saving = $state(false);
  message = $state<{ text: string; error: boolean } | null>(null);
  windows = $state.raw<FlaggedWindow[]>([]);
  windowsError = $state<string | null>(null);
  private windowsAsked = 0;
  noteText = $state('');
  confirmDelete = $state(false);
  /** the other scans of the capture, each with how the incident's windows line up there (null: not read yet) */
  moveTargets = $state.raw<IncidentMoveTarget[] | null>(null);
  moveTargetsError = $state<string | null>(null);
  /** the scan picked to move to */
  moveTo = $state<number | null>(null);
  moveTarget = $derived(this.moveTargets?.find((t) => t.scanId === this.moveTo) ?? null);
  /** the other incidents whose windows carry a host this one's carry (null: not read yet) */
  related = $state.raw<RelatedIncident[] | null>(null);
  relatedError = $state<string | null>(null);

  dirty = $derived.by(() => {
    const i = this.incident;
    if (!i) return false;
    const d = this.draft;
    return d.title !== i.title || d.status !== i.status || d.severity !== i.severity || d.tlp !== i.tlp || d.summary !== i.summary || d.analyst !== i.analyst;
  });

  constructor(
    private api: Api,
    readonly id: number,
    private onUpdated: (incident: Incident) => void,
  ) {
    this.key = incidentKey(id);
    void this.load();
  }

  get title(): string {
    return this.incident ? `#${this.id} ${this.incident.title}` : `Incident #${this.id}`;
  }

  /** Takes a fresh incident; keeps unsaved edits of the fields unless `resetDraft`. */
  private take(incident: Incident, resetDraft: boolean) {
    const keepDraft = !resetDraft && this.dirty;
    // a move can leave the same ids, of another scan
    const windowsChanged = !this.incident || this.incident.scanId !== incident.scanId || this.incident.windowIds.join(',') !== incident.windowIds.join(',');
    this.incident = incident;
    if (!keepDraft) this.draft = { title: incident.title, status: incident.status, severity: incident.severity, tlp: incident.tlp, summary: incident.summary, analyst: incident.analyst };
    if (windowsChanged) {
      void this.loadWindows();
      void this.loadMoveTargets();
      void this.loadRelated();
    }
  }

  /** Reads the incidents that share a host with this one (again whenever any incident changes). */
  async loadRelated() {
    try {
      const related = await this.api.relatedIncidents({ id: this.id });
      this.related = related;
      this.relatedError = null;
    } catch (err) {
      this.relatedError = (err as Error).message;
    }
  }

  /** Reads where the incident could move (another scan of its capture), keeping the pick while it is still there. */
  async loadMoveTargets() {
    try {
      const targets = await this.api.incidentMoveTargets({ id: this.id });
      this.moveTargets = targets;
      this.moveTargetsError = null;
      if (!targets.some((t) => t.scanId === this.moveTo)) this.moveTo = targets[0]?.scanId ?? null;
    } catch (err) {
      this.moveTargetsError = (err as Error).message;
    }
  }

  /** Moves the incident to the picked scan: each window to the one with its flows and class there. */
  async move() {
    const toScanId = this.moveTo;
    if (toScanId === null) return;
    let carried = 0;
    const ok = await this.run(
      'Moving the incident',
      async () => {
        const r = await this.api.moveIncident({ id: this.id, toScanId });
        carried = r.carried;
        return r.incident;
      },
      `Moved to scan #${toScanId}`,
    );
    if (ok) {
      this.message = { text: `Moved to scan #${toScanId}${carried ? `; ${carried} verdict${carried === 1 ? '' : 's'} carried to its windows (u in Detections undoes them)` : ''}`, error: false };
    }
  }

  /** Removes the windows that have no counterpart in the picked scan, so the incident can move there. */
  async removeUnmatched() {
    const missing = this.moveTarget?.missing ?? [];
    if (!missing.length) return;
    await this.run(
      'Removing the windows',
      () => this.api.removeIncidentWindows({ id: this.id, windowIds: missing }),
      `Removed window${missing.length === 1 ? '' : 's'} ${missing.slice(0, 8).map((id) => `#${id}`).join(', ')}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''}: scan #${this.moveTo} has no window with ${missing.length === 1 ? 'its' : 'their'} flows and class`,
    );
  }

  async load(resetDraft = false) {
    try {
      this.take(await this.api.getIncident({ id: this.id }), resetDraft);
      this.loadError = null;
    } catch (err) {
      this.loadError = (err as Error).message;
    }
  }

  /** Verdicts changed elsewhere (the queue, a drill-down, the CLI): reads the windows again when any is the incident's. */
  onVerdictsChanged(scanId: number, windowIds: readonly number[]) {
    const i = this.incident;
    if (!i || i.scanId !== scanId) return;
    const held = new Set(i.windowIds);
    if (windowIds.some((w) => held.has(w))) void this.loadWindows();
  }

  /** The incident's windows with their verdicts, in capture order: one call, however big its scan's queue. */
  async loadWindows() {
    if (!this.incident) return;
    const asked = ++this.windowsAsked;
    try {
      const windows = await this.api.incidentWindows({ id: this.id });
      // a later read (the incident changed meanwhile) wins
      if (asked !== this.windowsAsked) return;
      this.windows = windows;
      this.windowsError = null;
    } catch (err) {
      if (asked === this.windowsAsked) this.windowsError = (err as Error).message;
    }
  }

  private async run(what: string, call: () => Promise<Incident>, done: string, resetDraft = false): Promise<boolean> {
    this.saving = true;
    try {
      const incident = await call();
      this.take(incident, resetDraft);
      this.onUpdated(incident);
      this.message = { text: done, error: false };
      return true;
    } catch (err) {
      this.message = { text: `${what} failed: ${(err as Error).message}`, error: true };
      return false;
    } finally {
      this.saving = false;
    }
  }

  async save() {
    const i = this.incident;
    if (!i) return;
    const d = this.draft;
    if (!d.title.trim()) {
      this.message = { text: 'The title cannot be empty', error: true };
      return;
    }
    const patch: Parameters<Api['updateIncident']>[0] = { id: i.id };
    if (d.title.trim() !== i.title) patch.title = d.title.trim();
    if (d.status !== i.status) patch.status = d.status;
    if (d.severity !== i.severity) patch.severity = d.severity;
    if (d.tlp !== i.tlp) patch.tlp = d.tlp;
    if (d.summary !== i.summary) patch.summary = d.summary;
    if (d.analyst.trim() && d.analyst.trim() !== i.analyst) patch.analyst = d.analyst.trim();
    await this.run('Saving', () => this.api.updateIncident(patch), `Saved incident #${i.id}`, true);
  }

  revert() {
    if (this.incident) this.take(this.incident, true);
  }

  async removeWindow(windowId: number) {
    await this.run('Removing the window', () => this.api.removeIncidentWindows({ id: this.id, windowIds: [windowId] }), `Removed window #${windowId}`);
  }

  async addNote() {
    const text = this.noteText.trim();
    if (!text) return;
    if (await this.run('Adding the note', () => this.api.addIncidentNote({ id: this.id, text }), 'Note added')) this.noteText = '';
  }

  async remove(): Promise<boolean> {
    try {
      await this.api.deleteIncident({ id: this.id });
      return true;
    } catch (err) {
      this.message = { text: `Delete failed: ${(err as Error).message}`, error: true };
      return false;
    }
  }
}
