/**
 * Pure derivations over an `IncidentReport`: the timeline over capture order, affected hosts
 * with roles, indicators and attack classes. Every builder uses these, so the formats agree.
 *
 * Rules:
 * - Positions are flow ids in capture order, never time (v1/v2 captures have no timestamps; a
 *   v3 capture is stored in time order, and its windows and flows carry their start and end,
 *   from which hosts and indicators get when they were first and last seen).
 * - Hosts, indicators and per-host flow counts come from the evidence flows (`flowRows`) of
 *   windows that are not marked false positive: a false positive stays in the report as
 *   evidence of what was looked at, but it is not an indicator. A window without flow rows
 *   still contributes its hosts and ports (with a flow count of 0).
 * - Attacker = source of flagged flows, victim = destination; a host can be both.
 */
import {
  attackTechnique,
  classColour,
  protocolName,
  sortClasses,
  type AttackTechnique,
  type IncidentReport,
  type ReportFlow,
  type ReportWindow,
  type Verdict,
} from './model.ts';

export interface TimelineBin {
  index: number;
  /** First and last flow id covered by the bin (inclusive). */
  firstFlow: number;
  lastFlow: number;
  /** Windows starting in this bin, per class. */
  windows: Record<string, number>;
}

export interface TimelineEvent {
  windowId: string;
  class: string;
  firstFlow: number;
  lastFlow: number;
  flows: number;
  peak: number;
  verdict: Verdict | null;
  /** When the window ran (ISO 8601 UTC), for captures with timestamps; else null. */
  start: string | null;
  end: string | null;
}

export interface Timeline {
  order: 'file order' | 'FLOW_START_MILLISECONDS';
  /** First and last flagged flow of the incident, null when it has no windows. */
  firstFlow: number | null;
  lastFlow: number | null;
  /** The earliest start and latest end of its windows, for captures with timestamps; else null. */
  start: string | null;
  end: string | null;
  classes: string[];
  binSize: number;
  bins: TimelineBin[];
  /** Windows in capture order. */
  events: TimelineEvent[];
}

export type HostRole = 'attacker' | 'victim';

export interface AffectedHost {
  host: string;
  roles: HostRole[];
  flowsAsSource: number;
  flowsAsDestination: number;
  classes: string[];
  windowIds: string[];
  firstFlow: number;
  lastFlow: number;
  /** When it was first and last seen (ISO 8601 UTC), for captures with timestamps (v3); else null. */
  firstSeen: string | null;
  lastSeen: string | null;
}

export type IndicatorType = 'ipv4-src' | 'ipv4-dst' | 'dst-port' | 'protocol';
export const INDICATOR_TYPES: readonly IndicatorType[] = ['ipv4-src', 'ipv4-dst', 'dst-port', 'protocol'];

export interface Indicator {
  type: IndicatorType;
  /** The value as text: an address, a port number, a protocol name ('tcp'). */
  value: string;
  /** Evidence flows carrying it. */
  count: number;
  firstFlow: number;
  lastFlow: number;
  /**
   * When it was first and last seen (ISO 8601 UTC): the earliest start and latest end of the
   * evidence flows carrying it (of its windows, when they have no flow rows). Null for captures
   * without timestamps (v1/v2).
   */
  firstSeen: string | null;
  lastSeen: string | null;
  /** The class with the most flows carrying it. */
  class: string;
  /** Every class it was seen with, most flows first. */
  classes: string[];
  /** Highest detector confidence on a flow carrying it (the window peak when no rows). */
  maxConfidence: number;
  windowIds: string[];
  /** True when any of its windows has a true-positive verdict. */
  confirmed: boolean;
}

export interface AttackClassSummary {
  name: string;
  windows: number;
  flows: number;
  /** Flow-weighted mean of the windows' mean confidence. */
  meanConfidence: number;
  peakConfidence: number;
  verdicts: Record<Verdict | 'none', number>;
  technique: AttackTechnique | null;
  colour: string;
}

export interface ReportTotals {
  windows: number;
  flaggedFlows: number;
  evidenceFlows: number;
  attackers: number;
  victims: number;
  indicators: number;
  classes: number;
  verdicts: Record<Verdict | 'none', number>;
}

export interface ReportDerived {
  timeline: Timeline;
  hosts: AffectedHost[];
  indicators: Indicator[];
  classes: AttackClassSummary[];
  totals: ReportTotals;
}

const emptyVerdicts = (): Record<Verdict | 'none', number> => ({ tp: 0, fp: 0, review: 0, none: 0 });

/** Windows in capture order (first flow, then id) — the order every format lists them in. */
export function windowsInOrder(windows: readonly ReportWindow[]): ReportWindow[] {
  return [...windows].sort((a, b) => a.firstFlow - b.firstFlow || a.lastFlow - b.lastFlow || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Windows whose hosts and ports count as indicators (everything but false positives). */
export function indicatorWindows(windows: readonly ReportWindow[]): ReportWindow[] {
  return windowsInOrder(windows).filter((w) => w.verdict !== 'fp');
}

export function buildTimeline(report: IncidentReport, maxBins = 24): Timeline {
  const windows = windowsInOrder(report.windows);
  const classes = sortClasses(windows.map((w) => w.class));
  const events: TimelineEvent[] = windows.map((w) => ({
    windowId: w.id,
    class: w.class,
    firstFlow: w.firstFlow,
    lastFlow: w.lastFlow,
    flows: w.flows,
    peak: w.peak,
    verdict: w.verdict,
    start: w.start,
    end: w.end,
  }));
  // ISO 8601 UTC strings of one format sort as times do
  const starts = windows.flatMap((w) => (w.start ? [w.start] : [])).sort();
  const ends = windows.flatMap((w) => (w.end ?? w.start ? [(w.end ?? w.start)!] : [])).sort();
  const start = starts[0] ?? null;
  const end = ends.at(-1) ?? null;
  if (windows.length === 0) {
    return { order: report.capture.order, firstFlow: null, lastFlow: null, start, end, classes, binSize: 0, bins: [], events };
  }
  const firstFlow = Math.min(...windows.map((w) => w.firstFlow));
  const lastFlow = Math.max(...windows.map((w) => w.lastFlow));
  const span = lastFlow - firstFlow + 1;
  const binSize = Math.max(1, Math.ceil(span / Math.max(1, maxBins)));
  const count = Math.ceil(span / binSize);
  const bins: TimelineBin[] = Array.from({ length: count }, (_, index) => ({
    index,
    firstFlow: firstFlow + index * binSize,
    lastFlow: Math.min(lastFlow, firstFlow + (index + 1) * binSize - 1),
    windows: Object.fromEntries(classes.map((c) => [c, 0])),
  }));
  for (const w of windows) {
    const bin = bins[Math.min(count - 1, Math.floor((w.firstFlow - firstFlow) / binSize))];
    if (bin) bin.windows[w.class] = (bin.windows[w.class] ?? 0) + 1;
  }
  return { order: report.capture.order, firstFlow, lastFlow, start, end, classes, binSize, bins, events };
}

/** The earliest start and latest end seen so far (ISO 8601 strings of one format compare as times). */
export interface SeenSpan {
  firstSeen: string | null;
  lastSeen: string | null;
}

export function widenSpan(acc: SeenSpan, start: string | null, end: string | null): void {
  if (start && (acc.firstSeen === null || start < acc.firstSeen)) acc.firstSeen = start;
  // a flow whose end precedes its start (a broken exporter) still cannot end the span before it began
  const last = end && start ? (end > start ? end : start) : (end ?? start);
  if (last && (acc.lastSeen === null || last > acc.lastSeen)) acc.lastSeen = last;
}

interface HostAcc extends SeenSpan {
  host: string;
  src: number;
  dst: number;
  attacker: boolean;
  victim: boolean;
  classes: Set<string>;
  windowIds: Set<string>;
  firstFlow: number;
  lastFlow: number;
}

export function affectedHosts(report: IncidentReport): AffectedHost[] {
  const acc = new Map<string, HostAcc>();
  const touch = (host: string, role: HostRole, w: ReportWindow, first: number, last: number, start: string | null, end: string | null): HostAcc => {
    let h = acc.get(host);
    if (!h) {
      h = { host, src: 0, dst: 0, attacker: false, victim: false, classes: new Set(), windowIds: new Set(), firstFlow: first, lastFlow: last, firstSeen: null, lastSeen: null };
      acc.set(host, h);
    }
    widenSpan(h, start, end);
    if (role === 'attacker') h.attacker = true;
    else h.victim = true;
    h.classes.add(w.class);
    h.windowIds.add(w.id);
    h.firstFlow = Math.min(h.firstFlow, first);
    h.lastFlow = Math.max(h.lastFlow, last);
    return h;
  };
  for (const w of indicatorWindows(report.windows)) {
    for (const f of w.flowRows) {
      touch(f.src, 'attacker', w, f.flowId, f.flowId, f.start, f.end).src += 1;
      touch(f.dst, 'victim', w, f.flowId, f.flowId, f.start, f.end).dst += 1;
    }
    for (const h of w.srcHosts) touch(h, 'attacker', w, w.firstFlow, w.lastFlow, w.start, w.end);
    for (const h of w.dstHosts) touch(h, 'victim', w, w.firstFlow, w.lastFlow, w.start, w.end);
  }
  const hosts = [...acc.values()].map<AffectedHost>((h) => ({
    host: h.host,
    roles: [...(h.attacker ? (['attacker'] as const) : []), ...(h.victim ? (['victim'] as const) : [])],
    flowsAsSource: h.src,
    flowsAsDestination: h.dst,
    classes: sortClasses(h.classes),
    windowIds: [...h.windowIds],
    firstFlow: h.firstFlow,
    lastFlow: h.lastFlow,
    firstSeen: h.firstSeen,
    lastSeen: h.lastSeen,
  }));
  // attackers first, then by flows, then by address
  return hosts.sort(
    (a, b) =>
      Number(b.roles.includes('attacker')) - Number(a.roles.includes('attacker')) ||
      b.flowsAsSource + b.flowsAsDestination - (a.flowsAsSource + a.flowsAsDestination) ||
      compareText(a.host, b.host),
  );
}

function compareText(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

interface IndicatorAcc extends SeenSpan {
  type: IndicatorType;
  value: string;
  count: number;
  firstFlow: number;
  lastFlow: number;
  classFlows: Map<string, number>;
  maxConfidence: number;
  windowIds: Set<string>;
  confirmed: boolean;
}

function flowIndicators(f: ReportFlow): [IndicatorType, string][] {
  return [
    ['ipv4-src', f.src],
    ['ipv4-dst', f.dst],
    ['dst-port', String(f.dport)],
    ['protocol', protocolName(f.protocol)],
  ];
}

export function indicators(report: IncidentReport): Indicator[] {
  const acc = new Map<string, IndicatorAcc>();
  const touch = (type: IndicatorType, value: string, w: ReportWindow, flow: ReportFlow | null, confidence: number) => {
    const flowId = flow?.flowId ?? null;
    const key = `${type}\u0000${value}`;
    let i = acc.get(key);
    if (!i) {
      const first = flowId ?? w.firstFlow;
      const last = flowId ?? w.lastFlow;
      i = { type, value, count: 0, firstFlow: first, lastFlow: last, classFlows: new Map(), maxConfidence: 0, windowIds: new Set(), confirmed: false, firstSeen: null, lastSeen: null };
      acc.set(key, i);
    }
    const flows = flow ? 1 : 0;
    i.count += flows;
    widenSpan(i, flow ? flow.start : w.start, flow ? flow.end : w.end);
    i.firstFlow = Math.min(i.firstFlow, flowId ?? w.firstFlow);
    i.lastFlow = Math.max(i.lastFlow, flowId ?? w.lastFlow);
    i.classFlows.set(w.class, (i.classFlows.get(w.class) ?? 0) + flows);
    i.maxConfidence = Math.max(i.maxConfidence, confidence);
    i.windowIds.add(w.id);
    if (w.verdict === 'tp') i.confirmed = true;
  };
  for (const w of indicatorWindows(report.windows)) {
    for (const f of w.flowRows) {
      for (const [type, value] of flowIndicators(f)) touch(type, value, w, f, f.confidence);
    }
    if (w.flowRows.length === 0) {
      for (const h of w.srcHosts) touch('ipv4-src', h, w, null, w.peak);
      for (const h of w.dstHosts) touch('ipv4-dst', h, w, null, w.peak);
      for (const p of w.dstPorts) touch('dst-port', String(p), w, null, w.peak);
    }
  }
  const list = [...acc.values()].map<Indicator>((i) => {
    const classes = [...i.classFlows.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])).map(([c]) => c);
    return {
      type: i.type,
      value: i.value,
      count: i.count,
      firstFlow: i.firstFlow,
      lastFlow: i.lastFlow,
      firstSeen: i.firstSeen,
      lastSeen: i.lastSeen,
      class: classes[0] ?? '',
      classes,
      maxConfidence: i.maxConfidence,
      windowIds: [...i.windowIds],
      confirmed: i.confirmed,
    };
  });
  return list.sort(
    (a, b) => INDICATOR_TYPES.indexOf(a.type) - INDICATOR_TYPES.indexOf(b.type) || b.count - a.count || compareText(a.value, b.value),
  );
}

export function attackClasses(report: IncidentReport): AttackClassSummary[] {
  const byClass = new Map<string, ReportWindow[]>();
  for (const w of report.windows) byClass.set(w.class, [...(byClass.get(w.class) ?? []), w]);
  return sortClasses(byClass.keys()).map((name, i) => {
    const ws = byClass.get(name) ?? [];
    const flows = ws.reduce((s, w) => s + w.flows, 0);
    const weighted = ws.reduce((s, w) => s + w.mean * w.flows, 0);
    const verdicts = emptyVerdicts();
    for (const w of ws) verdicts[w.verdict ?? 'none'] += 1;
    return {
      name,
      windows: ws.length,
      flows,
      meanConfidence: flows > 0 ? weighted / flows : ws.reduce((s, w) => s + w.mean, 0) / Math.max(1, ws.length),
      peakConfidence: Math.max(0, ...ws.map((w) => w.peak)),
      verdicts,
      technique: attackTechnique(name),
      colour: classColour(name, i),
    };
  });
}

/** Mean class probabilities over a window's evidence flows, classes in display order. */
export function meanProbabilities(w: ReportWindow): { name: string; p: number }[] {
  if (w.flowRows.length === 0) return [];
  const sums = new Map<string, number>();
  for (const f of w.flowRows) for (const [c, p] of Object.entries(f.probs)) sums.set(c, (sums.get(c) ?? 0) + (Number.isFinite(p) ? p : 0));
  return sortClasses(sums.keys()).map((name) => ({ name, p: (sums.get(name) ?? 0) / w.flowRows.length }));
}

export function deriveReport(report: IncidentReport): ReportDerived {
  const timeline = buildTimeline(report);
  const hosts = affectedHosts(report);
  const list = indicators(report);
  const classes = attackClasses(report);
  const verdicts = emptyVerdicts();
  for (const w of report.windows) verdicts[w.verdict ?? 'none'] += 1;
  return {
    timeline,
    hosts,
    indicators: list,
    classes,
    totals: {
      windows: report.windows.length,
      flaggedFlows: report.windows.reduce((s, w) => s + w.flows, 0),
      evidenceFlows: report.windows.reduce((s, w) => s + w.flowRows.length, 0),
      attackers: hosts.filter((h) => h.roles.includes('attacker')).length,
      victims: hosts.filter((h) => h.roles.includes('victim')).length,
      indicators: list.length,
      classes: classes.length,
      verdicts,
    },
  };
}
