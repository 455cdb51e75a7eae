/**
 * The incident report as Markdown (CommonMark + GFM tables), with the same sections as the HTML
 * report. Every value from the capture, the model or the analyst goes through `escapeMarkdown`
 * (inline) or `escapeMarkdownBlock` (multi-line text): no value can open a link, an image,
 * raw HTML, code, a heading or a list, or split a table cell.
 */
import { deriveReport, meanProbabilities, windowsInOrder } from './derive.ts';
import { auditActionLabel, auditChangeText, protocolName, relatedHostsText, relatedTitle, VERDICT_LABELS, type IncidentReport } from './model.ts';
import { bytes, count, escapeMarkdown as md, escapeMarkdownBlock, fixed, flowRange, humanTime, flowTime, metricsLead, percent, seenTime, windowTime } from './text.ts';

function table(head: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const sep = head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function buildMarkdown(report: IncidentReport): string {
  const { incident: inc, capture: cap, detection: det } = report;
  const d = deriveReport(report);
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines, '');

  push(`# Incident report: ${md(inc.title)}`);
  push(
    `**TLP:${md(inc.tlp)}**  `,
    table(
      ['Field', 'Value'],
      [
        ['Incident', md(inc.id)],
        ['Status', md(inc.status)],
        ['Severity', md(inc.severity)],
        ['TLP', `TLP:${md(inc.tlp)}`],
        ['Analyst', md(inc.analyst)],
        ['Created', md(humanTime(inc.createdAt))],
        ['Updated', md(humanTime(inc.updatedAt))],
      ],
    ),
  );

  push('## 1. Executive summary');
  push(inc.summary.trim() ? inc.summary.split(/\r?\n\s*\r?\n/).map(escapeMarkdownBlock).join('\n\n') : '_No summary written._');
  const t = d.totals;
  push(
    `- ${count(t.windows)} flagged windows (${count(t.flaggedFlows)} flows) in ${count(t.classes)} attack classes: ${d.classes.map((c) => md(c.name)).join(', ') || 'none'}`,
    `- ${count(t.attackers)} attacking hosts, ${count(t.victims)} victim hosts, ${count(t.indicators)} indicators`,
    `- Verdicts: ${count(t.verdicts.tp)} true positive, ${count(t.verdicts.fp)} false positive, ${count(t.verdicts.review)} needs review, ${count(t.verdicts.none)} not reviewed`,
  );

  push('## 2. Detection source');
  push(
    table(
      ['Field', 'Value'],
      [
        ['Model', `${md(det.modelName)} (${md(det.modelId)})`],
        ['Model built by app version', md(det.appVersion)],
        ['Backend', md(det.backend)],
        ['Threshold', fixed(det.threshold, 2)],
        ['Scan', `${md(det.scanId)}, ${md(humanTime(det.scannedAt))}`],
      ],
    ),
  );
  if (det.metrics) {
    const m = det.metrics;
    push(md(metricsLead(m)));
    push(
      table(
        ['Class', 'Precision', 'Recall', 'F1', 'Support'],
        m.perClass.map((c) => [md(c.name), fixed(c.precision), fixed(c.recall), fixed(c.f1), count(c.support)]),
        ['l', 'r', 'r', 'r', 'r'],
      ),
    );
  } else push('_The model carries no evaluation metrics._');

  const timed = cap.order === 'FLOW_START_MILLISECONDS';
  push(`## 3. Timeline (${timed ? 'time order' : 'capture order'})`);
  push(
    (timed
      ? `Flows are in time order (${md(cap.order)}); positions are flow ids in that order.${d.timeline.start ? ` The windows ran ${windowTime(d.timeline)}.` : ''}`
      : `Positions are flow ids in capture order (${md(cap.order)}), not time.`) +
      (d.timeline.firstFlow === null ? ' The incident has no windows.' : ` First flagged flow ${count(d.timeline.firstFlow)}, last ${count(d.timeline.lastFlow ?? 0)}.`),
  );
  if (d.timeline.events.length) {
    const withTime = d.timeline.events.some((e) => e.start);
    push(
      table(
        ['Window', 'Class', 'Flows', 'Span', ...(withTime ? ['Time'] : []), 'Peak', 'Verdict'],
        d.timeline.events.map((e) => [
          md(e.windowId), md(e.class), count(e.flows), flowRange(e.firstFlow, e.lastFlow), ...(withTime ? [windowTime(e) ?? '–'] : []), percent(e.peak),
          e.verdict ? VERDICT_LABELS[e.verdict] : 'not reviewed',
        ]),
      ),
    );
    push(
      table(
        ['Flows', ...d.timeline.classes.map(md)],
        d.timeline.bins.map((b) => [`${count(b.firstFlow)}–${count(b.lastFlow)}`, ...d.timeline.classes.map((c) => String(b.windows[c] ?? 0))]),
      ),
    );
  }

  const hostsTimed = d.hosts.some((x) => x.firstSeen);
  const iocsTimed = d.indicators.some((i) => i.firstSeen);
  push('## 4. Affected hosts');
  push('Attacker: source of flagged flows; victim: destination. Flows from / to: evidence flows the host sent / received. Windows marked false positive are left out.');
  push(
    d.hosts.length
      ? table(
          ['Host', 'Role', 'Flows from', 'Flows to', 'Classes', 'Span', ...(hostsTimed ? ['Seen'] : [])],
          d.hosts.map((h) => [
            md(h.host), h.roles.join(', '), count(h.flowsAsSource), count(h.flowsAsDestination), h.classes.map(md).join(', '), flowRange(h.firstFlow, h.lastFlow),
            ...(hostsTimed ? [seenTime(h) ?? '–'] : []),
          ]),
        )
      : '_None._',
  );

  push('## 5. Indicators');
  push(
    d.indicators.length
      ? table(
          ['Type', 'Value', 'Count', 'First flow', 'Last flow', ...(iocsTimed ? ['Seen'] : []), 'Class', 'Max confidence'],
          d.indicators.map((i) => [
            md(i.type), md(i.value), count(i.count), count(i.firstFlow), count(i.lastFlow), ...(iocsTimed ? [seenTime(i) ?? '–'] : []), i.classes.map(md).join(', '), percent(i.maxConfidence),
          ]),
        )
      : '_None._',
  );

  push('## 6. Attack classes');
  push(
    table(
      ['Class', 'ATT&CK', 'Windows', 'Flows', 'Mean confidence', 'Peak confidence'],
      d.classes.map((c) => [md(c.name), c.technique ? `${c.technique.id} ${md(c.technique.name)}` : '–', count(c.windows), count(c.flows), percent(c.meanConfidence), percent(c.peakConfidence)]),
    ),
  );

  push('## 7. Evidence');
  for (const w of windowsInOrder(report.windows)) {
    push(`### Window ${md(w.id)}: ${md(w.class)}, ${flowRange(w.firstFlow, w.lastFlow)}`);
    push(
      `- ${count(w.flows)} flows, mean confidence ${percent(w.mean)}, peak ${percent(w.peak)}`,
      ...(windowTime(w) ? [`- Time: ${windowTime(w)}`] : []),
      `- Sources: ${w.srcHosts.map(md).join(', ') || '–'}; destinations: ${w.dstHosts.map(md).join(', ') || '–'}; ports: ${w.dstPorts.map((p) => md(p)).join(', ') || '–'}`,
      `- Verdict: ${w.verdict ? VERDICT_LABELS[w.verdict] : 'not reviewed'}${w.verdictBy ? ` by ${md(w.verdictBy)}` : ''}${w.verdictAt ? `, ${md(humanTime(w.verdictAt))}` : ''}${w.verdictReason ? `: ${md(w.verdictReason)}` : ''}`,
    );
    push(`**Why it was flagged:** ${w.explanation ? md(w.explanation) : '_no explanation recorded._'}`);
    if (w.topFeatures.length) push(`Top features: ${w.topFeatures.map((f) => `${md(f.name)} (${fixed(f.weight, 2)})`).join(', ')}`);
    const probs = meanProbabilities(w);
    if (probs.length) push(`Mean class probabilities: ${probs.map((p) => `${md(p.name)} ${percent(p.p)}`).join(', ')}`);
    if (w.flowRows.length) {
      const timed = w.flowRows.some((f) => f.start);
      push(
        table(
          ['Flow', ...(timed ? ['Start (UTC)'] : []), 'Source', 'Destination', 'Proto', 'In bytes', 'Out bytes', 'Pkts in/out', 'TCP flags', 'Label', 'Predicted', 'Confidence'],
          w.flowRows.map((f) => [
            count(f.flowId),
            ...(timed ? [flowTime(f) ?? '–'] : []),
            `${md(f.src)}:${md(f.sport)}`,
            `${md(f.dst)}:${md(f.dport)}`,
            md(protocolName(f.protocol)),
            count(f.inBytes),
            count(f.outBytes),
            `${count(f.inPkts)}/${count(f.outPkts)}`,
            md(f.tcpFlags),
            f.label === null ? '–' : md(f.label),
            md(f.predicted),
            percent(f.confidence),
          ]),
        ),
      );
      if (w.flowRows.length < w.flows) push(`_Showing the ${count(w.flowRows.length)} most confident of ${count(w.flows)} flows._`);
    }
  }

  push('## 8. Analyst verdicts and notes');
  const verdicts = windowsInOrder(report.windows);
  push(
    table(
      ['Window', 'Class', 'Verdict', 'By', 'When', 'Reason'],
      verdicts.map((w) => [md(w.id), md(w.class), w.verdict ? VERDICT_LABELS[w.verdict] : 'not reviewed', w.verdictBy ? md(w.verdictBy) : '–', w.verdictAt ? md(humanTime(w.verdictAt)) : '–', w.verdictReason ? md(w.verdictReason) : '–']),
    ),
  );
  push('**Verdict history**');
  if (report.auditTrail.length) {
    push(
      table(
        ['When', 'Window', 'Action', 'Change', 'By', 'Reason'],
        report.auditTrail.map((e) => [
          md(humanTime(e.at)),
          md(e.windowId),
          md(auditActionLabel(e)) + (e.undone ? ' (undone)' : ''),
          e.undone ? `~~${md(auditChangeText(e))}~~` : md(auditChangeText(e)),
          md(e.analyst),
          e.reason ? md(e.reason) : '–',
        ]),
      ),
    );
  } else push('_No verdict changes or window notes._');
  push('**Notes**');
  if (inc.notes.length) {
    for (const n of inc.notes) push(`**${md(n.author)}**, ${md(humanTime(n.at))}:  `, escapeMarkdownBlock(n.text));
  } else push('_No notes._');
  push('**Related incidents**');
  if (report.relatedIncidents.length) {
    push(
      table(
        ['Incident', 'Status', 'Severity', 'TLP', 'Capture', 'Shared hosts'],
        report.relatedIncidents.map((r) => [`#${md(r.id)} ${md(relatedTitle(r))}`, md(r.status), md(r.severity), `TLP:${md(r.tlp)}`, `${md(r.captureFileName)} (scan #${md(r.scanId)})`, md(relatedHostsText(r))]),
      ),
    );
  } else push('_No other incident in the project shares a host with this one._');

  push('## 9. Provenance');
  push(
    table(
      ['Field', 'Value'],
      [
        ['Capture file', md(cap.fileName)],
        ['SHA-256', md(cap.sha256)],
        ['Size', bytes(cap.sizeBytes)],
        ['Capture', `${md(cap.id)}, schema ${md(cap.schemaVersion)}, ${count(cap.rows)} flows, ordered by ${md(cap.order)}`],
        ['App version', md(report.appVersion)],
        ['Generated', md(humanTime(report.generatedAt))],
        ['Report schema', md(report.schemaVersion)],
      ],
    ),
  );
  return `${out.join('\n').trimEnd()}\n`;
}
