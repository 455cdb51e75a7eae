/**
 * The incident report model: everything a report needs, assembled from the project elsewhere
 * (incident, capture, scan, windows and their flows). The report layer is pure: an
 * `IncidentReport` in, each export format out. Every string that came from a capture (hosts,
 * labels, class names) or from an analyst (notes, titles) is untrusted and is escaped by the
 * builder that writes it.
 *
 * Flows have no time in NF-BoT-IoT v1/v2: positions are flow ids in capture order, never time.
 */
import { reasonOnlyChange, sharedHostsText } from '../../../preload/contract.ts';

export const REPORT_SCHEMA_VERSION = 'mindflow-incident-report/6' as const;

export type IncidentStatus = 'open' | 'contained' | 'closed';
export type IncidentSeverity = 'low' | 'medium' | 'high' | 'critical';
export type Tlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';
export type Verdict = 'tp' | 'fp' | 'review';

export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['open', 'contained', 'closed'];
export const INCIDENT_SEVERITIES: readonly IncidentSeverity[] = ['low', 'medium', 'high', 'critical'];
export const TLP_LEVELS: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
export const VERDICTS: readonly Verdict[] = ['tp', 'fp', 'review'];

export interface ReportNote {
  /** ISO 8601 timestamp. */
  at: string;
  author: string;
  text: string;
}

export interface ReportIncident {
  id: string;
  title: string;
  status: IncidentStatus;
  severity: IncidentSeverity;
  tlp: Tlp;
  summary: string;
  analyst: string;
  createdAt: string;
  updatedAt: string;
  notes: ReportNote[];
}

export interface ReportCapture {
  id: string;
  fileName: string;
  sha256: string;
  sizeBytes: number;
  /** Dataset schema, e.g. 'v1', 'v2', 'v3'. */
  schemaVersion: string;
  rows: number;
  order: 'file order' | 'FLOW_START_MILLISECONDS';
}

export interface ReportClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ReportMetrics {
  /**
   * 'capture': the scan's predictions against the scanned capture's own labels (flows the model
   * trained on among them, if it was trained on this capture); 'held-out': the metrics the model
   * carries from training, on flows of its training capture that it never saw (the scanned
   * capture has no labels it can measure against).
   */
  scope: 'capture' | 'held-out';
  classes: string[];
  accuracy: number;
  macroF1: number;
  weightedF1: number;
  perClass: ReportClassMetrics[];
  /** Rows: true class, columns: predicted class, in `classes` order. */
  confusion: number[][];
}

export interface ReportDetection {
  modelName: string;
  modelId: string;
  appVersion: string;
  backend: string;
  threshold: number;
  scanId: string;
  scannedAt: string;
  metrics: ReportMetrics | null;
}

export interface ReportFlow {
  /** Position in capture order. */
  flowId: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP). */
  protocol: number;
  /** nDPI L7 protocol id (a float in NF-BoT-IoT). */
  l7: number;
  inBytes: number;
  outBytes: number;
  inPkts: number;
  outPkts: number;
  tcpFlags: number;
  durationMs: number;
  /**
   * When the flow ran (ISO 8601, UTC, to the millisecond): FLOW_START_MILLISECONDS and
   * FLOW_END_MILLISECONDS of a capture that has them (v3); null otherwise.
   */
  start: string | null;
  end: string | null;
  /** The capture's own `Attack` label, null in an unlabelled capture. */
  label: string | null;
  predicted: string;
  confidence: number;
  probs: Record<string, number>;
}

export interface ReportFeatureWeight {
  name: string;
  weight: number;
}

export interface ReportWindow {
  id: string;
  class: string;
  firstFlow: number;
  lastFlow: number;
  flows: number;
  peak: number;
  mean: number;
  srcHosts: string[];
  dstHosts: string[];
  dstPorts: number[];
  /**
   * When the window's flows ran (ISO 8601, UTC, to the millisecond): the earliest flow start and
   * the latest flow end, from captures that carry real timestamps (v3); null for v1/v2 captures.
   */
  start: string | null;
  end: string | null;
  verdict: Verdict | null;
  verdictReason: string | null;
  verdictBy: string | null;
  verdictAt: string | null;
  /** A plain sentence: why the detector flagged it. */
  explanation: string | null;
  topFeatures: ReportFeatureWeight[];
  flowRows: ReportFlow[];
}

/** One line of the incident windows' audit trail: a verdict set, cleared or undone, or a note on a window. */
export interface ReportAuditEntry {
  /** ISO 8601, UTC */
  at: string;
  analyst: string;
  action: 'verdict' | 'undo' | 'note';
  windowId: string;
  /** the verdict before (null: not reviewed); null for a note */
  previous: Verdict | null;
  /** the verdict after (null: cleared), or the note's text */
  value: string | null;
  reason: string | null;
  /** a verdict change a later undo reverted */
  undone: boolean;
}

export type ReportHostRole = 'source' | 'destination' | 'both';

/**
 * Another incident of the project whose windows carry a host this incident's windows carry
 * (NIST SP 800-61's "other incidents related to this incident"). Its title is withheld when
 * its TLP is more restrictive than this report's.
 */
export interface ReportRelatedIncident {
  id: string;
  /** null: withheld, its TLP is more restrictive than the report's */
  title: string | null;
  status: IncidentStatus;
  severity: IncidentSeverity;
  tlp: Tlp;
  scanId: string;
  captureFileName: string;
  /** the shared hosts (at most 20), with the role each plays here and there */
  sharedHosts: { host: string; here: ReportHostRole; there: ReportHostRole }[];
  sharedCount: number;
}

/** A related incident's title as reports write it: withheld when its TLP says so. */
export function relatedTitle(r: ReportRelatedIncident): string {
  return r.title ?? `title withheld (TLP:${r.tlp})`;
}

/** "10.0.0.1 (source in both), 10.0.0.3 (destination here, source there) and 4 more" */
export function relatedHostsText(r: ReportRelatedIncident, most = 6): string {
  return sharedHostsText(r.sharedHosts, r.sharedCount, most);
}

/** True when a report marked `report` may carry what is marked `other`. */
export function tlpAllows(report: Tlp, other: Tlp): boolean {
  return TLP_LEVELS.indexOf(other) <= TLP_LEVELS.indexOf(report);
}

export interface IncidentReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  incident: ReportIncident;
  capture: ReportCapture;
  detection: ReportDetection;
  windows: ReportWindow[];
  /** every verdict change and note on the incident's windows, oldest first: who decided what, when */
  auditTrail: ReportAuditEntry[];
  /** the other incidents sharing a host with this one, those sharing a source first */
  relatedIncidents: ReportRelatedIncident[];
  generatedAt: string;
  appVersion: string;
}

/** MITRE ATT&CK techniques for the NF-BoT-IoT attack classes (matched case-insensitively). */
export interface AttackTechnique {
  id: string;
  name: string;
  tactic: string;
}

const ATTACK_TECHNIQUES: Record<string, AttackTechnique> = {
  reconnaissance: { id: 'T1046', name: 'Network Service Discovery', tactic: 'discovery' },
  dos: { id: 'T1499', name: 'Endpoint Denial of Service', tactic: 'impact' },
  ddos: { id: 'T1498', name: 'Network Denial of Service', tactic: 'impact' },
  theft: { id: 'T1041', name: 'Exfiltration Over C2 Channel', tactic: 'exfiltration' },
};

export function attackTechnique(className: string): AttackTechnique | null {
  return ATTACK_TECHNIQUES[className.trim().toLowerCase()] ?? null;
}

export function attackTechniqueUrl(t: AttackTechnique): string {
  return `https://attack.mitre.org/techniques/${t.id}/`;
}

/** IANA protocol numbers seen in NetFlow captures, by their lowercase service names. */
const PROTOCOL_NAMES: Record<number, string> = { 1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 58: 'ipv6-icmp', 132: 'sctp' };

/** 'tcp' for 6 and so on; unknown numbers stay numeric ('proto-99'). */
export function protocolName(protocol: number): string {
  return PROTOCOL_NAMES[protocol] ?? `proto-${String(protocol)}`;
}

/** Class colours: the same Okabe-Ito palette as the renderer (renderer/src/lib/classColors.ts). */
const KNOWN_CLASS_COLOURS: Record<string, string> = {
  benign: '#009E73',
  reconnaissance: '#0072B2',
  ddos: '#E69F00',
  dos: '#D55E00',
  theft: '#CC79A7',
  attack: '#D55E00',
};
const SPARE_COLOURS = ['#56B4E9', '#F0E442', '#8C6D31', '#7F7F7F', '#17BECF', '#9467BD', '#BCBD22'];

export function classColour(name: string, index = 0): string {
  return KNOWN_CLASS_COLOURS[name.toLowerCase()] ?? SPARE_COLOURS[index % SPARE_COLOURS.length] ?? '#7F7F7F';
}

const CLASS_ORDER = ['benign', 'reconnaissance', 'dos', 'ddos', 'theft'];

/** Known classes first in a fixed order, others after, alphabetically. */
export function sortClasses(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => {
    const ia = CLASS_ORDER.indexOf(a.toLowerCase());
    const ib = CLASS_ORDER.indexOf(b.toLowerCase());
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A dotted-quad IPv4 address, nothing else (a crafted host fails this). */
export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

export const VERDICT_LABELS: Record<Verdict, string> = {
  tp: 'true positive',
  fp: 'false positive',
  review: 'needs review',
};

/** What an audit entry did, in words: 'set', 'cleared', 'undone', 'note'. */
export function auditActionLabel(e: Pick<ReportAuditEntry, 'action' | 'previous' | 'value' | 'reason'>): string {
  if (e.action === 'note') return 'note';
  if (e.action === 'undo') return 'undo';
  // the verdict kept: only its reason changed (the same verdict and reason again is no entry)
  if (reasonOnlyChange(e)) return e.reason ? 'reason changed' : 'reason cleared';
  return e.value === null ? 'verdict cleared' : 'verdict';
}

/** An audit entry's change in words: 'not reviewed → true positive'; 'true positive (kept)' when only the reason changed; a note's text. */
export function auditChangeText(e: Pick<ReportAuditEntry, 'action' | 'previous' | 'value'>): string {
  if (e.action === 'note') return e.value ?? '';
  const name = (v: string | null) => (v === null ? 'not reviewed' : (VERDICT_LABELS[v as Verdict] ?? v));
  if (reasonOnlyChange(e)) return `${name(e.value)} (${e.action === 'undo' ? 'reason change undone' : 'kept'})`;
  return `${name(e.previous)} → ${name(e.value)}`;
}
