/**
 * The one contract between the renderer and the main process.
 *
 * Every call the renderer can make and every event it can receive is declared here, once.
 * Main validates call arguments with these schemas; the preload exposes exactly these names;
 * the renderer's transports (Electron IPC, web host) are derived from `callNames` and
 * `eventNames`. This module is plain TypeScript: it runs in Node, in the preload and in the
 * browser.
 */
import * as v from 'valibot';

// ---------------------------------------------------------------------------------------------
// Shared value types

export type SchemaVersion = 'v1' | 'v2' | 'v3';
export type Cell = string | number | boolean | null;

export interface CaptureInfo {
  id: number;
  fileName: string;
  filePath: string;
  sizeBytes: number;
  sha256: string;
  schemaVersion: SchemaVersion;
  /** true when the capture has `Attack` (and usually `Label`) columns */
  labelled: boolean;
  rows: number;
  /** class name (as found in `Attack`) -> flow count; empty for unlabelled captures */
  classCounts: Record<string, number>;
  /** canonical NetFlow columns stored for this capture, in file order */
  columns: string[];
  /** columns found in the file but not kept (an index, `Dataset`, unknown fields) */
  ignoredColumns: string[];
  /** what defines capture order */
  order: 'FLOW_START_MILLISECONDS' | 'file order';
  importedAt: string;
  importSeconds: number;
}

export interface ColumnInfo {
  name: string;
  type: 'text' | 'integer' | 'float' | 'boolean';
}

/** The columns a scan adds to its capture's flows, and their types: what the core filters on and the filter bar checks. */
export const SCAN_COLUMN_TYPES: Readonly<Record<string, 'text' | 'float'>> = { predicted: 'text', confidence: 'float', attack_score: 'float', verdict: 'text' };

export const filterOps = ['=', '!=', '<', '<=', '>', '>='] as const;
export type FilterOp = (typeof filterOps)[number];

/**
 * One clause of a structured filter. `field` is a stored column name or one of the virtual
 * fields `host` (source or destination address) and `port` (source or destination port).
 */
export interface FilterClause {
  field: string;
  op: FilterOp;
  value: string | number;
}

export interface FlowFilter {
  clauses: FilterClause[];
  /**
   * With a scan, flows carry the scan's columns (`predicted`, `confidence`, `attack_score`,
   * `verdict`), which clauses and sorts may use.
   */
  scanId?: number | undefined;
  /** half-open range of flow ids in capture order, e.g. from the histogram brush */
  flowRange?: { from: number; to: number } | undefined;
}

export interface FlowPage {
  columns: ColumnInfo[];
  rows: Cell[][];
  total: number;
  offset: number;
  ms: number;
}

export interface CountRow {
  value: Cell;
  count: number;
}

export interface Aggregates {
  total: number;
  classCounts: CountRow[];
  protocols: CountRow[];
  topSources: CountRow[];
  topDestinations: CountRow[];
  topPairs: { src: string; dst: string; count: number }[];
  topDstPorts: CountRow[];
  ms: number;
}

export type HistogramAxis = 'flow' | 'time';

export interface Histogram {
  /** what the series are: the capture's labels, or a scan's predicted classes */
  colourBy: 'label' | 'predicted';
  /** what the bins divide: flow ids (equal counts of flows), or time (equal spans of FLOW_START_MILLISECONDS) */
  axis: HistogramAxis;
  /**
   * the time axis (v3 captures, stored in time order): epoch ms the bins cover (half-open), the
   * span of one bin, and each bin's flows [first, end) (contiguous, since flows are stored by
   * start time; an empty bin has first = end), so a brushed time span becomes a flow range
   */
  time?: { from: number; to: number; binMs: number; flows: [number, number][] };
  /** flow id range covered, half-open */
  from: number;
  to: number;
  binWidth: number;
  /** class names, one series each ("all" for unlabelled captures) */
  series: string[];
  /** counts[bin][seriesIndex] */
  counts: number[][];
  ms: number;
}

export interface SqlResult {
  columns: ColumnInfo[];
  rows: Cell[][];
  truncated: boolean;
  ms: number;
}

export interface AppInfo {
  name: string;
  version: string;
  host: 'electron' | 'web';
  projectPath: string;
  platform: string;
  node: string;
}

/** A project the workbench opened before (newest first), as the Open Project dialog lists it. */
export interface RecentProject {
  path: string;
  /** the file name without `.duckdb` */
  name: string;
  folder: string;
  /** when the workbench last opened it (ISO) */
  openedAt: string;
  /** false when the file is gone (moved, deleted, on a drive not mounted) */
  exists: boolean;
  sizeBytes: number | null;
  /** the project open now */
  current: boolean;
}

/** What the project takes on disk, and the free space in its file that compacting would give back. */
export interface ProjectSpace {
  fileBytes: number;
  /** the write-ahead log not yet folded into the file */
  walBytes: number;
  freeBytes: number;
}

/** What compacting the project did: its file's size before and after (the log included). */
export interface CompactResult {
  path: string;
  bytesBefore: number;
  bytesAfter: number;
  /** tables copied and checked */
  tables: number;
  seconds: number;
}

/** A project file beside the one open now (its folder), as the Open Project dialog lists it. */
export interface ProjectFile {
  path: string;
  name: string;
  sizeBytes: number;
  /** when the file last changed (ISO) */
  modifiedAt: string;
}

export type JobKind = 'import' | 'train' | 'evaluate' | 'scan' | 'export';

export interface JobStarted {
  jobId: string;
}

export interface JobProgress {
  jobId: string;
  kind: JobKind;
  /** short description of the current phase: "hashing", "reading", "indexing" */
  phase: string;
  /** 0..1, or null when unknown */
  fraction: number | null;
  message: string;
}

export interface ImportResult {
  capture: CaptureInfo;
  /** true when a file with the same SHA-256 was already in the project */
  reused: boolean;
  /**
   * Numeric columns that are empty in some flows, with how many: such a value is stored as
   * missing, and the detector reads it as 0. Absent when every numeric value is there (and for a
   * reused capture).
   */
  emptyValues?: Record<string, number>;
}

export interface JobFinished {
  jobId: string;
  kind: JobKind;
  /** what the job was, as JobInfo says it ("scan capture.csv") */
  label: string;
  ok: boolean;
  cancelled: boolean;
  error?: string | undefined;
  result?: ImportResult | TrainResult | Evaluation | ScanSummary | ReportExport | FlowExport | WindowExport | AuditExport | undefined;
}

export interface JobInfo {
  jobId: string;
  kind: JobKind;
  label: string;
  startedAt: string;
  progress: JobProgress | null;
}

// ---------------------------------------------------------------------------------------------
// The detector

export interface ClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ModelMetrics {
  classes: string[];
  total: number;
  accuracy: number;
  perClass: ClassMetrics[];
  macroF1: number;
  weightedF1: number;
  /**
   * Benign vs attack (attack positive); null when the classes have no benign class. Counts every
   * labelled flow: one labelled with an attack class the model lacks (`otherAttacks`) is an attack.
   */
  binary: { precision: number; recall: number; f1: number } | null;
  /** confusion[true][predicted] */
  confusion: number[][];
  /**
   * Flows left out of these figures because their label is not one of the model's classes
   * (another dataset's vocabulary, or an empty label), per label. Absent when none were.
   */
  unknownLabels?: Record<string, number>;
  /**
   * Of the flows `unknownLabels` counts, those labelled with an attack class the model lacks, by
   * what the model said: `flagged` as one of its attack classes, `missed` as benign. The only
   * figures a model has for another dataset's attacks. Absent when there are none, or when the
   * model has no benign class.
   */
  otherAttacks?: { flagged: number; missed: number };
}

/** One epoch of training, for the live curves and the stored loss curve. */
export interface EpochPoint {
  epoch: number;
  epochs: number;
  loss: number;
  /** null for a model package's stored curve, which keeps the loss and validation macro F1 only */
  accuracy: number | null;
  valMacroF1: number | null;
  valAccuracy: number | null;
  seconds: number;
  windowsPerSecond: number;
}

export interface BatchPoint {
  jobId: string;
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
}

export interface BackendStatus {
  /** what runs the model: tfjs-node-gpu (CUDA), tfjs-node, wasm, cpu (plain JS) */
  name: string;
  /** e.g. "NVIDIA H100 (CUDA)", "WebAssembly SIMD, 2 threads" */
  device: string;
  /** why faster backends were not used, one line each */
  notes: string[];
}

export interface TrainSettings {
  featureSet: 'auto' | 'v1' | 'v2';
  window: number;
  keyBySource: boolean;
  binary: boolean;
  /**
   * add the flows' hosts and ports (IPv4 source/destination, L4 ports) to the features. Off by
   * default: on NF-BoT-IoT they name the class (fixed attackers and victims)
   */
  identifiers: boolean;
  convFilters: number[];
  kernelSize: number;
  poolSize: number;
  dropout: number;
  lstmUnits: number;
  /** width of the dense ReLU path from the scored flow's own features to the softmax; 0 = the paper's model exactly */
  flowSkipUnits: number;
  /** dense layers on that path */
  flowSkipLayers: number;
  /** embed each column's exact value (a vocabulary of the training split) on the flow path */
  valueCodes: boolean;
  /** width of each value's learned vector */
  embeddingDim: number;
  /** while training, the probability that a value reads as unknown (so unknown values are scored sensibly) */
  codeDropout: number;
  learningRate: number;
  /** 'cosine': short warm-up, then decay to 0 */
  learningRateSchedule: 'constant' | 'cosine';
  /** windows per epoch: every flow, ceil(sqrt(m)) of m identical rows, or one per distinct row weighted by sqrt(m) */
  sampling: 'all' | 'sqrt' | 'unique';
  epochs: number;
  batchSize: number;
  seed: number;
  testFraction: number;
  validationFraction: number;
  /** 0 disables early stopping on validation macro F1 */
  earlyStoppingPatience: number;
  classWeighting: 'balanced' | 'sqrt' | 'none';
}

export interface ModelSummary {
  id: string;
  name: string;
  /** the default model shipped with the app */
  builtin: boolean;
  classes: string[];
  binary: boolean;
  featureSet: string;
  /** the capture columns the model reads */
  featureColumns: string[];
  /** hosts and ports were asked for as features (TrainSettings.identifiers) */
  identifiers: boolean;
  /** encoded feature names, in channel order */
  features: string[];
  window: number;
  keyed: boolean;
  backend: string;
  created: string;
  appVersion: string;
  trainingDataHash: string;
  /** held-out test metrics from training */
  metrics: ModelMetrics | null;
  /**
   * where `metrics` come from when not from this model's own hold-out (a package refitted on
   * every flow after a hold-out run of the same recipe says so); null = this model's hold-out
   */
  metricsFrom: string | null;
  history: EpochPoint[];
  settings: Partial<TrainSettings>;
}

export interface TrainResult {
  model: ModelSummary;
}

export interface Evaluation {
  modelId: string;
  captureId: number;
  metrics: ModelMetrics;
  flows: number;
  seconds: number;
  backend: string;
  /**
   * The capture holds the flows the model was trained on: its encoded features and labels hash
   * to the manifest's training data hash (`ModelSummary.trainingDataHash`). Its figures then
   * count training flows, which the held-out estimate never does.
   */
  trainedOnCapture: boolean;
}

export interface ScanSummary {
  id: number;
  captureId: number;
  modelId: string;
  modelName: string;
  threshold: number;
  createdAt: string;
  flows: number;
  seconds: number;
  windowsPerSecond: number;
  backend: string;
  /** predicted class -> flows */
  predictedCounts: Record<string, number>;
  flaggedWindows: number;
  /** metrics against the capture's labels, when it has them */
  metrics: ModelMetrics | null;
}

export const verdicts = ['tp', 'fp', 'review'] as const;
export type Verdict = (typeof verdicts)[number];
export type TriageStatus = Verdict | 'untriaged';

export interface FlaggedWindow {
  id: number;
  scanId: number;
  class: string;
  verdict: Verdict | null;
  verdictReason: string | null;
  verdictBy: string | null;
  verdictAt: string | null;
  /** first and last flow id, in capture order */
  firstFlow: number;
  lastFlow: number;
  flows: number;
  peak: number;
  mean: number;
  srcHosts: string[];
  dstHosts: string[];
  dstPorts: number[];
  key: string | null;
  /**
   * When the window's flows started and ended (epoch ms): the earliest FLOW_START_MILLISECONDS
   * and the latest FLOW_END_MILLISECONDS, for captures that have them (v3); null otherwise.
   */
  startMs: number | null;
  endMs: number | null;
}

/** Epoch milliseconds as `2021-06-12 01:23:45.012`, in UTC (captures from elsewhere keep their own clock). */
export function formatEpochMs(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** FLOW_DURATION_MILLISECONDS from which a value is the exporter's wrap-around, not a duration */
export const DURATION_WRAP_MS = 4_290_000;
/** where a wrapped duration wraps: 2^32 microseconds, in ms */
export const DURATION_WRAP_AT_MS = 2 ** 32 / 1000;

/**
 * A flow duration as a reader should take it. NetFlow exporters write a slightly negative
 * duration (an end stamp a little before the start) as 2^32 µs minus it, about 4,294,967 ms,
 * which reads as a 71-minute flow: such a value comes back as the negative whole ms it stands
 * for (0 at most).
 */
export function flowDuration(ms: number): { ms: number; wrapped: boolean } {
  return ms >= DURATION_WRAP_MS ? { ms: Math.min(0, Math.round(ms - DURATION_WRAP_AT_MS)), wrapped: true } : { ms, wrapped: false };
}

/**
 * What a model said of the attacks it has no class for, as the CLI and the metrics table write it:
 * "5,580 of 5,612 flows of attack classes the model lacks flagged as attacks (99.4 %)".
 */
export function otherAttacksText(o: { flagged: number; missed: number }): string {
  const n = o.flagged + o.missed;
  const share = n ? ` (${((100 * o.flagged) / n).toFixed(1)} %)` : '';
  return `${o.flagged.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} flows of attack classes the model lacks flagged as attacks${share}`;
}

/** The flows a model's metrics left out because it has no class for their label (0 when none). */
export function leftOutFlows(m: ModelMetrics): number {
  return Object.values(m.unknownLabels ?? {}).reduce((s, n) => s + n, 0);
}

/**
 * When a window ran, in its three parts: from '2021-06-12 01:23:45.012', to '01:23:47.500' (the
 * date written again only when it changes) and the span '2.5 s' (under a second in
 * milliseconds, '15 ms'). Times are UTC.
 */
export function windowSpanParts(startMs: number, endMs: number): { from: string; to: string; span: string } {
  const from = formatEpochMs(startMs);
  const to = formatEpochMs(endMs);
  return { from, to: to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to, span: formatSpanMs(endMs - startMs) };
}

/** A length of time: '15 ms', '2.5 s', '12 s', '4.0 min', '1.5 h'. */
export function formatSpanMs(spanMs: number): string {
  const ms = Math.max(0, spanMs);
  const seconds = ms / 1000;
  return ms < 1000 ? `${Math.round(ms)} ms` : seconds < 60 ? `${seconds.toFixed(seconds < 10 ? 1 : 0)} s` : seconds < 3600 ? `${(seconds / 60).toFixed(1)} min` : `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * When a window ran, as the Detections view and the incident reports both write it:
 * '2021-06-12 01:23:45.012 – 01:23:47.500 UTC (2.5 s)'.
 */
export function formatWindowSpan(startMs: number, endMs: number): string {
  const { from, to, span } = windowSpanParts(startMs, endMs);
  return `${from} – ${to} UTC (${span})`;
}

export interface WindowQuery {
  scanId: number;
  offset: number;
  limit: number;
  sort?: { by: 'score' | 'class' | 'host' | 'size' | 'order'; dir: 'asc' | 'desc' } | undefined;
  classes?: string[] | undefined;
  /** a host on either side of the window */
  host?: string | undefined;
  status?: TriageStatus | undefined;
  minScore?: number | undefined;
  maxScore?: number | undefined;
  /**
   * Only windows that another scan of the capture lacks: none of its windows has their flows
   * and class (what a retrained model or another threshold found that this scan did not).
   */
  notIn?: number | undefined;
}

export interface WindowPage {
  windows: FlaggedWindow[];
  total: number;
  /** counts by triage status over the whole scan */
  statusCounts: Record<TriageStatus, number>;
  ms: number;
}

/**
 * A verdict entry (or its undo) that kept the verdict: only the reason changed. Applying the
 * same verdict and reason again writes no entry, so previous = value means the reason moved.
 */
export function reasonOnlyChange(e: Pick<AuditEntry, 'action' | 'previous' | 'value'>): boolean {
  return (e.action === 'verdict' || e.action === 'undo') && e.previous !== null && e.previous === e.value;
}

export interface AuditEntry {
  id: number;
  /** the change this entry is part of (a bulk verdict's windows share it) */
  batch: number;
  at: string;
  analyst: string;
  /**
   * 'scan-deleted': a whole scan went; 'incident-moved': an incident moved from one scan to another
   * (an entry in each scan's trail). Both have window 0 (no window) and say what happened in `value`.
   */
  action: 'verdict' | 'undo' | 'note' | 'scan-deleted' | 'incident-moved';
  scanId: number;
  windowId: number;
  /** the verdict before (null: untriaged); for a note or a deleted scan, null */
  previous: string | null;
  /** the verdict after (null: cleared); for a note, its text; for a deleted scan or a moved incident, what happened */
  value: string | null;
  reason: string | null;
  /** a verdict change undone later */
  undone: boolean;
  /** the window's class and capture, while its scan exists */
  windowClass: string | null;
  captureId: number | null;
  captureName: string | null;
}

export interface AuditPage {
  /** newest first */
  entries: AuditEntry[];
  /** how many entries the filter matches in all */
  total: number;
}

export interface WindowNote {
  id: number;
  scanId: number;
  windowId: number;
  at: string;
  analyst: string;
  text: string;
}

export interface WindowDetail {
  window: FlaggedWindow;
  /** the scan's classes, in probability order */
  classes: string[];
  columns: ColumnInfo[];
  /** flows of the window plus context before and after, in key order */
  rows: Cell[][];
  /** per row: class probabilities (same order as classes) */
  probs: number[][];
  /** per row: whether it belongs to the window */
  inWindow: boolean[];
  /** per row: the true label when the capture has one */
  labels: (string | null)[];
  /** mean class probabilities over the window's flows */
  windowProbs: number[];
  previousId: number | null;
  nextId: number | null;
  notes: WindowNote[];
  /** verdicts and notes that other scans of the capture have on windows sharing flows with this one */
  otherVerdicts: OtherVerdict[];
}

/** A window of another scan of the same capture, with a verdict or notes, that shares flows with a window. */
export interface OtherVerdict {
  scanId: number;
  windowId: number;
  modelName: string;
  class: string;
  firstFlow: number;
  lastFlow: number;
  flows: number;
  /** how many of this window's flows it holds too */
  sharedFlows: number;
  /** exactly this window's flows (its verdict can be carried when the class matches) */
  sameFlows: boolean;
  /** null: untriaged there (it has notes) */
  verdict: Verdict | null;
  reason: string | null;
  analyst: string | null;
  at: string | null;
  notes: WindowNote[];
}

/**
 * Another scan of the same capture that holds verdicts, and how many untriaged windows of this
 * scan cover exactly the flows of one of its judged windows, with the same class.
 */
export interface CarrySource {
  scanId: number;
  modelName: string;
  threshold: number;
  createdAt: string;
  /** windows of that scan with a verdict */
  judged: number;
  /** untriaged windows here whose verdict it can carry */
  matches: number;
  byVerdict: Record<Verdict, number>;
}

/** The reason a carried verdict records: where it came from, who gave it, and its own reason. */
export function carriedReason(fromScanId: number, fromWindowId: number, analyst: string, reason: string | null): string {
  return `carried from scan #${fromScanId}, window #${fromWindowId} (${analyst})${reason ? `: ${reason}` : ''}`;
}

/**
 * What a verdict change did to the windows it named. A window that already had the verdict and
 * the reason is left alone: no audit entry, its verdict's time and analyst kept.
 */
export interface VerdictResult {
  /** windows whose verdict or reason changed (one audit entry each, one undo takes them all back) */
  updated: number;
  /** of those, the windows that kept their verdict and got another reason (or none) */
  reasonChanged: number;
  /** windows that already had this verdict with this reason (untriaged, for a clear) */
  unchanged: number;
}

export interface CarryResult {
  fromScanId: number;
  toScanId: number;
  /** windows that got a verdict (one audit batch: one undo takes them all back) */
  carried: number;
  windowIds: number[];
}

/** What deleting a scan takes with it (see `deleteScan`); a scan that incidents hold is not deleted. */
export interface ScanUsage {
  scanId: number;
  captureId: number;
  /** flagged windows, and those of them with a verdict or notes */
  windows: number;
  verdicts: number;
  notes: number;
  /** incidents on this scan: move them to another scan (or delete them) before the scan can go */
  incidents: { id: number; title: string }[];
}

export interface ScanDeleted {
  scanId: number;
  captureId: number;
  windows: number;
  verdicts: number;
  notes: number;
}

/** Another scan of an incident's capture, and how the incident's windows line up with its windows. */
export interface IncidentMoveTarget {
  scanId: number;
  modelName: string;
  threshold: number;
  createdAt: string;
  /** the incident's windows with a window of the same flows and class in that scan */
  matched: number;
  /** those without one (ids in the incident's scan): the move waits until none is left */
  missing: number[];
}

export interface IncidentMoveResult {
  incident: Incident;
  fromScanId: number;
  toScanId: number;
  /** windows moved (all of the incident's) */
  windows: number;
  /** verdicts carried to the new scan's untriaged windows (one undoable change) */
  carried: number;
}

export interface Explanation {
  scanId: number;
  windowId: number;
  className: string;
  method: string;
  /** the window's last W flows (the model's input), by flow id */
  flowIds: number[];
  /** the model's feature columns (each occluded with all its channels) */
  features: string[];
  /** attribution[flow][column]: drop in the class's log-odds when that cell is occluded */
  attribution: number[][];
  flowWeights: number[];
  featureWeights: number[];
  sentence: string;
  ms: number;
}

export interface ThresholdPoint {
  threshold: number;
  flaggedFlows: number;
  windows: number;
  /** labelled captures only: share of attack flows flagged, and benign flows flagged */
  recall: number | null;
  falsePositives: number | null;
  falsePositiveRate: number | null;
}

export const incidentStatuses = ['open', 'contained', 'closed'] as const;
export const incidentSeverities = ['low', 'medium', 'high', 'critical'] as const;
export const tlpLevels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export const reportFormats = ['html', 'pdf', 'md', 'json', 'iocs', 'stix', 'misp'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export interface IncidentNote {
  id: number;
  at: string;
  analyst: string;
  text: string;
}

export interface Incident {
  id: number;
  title: string;
  status: (typeof incidentStatuses)[number];
  severity: (typeof incidentSeverities)[number];
  tlp: (typeof tlpLevels)[number];
  summary: string;
  analyst: string;
  createdAt: string;
  updatedAt: string;
  scanId: number;
  captureId: number;
  windowIds: number[];
  notes: IncidentNote[];
}

/** What a host is in an incident's windows: a source, a destination, or both. */
export type HostRole = 'source' | 'destination' | 'both';

/** A host two incidents' windows both carry, with its role in each. */
export interface SharedHost {
  host: string;
  /** in the incident asked about */
  here: HostRole;
  /** in the related one */
  there: HostRole;
}

/** A host role in words. */
export const hostRoleNames: Record<HostRole, string> = { source: 'source', destination: 'destination', both: 'source and destination' };

/** How a shared host stands in the two incidents: "source in both", "destination here, source there". */
export function sharedRole(h: SharedHost): string {
  return h.here === h.there ? `${hostRoleNames[h.here]} in both` : `${hostRoleNames[h.here]} here, ${hostRoleNames[h.there]} there`;
}

/** The first `most` shared hosts with their roles, and how many more of `count` there are. */
export function sharedHostsText(shared: readonly SharedHost[], count: number, most: number): string {
  const shown = shared.slice(0, most).map((x) => `${x.host} (${sharedRole(x)})`);
  const more = count - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/**
 * Another incident of the project (of any scan and capture) whose flagged windows carry a
 * host this one's carry too (see `relatedIncidents`).
 */
/** What lists that point at an incident show of it. */
export type IncidentRef = Pick<Incident, 'id' | 'title' | 'status' | 'severity' | 'tlp' | 'scanId' | 'captureId'>;

export interface RelatedIncident extends IncidentRef {
  captureName: string;
  updatedAt: string;
  /** the shared hosts, those a source on either side first, then by address (at most 20) */
  shared: SharedHost[];
  /** how many hosts they share (the list may be cut at 20) */
  sharedCount: number;
  /** shared hosts that are a source on at least one side: the same attacker, or a target that became a source */
  sharedSources: number;
}

/** One capture in which a host sent or received flows (see `findHost`). */
export interface HostSighting {
  captureId: number;
  fileName: string;
  /** all flows of the capture */
  captureFlows: number;
  /** flows with the host on either side */
  flows: number;
  /** flows from the host / to the host (a flow to itself counts in both) */
  sent: number;
  received: number;
  /** the first and last of those flows in capture order */
  firstFlow: number;
  lastFlow: number;
  /** v3: the earliest start and latest end of those flows (epoch ms); null without timestamps */
  startMs: number | null;
  endMs: number | null;
  /** labelled captures: class -> flows */
  classes: Record<string, number>;
  /** distinct hosts at the other end */
  peers: number;
  topPeers: { value: string; flows: number }[];
  topPorts: { value: number; flows: number }[];
  /** the capture's latest scan: its flagged windows naming the host, how many untriaged and true positive */
  scan: { scanId: number; windows: number; untriaged: number; tp: number } | null;
}

/** An incident whose flagged windows carry a host (see `findHost`). */
export interface HostIncident extends IncidentRef {
  /** what the host is in the incident's windows */
  role: HostRole;
  /** how many of the incident's windows carry it */
  windows: number;
}

export interface HostLookup {
  host: string;
  /** how many captures were searched */
  searched: number;
  /** the captures in which the host appears, newest first */
  captures: HostSighting[];
  ms: number;
  /** the incidents whose windows carry the host, the most recently changed first */
  incidents: HostIncident[];
}

/** What rows (flows, the Detections queue, the audit trail) can be written as. */
export const rowExportFormats = ['csv', 'parquet'] as const;
export type RowExportFormat = (typeof rowExportFormats)[number];

/** The flows an Explore tab shows (its filter, brush and sort), written to a file. */
export interface FlowExport {
  captureId: number;
  format: RowExportFormat;
  /** the scan whose columns (predicted, confidence, attack_score, verdict) came along, if any */
  scanId: number | null;
  rows: number;
  /** how many columns each row has */
  columns: number;
  path: string;
  bytes: number;
  /** web host: where the browser can download it */
  url: string | null;
}

/** The Detections queue (its filters and order) written to a file, one row per flagged window. */
export interface WindowExport {
  scanId: number;
  format: RowExportFormat;
  rows: number;
  path: string;
  bytes: number;
  /** web host: where the browser can download it */
  url: string | null;
}

/** The audit trail written to a file, oldest first (a case file's log). */
export interface AuditExport {
  /** the scan whose entries were written; null: the whole project's */
  scanId: number | null;
  format: RowExportFormat;
  /** entries written */
  entries: number;
  path: string;
  bytes: number;
  /** web host: where the browser can download it */
  url: string | null;
}

export interface ReportExport {
  incidentId: number;
  format: ReportFormat;
  path: string;
  bytes: number;
  /** web host: where the browser can download it */
  url: string | null;
}

// ---------------------------------------------------------------------------------------------
// Argument schemas

const captureId = v.pipe(v.number(), v.integer(), v.minValue(1));
const clause = v.object({
  field: v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'field must be a column name')),
  op: v.picklist(filterOps),
  value: v.union([v.pipe(v.string(), v.maxLength(4096)), v.pipe(v.number(), v.finite())]),
});
const filter = v.object({
  clauses: v.pipe(v.array(clause), v.maxLength(64)),
  scanId: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  flowRange: v.optional(
    v.object({
      from: v.pipe(v.number(), v.integer(), v.minValue(0)),
      to: v.pipe(v.number(), v.integer(), v.minValue(0)),
    }),
  ),
});
const incidentId = v.pipe(v.number(), v.integer(), v.minValue(1));
const scanId = v.pipe(v.number(), v.integer(), v.minValue(1));
const windowId = v.pipe(v.number(), v.integer(), v.minValue(1));
const modelId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a model id'));
const positiveInt = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(max));
const fraction = v.pipe(v.number(), v.minValue(0), v.maxValue(0.9));
const trainSettings = v.partial(
  v.object({
    featureSet: v.picklist(['auto', 'v1', 'v2']),
    window: positiveInt(256),
    keyBySource: v.boolean(),
    binary: v.boolean(),
    identifiers: v.boolean(),
    convFilters: v.pipe(v.array(positiveInt(1024)), v.minLength(1), v.maxLength(6)),
    kernelSize: positiveInt(15),
    poolSize: positiveInt(8),
    dropout: v.pipe(v.number(), v.minValue(0), v.maxValue(0.9)),
    lstmUnits: positiveInt(1024),
    flowSkipUnits: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1024)),
    flowSkipLayers: positiveInt(4),
    valueCodes: v.boolean(),
    embeddingDim: positiveInt(64),
    codeDropout: v.pipe(v.number(), v.minValue(0), v.maxValue(0.9)),
    learningRate: v.pipe(v.number(), v.gtValue(0), v.maxValue(1)),
    learningRateSchedule: v.picklist(['constant', 'cosine']),
    sampling: v.picklist(['all', 'sqrt', 'unique']),
    epochs: positiveInt(1000),
    batchSize: positiveInt(65_536),
    seed: v.pipe(v.number(), v.integer()),
    testFraction: fraction,
    validationFraction: fraction,
    earlyStoppingPatience: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)),
    classWeighting: v.picklist(['balanced', 'sqrt', 'none']),
  }),
);
const columnName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'not a column name'));
/** The Detections queue's filter and order (WindowQuery without its page). */
const windowFilterFields = {
  scanId,
  sort: v.optional(v.object({ by: v.picklist(['score', 'class', 'host', 'size', 'order']), dir: v.picklist(['asc', 'desc']) })),
  classes: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(200))), v.maxLength(100))),
  host: v.optional(v.pipe(v.string(), v.maxLength(200))),
  status: v.optional(v.picklist(['untriaged', ...verdicts])),
  minScore: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  maxScore: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  notIn: v.optional(scanId),
};

/** The most windows one incident call takes (an incident lists its windows). */
export const MAX_INCIDENT_WINDOWS = 10_000;

/** Declares a call: its argument schema, and (as a type only) its result. */
function call<Result>() {
  return <S extends v.GenericSchema>(args: S) => ({ args, result: undefined as unknown as Result });
}

export const calls = {
  appInfo: call<AppInfo>()(v.object({})),
  listCaptures: call<CaptureInfo[]>()(v.object({})),
  importCapture: call<JobStarted>()(
    v.object({ path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) }),
  ),
  deleteCapture: call<void>()(v.object({ captureId })),
  listJobs: call<JobInfo[]>()(v.object({})),
  cancelJob: call<boolean>()(v.object({ jobId: v.pipe(v.string(), v.maxLength(64)) })),
  queryFlows: call<FlowPage>()(
    v.object({
      captureId,
      filter,
      sort: v.optional(v.object({ column: columnName, dir: v.picklist(['asc', 'desc']) })),
      offset: v.pipe(v.number(), v.integer(), v.minValue(0)),
      limit: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5000)),
    }),
  ),
  aggregates: call<Aggregates>()(
    v.object({ captureId, filter, top: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))) }),
  ),
  countBy: call<CountRow[]>()(
    v.object({ captureId, filter, column: columnName, limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))) }),
  ),
  histogram: call<Histogram>()(
    v.object({
      captureId,
      filter,
      bins: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2000)),
      colourBy: v.optional(v.picklist(['label', 'predicted'])),
      /** 'time' only for a capture stored in time order (v3) */
      axis: v.optional(v.picklist(['flow', 'time'])),
    }),
  ),
  runSql: call<SqlResult>()(
    v.object({
      sql: v.pipe(v.string(), v.minLength(1), v.maxLength(100_000)),
      limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))),
    }),
  ),
  backendStatus: call<BackendStatus>()(v.object({})),
  listModels: call<ModelSummary[]>()(v.object({})),
  trainModel: call<JobStarted>()(
    v.object({
      captureId,
      name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(120))),
      settings: v.optional(trainSettings),
    }),
  ),
  evaluateModel: call<JobStarted>()(v.object({ modelId, captureId })),
  importModel: call<ModelSummary>()(v.object({ dir: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) })),
  exportModel: call<string>()(v.object({ modelId, dir: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) })),
  deleteModel: call<void>()(v.object({ modelId })),
  scanCapture: call<JobStarted>()(
    v.object({ captureId, modelId: v.optional(modelId), threshold: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))) }),
  ),
  listScans: call<ScanSummary[]>()(v.object({ captureId: v.optional(captureId) })),
  /** What deleting a scan would take with it, and the incidents that keep it. */
  scanUsage: call<ScanUsage>()(v.object({ scanId })),
  /** Deletes a scan (its scores, flagged windows, verdicts and notes; the audit trail stays); refused while an incident holds it. */
  deleteScan: call<ScanDeleted>()(v.object({ scanId })),
  flaggedWindows: call<WindowPage>()(
    v.object({
      ...windowFilterFields,
      offset: v.pipe(v.number(), v.integer(), v.minValue(0)),
      limit: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5000)),
    }),
  ),
  /** A job writing the queue as filtered and sorted; without a path it goes to <project>.reports/. */
  exportWindows: call<JobStarted>()(
    v.object({
      ...windowFilterFields,
      format: v.picklist(rowExportFormats),
      path: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096))),
    }),
  ),
  /** A job writing the audit trail (one scan's, or the project's), oldest first; without a path it goes to <project>.reports/. */
  exportAudit: call<JobStarted>()(
    v.object({ scanId: v.optional(scanId), format: v.picklist(rowExportFormats), path: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096))) }),
  ),
  setVerdict: call<VerdictResult>()(
    v.object({
      scanId,
      windowIds: v.pipe(v.array(windowId), v.minLength(1), v.maxLength(100_000)),
      verdict: v.nullable(v.picklist(verdicts)),
      reason: v.optional(v.pipe(v.string(), v.maxLength(2000))),
    }),
  ),
  /** Sets (or clears) the verdict of every window the queue's filters match, as one undoable change. */
  setVerdictMatching: call<VerdictResult>()(
    v.object({
      ...windowFilterFields,
      verdict: v.nullable(v.picklist(verdicts)),
      reason: v.optional(v.pipe(v.string(), v.maxLength(2000))),
    }),
  ),
  /** Other scans of this scan's capture whose verdicts could carry over to it, newest first. */
  carrySources: call<CarrySource[]>()(v.object({ scanId })),
  /** Gives untriaged windows of `toScanId` the verdicts of `fromScanId`'s windows with the same flows and class. */
  carryVerdicts: call<CarryResult>()(v.object({ fromScanId: scanId, toScanId: scanId })),
  /** The verdicts and notes other scans of the capture have on windows sharing flows with this one. */
  otherVerdicts: call<OtherVerdict[]>()(v.object({ scanId, windowId })),
  /** Undoes the last verdict change (all windows it touched). */
  undoVerdict: call<{ undone: number; scanId: number | null }>()(v.object({})),
  auditLog: call<AuditPage>()(
    v.object({ limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))), scanId: v.optional(scanId), windowId: v.optional(windowId) }),
  ),
  addNote: call<WindowNote>()(v.object({ scanId, windowId, text: v.pipe(v.string(), v.minLength(1), v.maxLength(10_000)) })),
  windowDetail: call<WindowDetail>()(
    v.object({ scanId, windowId, context: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(500))) }),
  ),
  explainWindow: call<Explanation>()(v.object({ scanId, windowId })),
  thresholdCurve: call<ThresholdPoint[]>()(v.object({ scanId })),
  listIncidents: call<Incident[]>()(v.object({})),
  getIncident: call<Incident>()(v.object({ id: incidentId })),
  /** The flagged windows an incident holds, with their verdicts, in capture order. */
  incidentWindows: call<FlaggedWindow[]>()(v.object({ id: incidentId })),
  createIncident: call<Incident>()(
    v.object({
      scanId,
      windowIds: v.pipe(v.array(windowId), v.minLength(1), v.maxLength(MAX_INCIDENT_WINDOWS)),
      title: v.pipe(v.string(), v.minLength(1), v.maxLength(300)),
      severity: v.optional(v.picklist(incidentSeverities)),
      tlp: v.optional(v.picklist(tlpLevels)),
      summary: v.optional(v.pipe(v.string(), v.maxLength(20_000))),
    }),
  ),
  updateIncident: call<Incident>()(
    v.object({
      id: incidentId,
      title: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(300))),
      status: v.optional(v.picklist(incidentStatuses)),
      severity: v.optional(v.picklist(incidentSeverities)),
      tlp: v.optional(v.picklist(tlpLevels)),
      summary: v.optional(v.pipe(v.string(), v.maxLength(20_000))),
      analyst: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
    }),
  ),
  addIncidentWindows: call<Incident>()(v.object({ id: incidentId, windowIds: v.pipe(v.array(windowId), v.minLength(1), v.maxLength(MAX_INCIDENT_WINDOWS)) })),
  removeIncidentWindows: call<Incident>()(v.object({ id: incidentId, windowIds: v.pipe(v.array(windowId), v.minLength(1), v.maxLength(MAX_INCIDENT_WINDOWS)) })),
  addIncidentNote: call<Incident>()(v.object({ id: incidentId, text: v.pipe(v.string(), v.minLength(1), v.maxLength(20_000)) })),
  deleteIncident: call<void>()(v.object({ id: incidentId })),
  /** The other scans of the incident's capture, each with how many of its windows have a same-flows window there. */
  incidentMoveTargets: call<IncidentMoveTarget[]>()(v.object({ id: incidentId })),
  /**
   * The other incidents, of any scan or capture, whose windows carry a host this one's carry
   * (a flagged window lists up to 20 source and 20 destination hosts): those sharing the most
   * sources first.
   */
  relatedIncidents: call<RelatedIncident[]>()(v.object({ id: incidentId })),
  /** Moves an incident to another scan of its capture: each window to the one with its flows and class there. */
  moveIncident: call<IncidentMoveResult>()(v.object({ id: incidentId, toScanId: scanId })),
  /** A job writing the report; without a path it goes to <project>.reports/. */
  exportReport: call<JobStarted>()(
    v.object({ id: incidentId, format: v.picklist(reportFormats), path: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096))) }),
  ),
  /** Every capture of the project in which an IP address sent or received flows. */
  findHost: call<HostLookup>()(v.object({ host: v.pipe(v.string(), v.minLength(1), v.maxLength(64)) })),
  /**
   * A job writing the flows that match `filter` (in `sort` order, flow id first, with the
   * scan's columns when the filter names a scan); without a path it goes to <project>.reports/.
   */
  exportFlows: call<JobStarted>()(
    v.object({
      captureId,
      filter,
      sort: v.optional(v.object({ column: columnName, dir: v.picklist(['asc', 'desc']) })),
      format: v.picklist(rowExportFormats),
      /** only these columns (the table's shown ones); all by default */
      columns: v.optional(v.pipe(v.array(columnName), v.minLength(1), v.maxLength(256))),
      path: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096))),
    }),
  ),
  /** Electron only: open an exported file (a report, flows), or show it in its folder. The web host answers false. */
  revealReport: call<boolean>()(v.object({ path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)), show: v.boolean() })),
  /** Electron only: shows the native open dialog. The web host answers null. */
  pickCaptureFile: call<string | null>()(v.object({})),
  /**
   * Electron only: the native save dialog for an export's file, starting in the project's reports
   * folder at `fileName`. The web host answers null.
   */
  pickExportFile: call<string | null>()(
    v.object({ fileName: v.pipe(v.string(), v.minLength(1), v.maxLength(255), v.regex(/^[^\\/]+$/, 'a file name, without folders')) }),
  ),
  /**
   * Electron only: the native dialog for a model package folder: one to import, or (`export`, with
   * the model's name to suggest) a new folder to export to, beside the project. The web host
   * answers null.
   */
  pickModelPackage: call<string | null>()(
    v.object({ export: v.boolean(), suggestedName: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(255))) }),
  ),
  /** The projects opened before, newest first (the current one included). */
  recentProjects: call<RecentProject[]>()(v.object({})),
  /** The DuckDB files in the open project's folder (not it), newest first: projects kept side by side. */
  projectsBeside: call<ProjectFile[]>()(v.object({})),
  /** Drops a project from the recent list (the file is left alone). */
  forgetProject: call<void>()(v.object({ path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) })),
  /**
   * Closes this project and opens another (`create`: a new, empty one; the path must not exist).
   * Refused while a job runs. Every window then gets `project:changed` and starts over on it.
   */
  openProject: call<AppInfo>()(
    v.object({ path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)), create: v.optional(v.boolean()) }),
  ),
  /**
   * Rewrites the project file without the space deleted captures and scans left, checking every
   * table came across whole; the same project, smaller. Refused while a job runs; other calls
   * wait for it.
   */
  compactProject: call<CompactResult>()(v.object({})),
  /** The project's size on disk and the free space compacting would give back. */
  projectSpace: call<ProjectSpace>()(v.object({})),
  /** Electron only: the native dialog for a project file to open (or, with `create`, to create). The web host answers null. */
  pickProjectFile: call<string | null>()(v.object({ create: v.boolean() })),
};

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallArgs<K extends CallName> = v.InferOutput<Calls[K]['args']>;
export type CallResult<K extends CallName> = Calls[K]['result'];
export const callNames = Object.keys(calls) as CallName[];

// ---------------------------------------------------------------------------------------------
// Events (main -> renderer)

export interface Events {
  'job:progress': JobProgress;
  'job:finished': JobFinished;
  'captures:changed': { captureIds: number[] };
  'models:changed': { modelIds: string[] };
  'scans:changed': { captureId: number; scanId: number };
  'train:epoch': { jobId: string; point: EpochPoint };
  'train:batch': BatchPoint;
  'verdicts:changed': { scanId: number; windowIds: number[] };
  /** a note was added to a flagged window */
  'notes:changed': { scanId: number; windowId: number };
  'incidents:changed': { incidentIds: number[] };
  /** another project is open now: the renderer starts over on it */
  'project:changed': { projectPath: string };
  /** Electron's application menu: run the palette command with this id (the web host has no menu) */
  'menu:command': { commandId: string };
}
export type EventName = keyof Events;
export const eventNames: EventName[] = ['job:progress', 'job:finished', 'captures:changed', 'models:changed', 'scans:changed', 'train:epoch', 'train:batch', 'verdicts:changed', 'notes:changed', 'incidents:changed', 'project:changed', 'menu:command'];

/** What the renderer sees: one async method per call, plus event subscription. */
export type Api = { [K in CallName]: (args: CallArgs<K>) => Promise<CallResult<K>> } & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};

/** What a host implements: one handler per call. */
export type Handlers = { [K in CallName]: (args: CallArgs<K>) => Promise<CallResult<K>> };

/** The error shape carried by every transport. */
export interface WireError {
  code: string;
  message: string;
}

/** Validates raw arguments for a call; throws a one-line message when they do not fit. */
export function parseArgs<K extends CallName>(name: K, raw: unknown): CallArgs<K> {
  const def = calls[name] as Calls[CallName] | undefined;
  if (!def) throw new Error(`unknown call "${String(name)}"`);
  const result = v.safeParse(def.args, raw ?? {});
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue?.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new Error(`invalid arguments for ${name}${path ? ` (${path})` : ''}: ${issue?.message ?? 'rejected'}`);
  }
  return result.output as CallArgs<K>;
}

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name);
}

/** Every transport answers a call with this envelope, so errors cross as plain data. */
export type Envelope<T = unknown> = { ok: true; result: T } | { ok: false; error: WireError };

/** What the Electron preload exposes as `window.mindflow`. */
export interface Bridge {
  invoke(name: CallName, args: unknown): Promise<Envelope>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
  /** Electron only: the filesystem path of a dropped or chosen File. */
  pathForFile(file: unknown): string;
}

/**
 * How the workbench writes a host beside another in the same /24: "192.168.100.3" then ".5".
 * `host` comes back whole unless both are dotted IPv4 addresses in one /24 and not the same one.
 */
export function siblingHost(host: string, of: string): string {
  const ipv4 = /^(\d+\.\d+\.\d+\.)\d+$/;
  const net = ipv4.exec(of)?.[1];
  return net && host !== of && ipv4.test(host) && host.startsWith(net) ? `.${host.slice(net.length)}` : host;
}

/**
 * What the built-in models were trained with (scripts/train-default.ts) beyond design.md's
 * defaults, which the Train form starts from: more epochs of larger batches at a higher learning
 * rate, no early stop. The form offers it as a preset; the core's DEFAULT_TRAINING is built on it.
 */
export const BUILTIN_RECIPE = { epochs: 55, batchSize: 512, learningRate: 6e-3, earlyStoppingPatience: 0 } as const;
