/**
 * The HTML incident report: one self-contained file (inline CSS, inline SVG, no scripts, no
 * external resources, a CSP that forbids loading anything), structured after NIST SP 800-61
 * incident documentation, and laid out to print well (it is also the source of the PDF).
 * Every value is escaped with `escapeHtml`; nothing from the report reaches a URL, a style or
 * an element name.
 */
import { DURATION_WRAP_AT_MS, flowDuration } from '../../../preload/contract.ts';
import { classConfidenceSvg, timelineSvg } from './charts.ts';
import { deriveReport, meanProbabilities, windowsInOrder } from './derive.ts';
import { auditActionLabel, auditChangeText, classColour, protocolName, relatedHostsText, relatedTitle, VERDICT_LABELS, type IncidentReport, type ReportFlow, type ReportWindow, type Tlp } from './model.ts';
import { bytes, count, escapeHtml as h, fixed, flowRange, flowTime, humanTime, metricsLead, percent, windowTime, windowTimeParts } from './text.ts';

export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** FIRST TLP 2.0 colours (text on black). */
const TLP_STYLE: Record<Tlp, { fg: string; css: string }> = {
  CLEAR: { fg: '#FFFFFF', css: 'clear' },
  GREEN: { fg: '#33FF00', css: 'green' },
  AMBER: { fg: '#FFC000', css: 'amber' },
  'AMBER+STRICT': { fg: '#FFC000', css: 'amber-strict' },
  RED: { fg: '#FF2B2B', css: 'red' },
};

const TLP_MEANING: Record<Tlp, string> = {
  CLEAR: 'Disclosure is not limited.',
  GREEN: 'Limited disclosure: the recipient\u2019s community.',
  AMBER: 'Limited disclosure: the recipient\u2019s organisation and its clients, on a need-to-know basis.',
  'AMBER+STRICT': 'Limited disclosure: the recipient\u2019s organisation only.',
  RED: 'For the eyes and ears of individual recipients only, no further disclosure.',
};

const CSS = `
:root { --ink: #1b1f24; --muted: #5b6470; --rule: #d0d4da; --band: #f4f6f8; --accent: #0b5cad; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--ink); background: #fff; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; line-height: 1.5; }
main { max-width: 60rem; margin: 0 auto; padding: 0 1.5rem 3rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 1.25rem 0 0.5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 0.6rem; padding-bottom: 0.25rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05rem; margin: 1.6rem 0 0.4rem; overflow-wrap: anywhere; }
p { margin: 0.4rem 0 0.8rem; }
.tlp { background: #000; padding: 0.45rem 1.5rem; display: flex; gap: 1rem; align-items: baseline; font-weight: 700; letter-spacing: 0.04em; }
.tlp .label { font-size: 1.05rem; }
.tlp .meaning { color: #e6e6e6; font-weight: 400; font-size: 0.85rem; letter-spacing: 0; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.5rem 1rem; margin: 0.8rem 0 1rem; padding: 0.8rem 1rem; background: var(--band); border-radius: 4px; }
.facts dt { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.sev-critical, .sev-high { color: #b00020; }
.sev-medium { color: #9a5b00; }
.summary { white-space: pre-wrap; overflow-wrap: anywhere; }
.kpis { display: flex; flex-wrap: wrap; gap: 0.6rem; margin: 0.8rem 0; padding: 0; list-style: none; }
.kpis li { border: 1px solid var(--rule); border-radius: 4px; padding: 0.4rem 0.8rem; min-width: 8rem; }
.kpis b { display: block; font-size: 1.3rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--rule); vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
code, .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 0.92em; overflow-wrap: anywhere; }
/* a short token (a class, an address, a time) never breaks mid-word; long, possibly crafted values still wrap */
.nb { white-space: nowrap; overflow-wrap: normal; }
.w { overflow-wrap: normal; }
table.flows { font-size: 0.78rem; }
table.flows th, table.flows td { padding: 0.25rem 0.3rem; }
.scroll { overflow-x: auto; }
.muted { color: var(--muted); }
.undone { text-decoration: line-through; color: var(--muted); }
.swatch { display: inline-block; width: 0.75rem; height: 0.75rem; border-radius: 2px; margin-right: 0.35rem; vertical-align: -0.05rem; }
.legend { display: flex; flex-wrap: wrap; gap: 1rem; font-size: 0.85rem; margin: 0.2rem 0 0.8rem; }
.chart { display: block; max-width: 100%; height: auto; }
figure { margin: 0.8rem 0 1.2rem; }
figcaption { font-size: 0.8rem; color: var(--muted); }
.window { border-left: 4px solid var(--rule); padding-left: 1rem; margin: 1.5rem 0; }
.why { background: var(--band); padding: 0.6rem 0.9rem; border-radius: 4px; overflow-wrap: anywhere; }
.bar { display: inline-block; height: 0.6rem; background: var(--accent); vertical-align: middle; margin-right: 0.4rem; min-width: 1px; }
.verdict-tp { color: #b00020; font-weight: 600; }
.verdict-fp { color: #1b7f3b; font-weight: 600; }
.verdict-review { color: #9a5b00; font-weight: 600; }
.note { border: 1px solid var(--rule); border-radius: 4px; padding: 0.5rem 0.8rem; margin: 0.5rem 0; }
.note header { font-size: 0.8rem; color: var(--muted); }
.note p { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.3rem 0 0; }
main > footer { margin-top: 2rem; font-size: 0.8rem; color: var(--muted); border-top: 1px solid var(--rule); padding-top: 0.6rem; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  html { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  .tlp, .swatch, .bar, th, .facts, .why, rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  /* sections flow; the evidence, the long part, starts on its own page */
  section.page { break-before: page; }
  section { break-inside: auto; }
  h2, h3 { break-after: avoid; }
  thead { display: table-header-group; }
  tr, figure, .note, .facts, .kpis, .why { break-inside: avoid; }
  table { break-inside: auto; }
  .window { break-inside: avoid-page; }
  .scroll { overflow: visible; }
  table.flows { font-size: 0.7rem; }
  table.flows th, table.flows td { padding: 0.2rem 0.25rem; }
}
`;

function facts(items: readonly [string, string][]): string {
  return `<dl class="facts">${items.map(([k, v]) => `<div><dt>${h(k)}</dt><dd>${v}</dd></div>`).join('')}</dl>`;
}

/** A table; cells are already-escaped HTML. `num` marks right-aligned numeric columns. */
function table(head: readonly string[], rows: readonly (readonly string[])[], num: readonly number[] = [], caption?: string, className?: string): string {
  const cls = (i: number) => (num.includes(i) ? ' class="num"' : '');
  return [
    className ? `<table class="${className}">` : '<table>',
    caption ? `<caption class="muted">${h(caption)}</caption>` : '',
    `<thead><tr>${head.map((c, i) => `<th scope="col"${cls(i)}>${c.length <= MAX_UNBROKEN ? `<span class="w">${h(c)}</span>` : h(c)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`).join('')}</tbody>`,
    '</table>',
  ].join('');
}

/** Longest token kept on one line; a longer value (a crafted label, say) may wrap anywhere. */
const MAX_UNBROKEN = 24;

/** A value that reads as one word (a class, an address, an indicator type), escaped. */
function word(value: string | number, mono = false): string {
  const text = String(value);
  const cls = [mono ? 'mono' : '', text.length <= MAX_UNBROKEN ? 'nb' : ''].filter(Boolean).join(' ');
  return cls ? `<span class="${cls}">${h(text)}</span>` : h(text);
}

/** A list of such values, 'DoS, Reconnaissance', breaking only after a comma. */
function words(values: readonly string[]): string {
  return values.map((v, i) => word(i < values.length - 1 ? `${v},` : v)).join(' ');
}

/** 'flows 1,201–1,208' for a table cell, breaking only after the dash. */
function flowRangeCell(first: number, last: number): string {
  const text = flowRange(first, last);
  const dash = text.indexOf('–');
  return dash < 0 ? word(text) : `${word(text.slice(0, dash + 1))}<wbr>${word(text.slice(dash + 1))}`;
}

/** host:port, which may break before the port but not inside the address. */
function endpoint(host: string, port: number): string {
  return `${word(host, true)}<wbr><span class="mono nb">:${h(port)}</span>`;
}

/** A time span for a table cell, breaking only between its parts: date, time, '– to', 'UTC (span)'. */
function timeSpanCell(x: { start: string | null; end: string | null }): string {
  const p = windowTimeParts(x);
  if (!p) return '<span class="muted">–</span>';
  const [date, time] = p.from.split(' ');
  return `<span class="mono nb">${h(date ?? '')}</span> <span class="mono nb">${h(time ?? '')}</span> <span class="mono nb">– ${h(p.to)}</span> <span class="nb">UTC (${h(p.span)})</span>`;
}

function verdictCell(w: Pick<ReportWindow, 'verdict'>): string {
  return w.verdict ? `<span class="verdict-${w.verdict}">${h(VERDICT_LABELS[w.verdict])}</span>` : '<span class="muted">not reviewed</span>';
}

/** A class's swatch and name, kept on one line when the name is short. */
function classLabel(name: string, index: number): string {
  return `<span${name.length <= MAX_UNBROKEN ? ' class="nb"' : ''}>${swatch(name, index)}${h(name)}</span>`;
}

function swatch(name: string, index: number): string {
  return `<span class="swatch" style="background:${classColour(name, index)}"></span>`;
}

/**
 * The window's evidence flows, compact enough for an A4 page: bytes and packets as in/out
 * pairs, the start as a time of day when every flow started on one date (the window's Time
 * gives the date), and no Predicted column when every flow was predicted as the window's class
 * (windows are runs of one predicted class; the caption says so).
 */
function evidenceFlows(w: ReportWindow): string {
  const rows = w.flowRows;
  const timed = rows.some((f) => f.start);
  const oneDay = new Set(rows.map((f) => flowTime(f)?.slice(0, 10) ?? '')).size === 1;
  const mixed = rows.some((f) => f.predicted !== w.class);
  const columns: { head: string; num?: boolean; cell: (f: ReportFlow) => string }[] = [
    { head: 'Flow', num: true, cell: (f) => h(count(f.flowId)) },
    ...(timed ? [{ head: 'Start (UTC)', cell: (f: ReportFlow) => word((oneDay ? flowTime(f)?.slice(11) : flowTime(f)) ?? '–', true) }] : []),
    { head: 'Source', cell: (f) => endpoint(f.src, f.sport) },
    { head: 'Destination', cell: (f) => endpoint(f.dst, f.dport) },
    { head: 'Proto', cell: (f) => word(protocolName(f.protocol)) },
    { head: 'L7', num: true, cell: (f) => h(f.l7) },
    { head: 'Bytes in/out', num: true, cell: (f) => `${h(count(f.inBytes))}/${h(count(f.outBytes))}` },
    { head: 'Pkts in/out', num: true, cell: (f) => `${h(count(f.inPkts))}/${h(count(f.outPkts))}` },
    { head: 'TCP flags', num: true, cell: (f) => h(f.tcpFlags) },
    { head: 'Duration ms', num: true, cell: durationCell },
    { head: 'Label', cell: (f) => (f.label === null ? '<span class="muted">–</span>' : word(f.label)) },
    ...(mixed ? [{ head: 'Predicted', cell: (f: ReportFlow) => word(f.predicted) }] : []),
    { head: 'Confidence', num: true, cell: (f) => h(percent(f.confidence)) },
  ];
  const shown = rows.length < w.flows ? `The ${count(rows.length)} most confident of ${count(w.flows)} flows` : `All ${count(w.flows)} flows`;
  const wrapped = rows.some((f) => flowDuration(f.durationMs).wrapped) ? `; * a duration the exporter wrapped around (stored as about ${count(DURATION_WRAP_AT_MS)} ms less it), shown as the negative ms it stands for` : '';
  // on a narrow screen the table scrolls sideways rather than squeeze its addresses
  const flows = table(
    columns.map((c) => c.head),
    rows.map((f) => columns.map((c) => c.cell(f))),
    columns.flatMap((c, i) => (c.num ? [i] : [])),
    `${mixed ? shown : `${shown}, each predicted ${w.class}`}${wrapped}`,
    'flows',
  );
  return `<div class="scroll">${flows}</div>`;
}

/** A flow's duration; the exporter's wrap-around as the negative ms it stands for, starred (the JSON report keeps the raw value). */
function durationCell(f: ReportFlow): string {
  const d = flowDuration(f.durationMs);
  if (!d.wrapped) return h(count(d.ms));
  return `<span class="nb">${d.ms < 0 ? `−${h(count(-d.ms))}` : '0'}*</span>`;
}

function evidence(w: ReportWindow, classIndex: (c: string) => number): string {
  const probs = meanProbabilities(w);
  const maxWeight = Math.max(1e-9, ...w.topFeatures.map((f) => Math.abs(f.weight)));
  const parts = [
    `<article class="window" style="border-left-color:${classColour(w.class, classIndex(w.class))}">`,
    `<h3>Window <span class="mono">${h(w.id)}</span>: ${h(w.class)}, ${h(flowRange(w.firstFlow, w.lastFlow))}</h3>`,
    facts([
      ['Flows', count(w.flows)],
      ...(windowTime(w) ? [['Time', h(windowTime(w)!)] as [string, string]] : []),
      ['Mean confidence', percent(w.mean)],
      ['Peak confidence', percent(w.peak)],
      ['Sources', w.srcHosts.map((x) => `<span class="mono">${h(x)}</span>`).join(', ') || '–'],
      ['Destinations', w.dstHosts.map((x) => `<span class="mono">${h(x)}</span>`).join(', ') || '–'],
      ['Destination ports', h(w.dstPorts.join(', ')) || '–'],
      ['Verdict', verdictCell(w)],
    ]),
    `<p class="why"><strong>Why it was flagged.</strong> ${w.explanation ? h(w.explanation) : '<span class="muted">No explanation recorded.</span>'}</p>`,
  ];
  if (w.verdictReason || w.verdictBy) {
    parts.push(
      `<p><strong>Analyst:</strong> ${w.verdictBy ? h(w.verdictBy) : '–'}${w.verdictAt ? `, ${h(humanTime(w.verdictAt))}` : ''}${w.verdictReason ? `: ${h(w.verdictReason)}` : ''}</p>`,
    );
  }
  if (w.topFeatures.length) {
    parts.push(
      table(
        ['Feature', 'Weight'],
        w.topFeatures.map((f) => [`<span class="mono">${h(f.name)}</span>`, `<span class="bar" style="width:${((Math.abs(f.weight) / maxWeight) * 6).toFixed(2)}rem"></span>${h(fixed(f.weight, 3))}`]),
        [],
        'Features that drove the prediction',
      ),
    );
  }
  if (probs.length) {
    parts.push(
      table(
        ['Class', 'Mean probability'],
        probs.map((p) => [classLabel(p.name, classIndex(p.name)), `<span class="bar" style="width:${(Math.max(0, Math.min(1, p.p)) * 6).toFixed(2)}rem"></span>${h(percent(p.p))}`]),
        [],
        'Predicted class probabilities, averaged over the evidence flows',
      ),
    );
  }
  if (w.flowRows.length) parts.push(evidenceFlows(w));
  parts.push('</article>');
  return parts.join('');
}

export function buildHtml(report: IncidentReport): string {
  const { incident: inc, capture: cap, detection: det } = report;
  const d = deriveReport(report);
  const tlp = TLP_STYLE[inc.tlp] ?? TLP_STYLE.RED;
  const classNames = d.timeline.classes;
  const classIndex = (c: string) => Math.max(0, classNames.indexOf(c));
  const t = d.totals;

  const banner = `<div class="tlp tlp-${tlp.css}" style="color:${tlp.fg}"><span class="label">TLP:${h(inc.tlp)}</span><span class="meaning">${h(TLP_MEANING[inc.tlp] ?? '')}</span></div>`;

  const header = [
    `<h1>${h(inc.title)}</h1>`,
    facts([
      ['Incident', `<span class="mono">${h(inc.id)}</span>`],
      ['Status', h(inc.status)],
      ['Severity', `<span class="sev-${h(inc.severity)}">${h(inc.severity)}</span>`],
      ['TLP', `TLP:${h(inc.tlp)}`],
      ['Analyst', h(inc.analyst)],
      ['Opened', h(humanTime(inc.createdAt))],
      ['Updated', h(humanTime(inc.updatedAt))],
    ]),
  ].join('');

  const summary = [
    '<section id="summary"><h2>1. Executive summary</h2>',
    inc.summary.trim() ? `<p class="summary">${h(inc.summary.trim())}</p>` : '<p class="muted">No summary written.</p>',
    '<ul class="kpis">',
    `<li><b>${count(t.windows)}</b>flagged windows</li>`,
    `<li><b>${count(t.flaggedFlows)}</b>flagged flows</li>`,
    `<li><b>${count(t.classes)}</b>attack classes</li>`,
    `<li><b>${count(t.attackers)}</b>attacking hosts</li>`,
    `<li><b>${count(t.victims)}</b>victim hosts</li>`,
    `<li><b>${count(t.verdicts.tp)}</b>confirmed (true positive)</li>`,
    '</ul>',
    `<p>Classes: ${d.classes.map((c, i) => `${swatch(c.name, i)}${h(c.name)}${c.technique ? ` (ATT&amp;CK ${h(c.technique.id)})` : ''}`).join(', ') || 'none'}. Verdicts: ${count(t.verdicts.tp)} true positive, ${count(t.verdicts.fp)} false positive, ${count(t.verdicts.review)} needs review, ${count(t.verdicts.none)} not reviewed.</p>`,
    '</section>',
  ].join('');

  const m = det.metrics;
  const detection = [
    '<section id="detection"><h2>2. Detection source</h2>',
    facts([
      ['Model', `${h(det.modelName)} <span class="muted mono">${h(det.modelId)}</span>`],
      ['Model app version', h(det.appVersion)],
      ['Backend', h(det.backend)],
      ['Threshold', h(fixed(det.threshold, 2))],
      ['Scan', `<span class="mono">${h(det.scanId)}</span>`],
      ['Scanned', h(humanTime(det.scannedAt))],
    ]),
    m
      ? `<p>${h(metricsLead(m))} Macro F1 and the per-class figures matter more than accuracy on this imbalanced data.</p>` +
        table(
          ['Class', 'Precision', 'Recall', 'F1', 'Support'],
          m.perClass.map((c, i) => [classLabel(c.name, i), h(fixed(c.precision)), h(fixed(c.recall)), h(fixed(c.f1)), h(count(c.support))]),
          [1, 2, 3, 4],
          'Per-class metrics of the detector',
        ) +
        (m.confusion.length
          ? table(
              ['True \\ predicted', ...m.classes],
              m.confusion.map((row, i) => [`<strong>${h(m.classes[i] ?? String(i))}</strong>`, ...row.map((n) => h(count(n)))]),
              m.classes.map((_, i) => i + 1),
              'Confusion matrix (rows: true class, columns: predicted class)',
            )
          : '')
      : '<p class="muted">The model carries no evaluation metrics.</p>',
    '</section>',
  ].join('');

  const timed = cap.order === 'FLOW_START_MILLISECONDS';
  const withTime = d.timeline.events.some((e) => e.start);
  const timeline = [
    `<section id="timeline"><h2>3. Timeline (${timed ? 'time order' : 'capture order'})</h2>`,
    (timed
      ? `<p>Flows are in time order (<span class="mono">${h(cap.order)}</span>); positions are flow ids in that order.${d.timeline.start ? ` The windows ran ${h(windowTime(d.timeline)!)}.` : ''} `
      : `<p>Positions are flow ids in capture order (<span class="mono">${h(cap.order)}</span>), not time${cap.order === 'file order' ? ': this capture has no timestamps' : ''}. `) +
      (d.timeline.firstFlow === null ? 'The incident has no windows.</p>' : `First flagged flow ${h(count(d.timeline.firstFlow))}, last ${h(count(d.timeline.lastFlow ?? 0))}.</p>`),
    `<figure>${timelineSvg(d.timeline, classNames)}<figcaption><div class="legend">${classNames.map((c, i) => `<span>${swatch(c, i)}${h(c)}</span>`).join('')}</div>Flagged windows per class, by the flow each starts at.</figcaption></figure>`,
    d.timeline.events.length
      ? table(
          ['Window', 'Class', 'Span', ...(withTime ? ['Time'] : []), 'Flows', 'Peak', 'Verdict'],
          d.timeline.events.map((e) => [
            `<span class="mono">${h(e.windowId)}</span>`, classLabel(e.class, classIndex(e.class)), flowRangeCell(e.firstFlow, e.lastFlow),
            ...(withTime ? [timeSpanCell(e)] : []), h(count(e.flows)), h(percent(e.peak)), verdictCell(e),
          ]),
          withTime ? [4, 5] : [3, 4],
          `Windows in ${timed ? 'time' : 'capture'} order`,
        )
      : '',
    '</section>',
  ].join('');

  const hostsTimed = d.hosts.some((x) => x.firstSeen);
  const hosts = [
    '<section id="hosts"><h2>4. Affected hosts</h2>',
    '<p>Attacker: source of flagged flows. Victim: destination. A host can be both. Flows from / to: evidence flows the host sent / received. Windows an analyst marked false positive are left out; flow counts are over the evidence flows in this report.</p>',
    d.hosts.length
      ? table(
          ['Host', 'Role', 'Flows from', 'Flows to', 'Classes', 'Span', ...(hostsTimed ? ['Seen'] : [])],
          d.hosts.map((x) => [
            word(x.host, true), words(x.roles), h(count(x.flowsAsSource)), h(count(x.flowsAsDestination)), words(x.classes), flowRangeCell(x.firstFlow, x.lastFlow),
            ...(hostsTimed ? [timeSpanCell({ start: x.firstSeen, end: x.lastSeen })] : []),
          ]),
          [2, 3],
        )
      : '<p class="muted">None.</p>',
    '</section>',
  ].join('');

  const iocsTimed = d.indicators.some((i) => i.firstSeen);
  const iocs = [
    '<section id="indicators"><h2>5. Indicators</h2>',
    d.indicators.length
      ? table(
          ['Type', 'Value', 'Count', 'Span', ...(iocsTimed ? ['Seen'] : []), 'Class', 'Max confidence'],
          d.indicators.map((i) => [
            word(i.type), word(i.value, true), h(count(i.count)), flowRangeCell(i.firstFlow, i.lastFlow),
            ...(iocsTimed ? [timeSpanCell({ start: i.firstSeen, end: i.lastSeen })] : []),
            words(i.classes), h(percent(i.maxConfidence)),
          ]),
          iocsTimed ? [2, 6] : [2, 5],
        )
      : '<p class="muted">None.</p>',
    '</section>',
  ].join('');

  const classes = [
    '<section id="classes"><h2>6. Attack classes</h2>',
    `<figure>${classConfidenceSvg(d.classes)}<figcaption>Bar: flow-weighted mean confidence; tick: peak confidence.</figcaption></figure>`,
    table(
      ['Class', 'MITRE ATT&CK', 'Windows', 'Flows', 'Mean confidence', 'Peak confidence', 'Verdicts (tp/fp/review/none)'],
      d.classes.map((c, i) => [
        classLabel(c.name, i),
        c.technique ? `${h(c.technique.id)} ${h(c.technique.name)}` : '<span class="muted">–</span>',
        h(count(c.windows)),
        h(count(c.flows)),
        h(percent(c.meanConfidence)),
        h(percent(c.peakConfidence)),
        h(`${c.verdicts.tp}/${c.verdicts.fp}/${c.verdicts.review}/${c.verdicts.none}`),
      ]),
      [2, 3, 4, 5],
    ),
    '</section>',
  ].join('');

  const windows = windowsInOrder(report.windows);
  const evidenceSection = [
    '<section id="evidence" class="page"><h2>7. Evidence</h2>',
    windows.length ? windows.map((w) => evidence(w, classIndex)).join('') : '<p class="muted">No windows.</p>',
    '</section>',
  ].join('');

  const verdicts = [
    '<section id="verdicts"><h2>8. Analyst verdicts and notes</h2>',
    table(
      ['Window', 'Class', 'Verdict', 'By', 'When', 'Reason'],
      windows.map((w) => [`<span class="mono">${h(w.id)}</span>`, word(w.class), verdictCell(w), w.verdictBy ? word(w.verdictBy) : '–', w.verdictAt ? h(humanTime(w.verdictAt)) : '–', w.verdictReason ? h(w.verdictReason) : '–']),
    ),
    '<h3>Verdict history</h3>',
    report.auditTrail.length
      ? table(
          ['When', 'Window', 'Action', 'Change', 'By', 'Reason'],
          report.auditTrail.map((e) => [
            h(humanTime(e.at)),
            `<span class="mono">${h(e.windowId)}</span>`,
            h(auditActionLabel(e)) + (e.undone ? ' <span class="muted">(undone)</span>' : ''),
            e.undone ? `<span class="undone">${h(auditChangeText(e))}</span>` : h(auditChangeText(e)),
            word(e.analyst),
            e.reason ? h(e.reason) : '–',
          ]),
        )
      : '<p class="muted">No verdict changes or window notes.</p>',
    '<h3>Notes</h3>',
    inc.notes.length
      ? inc.notes.map((n) => `<div class="note"><header><strong>${h(n.author)}</strong>, ${h(humanTime(n.at))}</header><p>${h(n.text)}</p></div>`).join('')
      : '<p class="muted">No notes.</p>',
    '<h3>Related incidents</h3>',
    report.relatedIncidents.length
      ? table(
          ['Incident', 'Status', 'Severity', 'TLP', 'Capture', 'Shared hosts'],
          report.relatedIncidents.map((r) => [
            `<span class="mono">#${h(r.id)}</span> ${r.title === null ? `<span class="muted">${h(relatedTitle(r))}</span>` : h(r.title)}`,
            h(r.status),
            h(r.severity),
            `<span class="nb">TLP:${h(r.tlp)}</span>`,
            `<span class="mono">${h(r.captureFileName)}</span> <span class="muted">(scan #${h(r.scanId)})</span>`,
            `<span class="mono">${h(relatedHostsText(r))}</span>`,
          ]),
        )
      : '<p class="muted">No other incident in the project shares a host with this one.</p>',
    '</section>',
  ].join('');

  const provenance = [
    '<section id="provenance"><h2>9. Capture and provenance</h2>',
    table(
      ['Field', 'Value'],
      [
        ['Capture file', `<span class="mono">${h(cap.fileName)}</span>`],
        ['SHA-256', `<span class="mono">${h(cap.sha256)}</span>`],
        ['Size', h(bytes(cap.sizeBytes))],
        ['Capture id', `<span class="mono">${h(cap.id)}</span>`],
        ['Schema', h(cap.schemaVersion)],
        ['Flows', h(count(cap.rows))],
        ['Order', h(cap.order)],
        ['App version', h(report.appVersion)],
        ['Generated', h(humanTime(report.generatedAt))],
        ['Report schema', `<span class="mono">${h(report.schemaVersion)}</span>`],
      ],
    ),
    '</section>',
  ].join('');

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${h(HTML_CSP)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="MindFlow Workbench ${h(report.appVersion)}">`,
    `<title>${h(`Incident ${inc.id}: ${inc.title} (TLP:${inc.tlp})`)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    // the TLP marking opens and closes the page (and each printed copy) as landmarks of its own
    `<header>${banner}</header>`,
    '<main>',
    header,
    summary,
    detection,
    timeline,
    hosts,
    iocs,
    classes,
    evidenceSection,
    verdicts,
    provenance,
    `<footer>Generated by MindFlow Workbench ${h(report.appVersion)} on ${h(humanTime(report.generatedAt))}. Capture <span class="mono">${h(cap.fileName)}</span>, SHA-256 <span class="mono">${h(cap.sha256)}</span>.</footer>`,
    '</main>',
    `<footer>${banner}</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
