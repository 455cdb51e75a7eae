/**
 * The incident as a STIX 2.1 bundle.
 *
 * Objects: the producer identity (MindFlow Workbench); the TLP marking definition; one
 * attack-pattern per attack class (MITRE ATT&CK external reference where the class maps to a
 * technique); ipv4-addr and network-traffic SCOs for the evidence flows (network-traffic
 * aggregated per source, destination, destination port and protocol); one observed-data per
 * window; one indicator per host/port indicator with a STIX pattern; a sighting per indicator
 * (of the observed-data of its windows); `indicates` relationships from indicators to
 * attack-patterns; notes for the analyst's notes and window verdicts (with their verdict history); and a report whose
 * object_refs name every other object.
 *
 * Choices:
 * - Ids: SDOs/SROs use deterministic UUIDs in the version-4 layout derived from the content
 *   (ids.ts), so re-exporting updates rather than duplicates; SCOs use STIX's v5 ids.
 * - TLP: CLEAR, GREEN, AMBER and RED use the predefined STIX 2.1 (TLP 1.0) marking definitions
 *   (CLEAR as TLP:WHITE, its TLP 1.0 name). AMBER+STRICT only exists in TLP 2.0, so it uses the
 *   OASIS TLP 2.0 marking definition (marking-definition--939a9414…, property extension
 *   extension-definition--60a3c5c5…), the one TIPs recognise.
 * - Every object but the marking definition and the producer identity (public, shared by
 *   every export) carries the TLP marking in object_marking_refs.
 * - NetFlow v1/v2 flows carry no time: observed-data uses the scan time for first/last observed
 *   and says so in x_mindflow_* properties, which also carry the flow ids (capture order).
 * - Only IPv4 literals become ipv4-addr objects; a host value that is not one (a crafted
 *   capture) still yields an indicator, whose pattern string is escaped.
 * - Protocol indicators are left out: "tcp" is not an indicator of anything.
 */
import { deriveReport, windowsInOrder, type Indicator } from './derive.ts';
import { stixScoId, uuidFromContent } from './ids.ts';
import { attackTechnique, attackTechniqueUrl, isIpv4, protocolName, sortClasses, VERDICT_LABELS, type IncidentReport, type ReportWindow, type Tlp } from './model.ts';
import { fixed, historyLines, rfc3339, safeJson, seenTime, stixPatternString } from './text.ts';

export type StixObject = { type: string; id: string } & Record<string, unknown>;

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

const TLP1_CREATED = '2017-01-20T00:00:00.000Z';

/** The marking definition object for a TLP level (see the module comment). */
export function tlpMarkingDefinition(tlp: Tlp): StixObject {
  const v1 = (id: string, level: string): StixObject => ({
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created: TLP1_CREATED,
    definition_type: 'tlp',
    name: `TLP:${level.toUpperCase()}`,
    definition: { tlp: level },
  });
  switch (tlp) {
    case 'CLEAR':
      return v1('marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', 'white');
    case 'GREEN':
      return v1('marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', 'green');
    case 'AMBER':
      return v1('marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', 'amber');
    case 'AMBER+STRICT':
      return {
        type: 'marking-definition',
        spec_version: '2.1',
        id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
        created: '2022-10-01T00:00:00.000Z',
        name: 'TLP:AMBER+STRICT',
        extensions: {
          'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: 'amber+strict' },
        },
      };
    case 'RED':
    default:
      return v1('marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 'red');
  }
}

export const STIX_PRODUCER_IDENTITY: StixObject = {
  type: 'identity',
  spec_version: '2.1',
  id: `identity--${uuidFromContent('identity', 'MindFlow Workbench')}`,
  created: '2025-01-01T00:00:00.000Z',
  modified: '2025-01-01T00:00:00.000Z',
  name: 'MindFlow Workbench',
  identity_class: 'system',
  description: 'Desktop workbench for SOC analysts: NetFlow capture triage with a CNN-BiLSTM detector.',
};

/** The STIX pattern for an indicator, or null for types that make no useful pattern. */
export function stixPattern(i: Pick<Indicator, 'type' | 'value'>): string | null {
  switch (i.type) {
    case 'ipv4-src':
      return `[ipv4-addr:value = ${stixPatternString(i.value)}]`;
    case 'ipv4-dst':
      return `[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = ${stixPatternString(i.value)}]`;
    case 'dst-port': {
      const port = Number(i.value);
      return /^\d{1,5}$/.test(i.value) && port <= 65535 ? `[network-traffic:dst_port = ${String(port)}]` : null;
    }
    default:
      return null;
  }
}

function stixProtocols(protocol: number): string[] {
  const name = protocolName(protocol);
  return name.startsWith('proto-') ? ['ipv4'] : ['ipv4', name];
}

export function buildStixBundle(report: IncidentReport): StixBundle {
  const { incident: inc, capture: cap, detection: det } = report;
  const d = deriveReport(report);
  const scope = [inc.id, cap.sha256, det.scanId];
  const sdoId = (type: string, ...key: string[]) => `${type}--${uuidFromContent(type, ...scope, ...key)}`;
  const created = rfc3339(inc.createdAt, report.generatedAt);
  const updated = rfc3339(inc.updatedAt, created);
  const modified = updated < created ? created : updated;
  const marking = tlpMarkingDefinition(inc.tlp);
  const producer = STIX_PRODUCER_IDENTITY;
  const common = (type: string, id: string) => ({
    type,
    spec_version: '2.1',
    id,
    created,
    modified,
    created_by_ref: producer.id,
    object_marking_refs: [marking.id],
  });

  const objects: StixObject[] = [producer, marking];
  const scos = new Map<string, StixObject>();
  const addSco = (o: StixObject) => {
    if (!scos.has(o.id)) scos.set(o.id, o);
    return o.id;
  };
  const ipRef = (value: string): string | null =>
    isIpv4(value) ? addSco({ type: 'ipv4-addr', spec_version: '2.1', id: stixScoId('ipv4-addr', { value }), value, object_marking_refs: [marking.id] }) : null;

  // attack patterns
  const patternIds = new Map<string, string>();
  const attackPatterns: StixObject[] = sortClasses(report.windows.map((w) => w.class)).map((cls) => {
    const t = attackTechnique(cls);
    const id = sdoId('attack-pattern', cls);
    patternIds.set(cls, id);
    return {
      ...common('attack-pattern', id),
      name: t ? t.name : cls,
      description: `Detector class ${JSON.stringify(cls)} (NF-BoT-IoT attack class)${t ? `, mapped to MITRE ATT&CK ${t.id} ${t.name}` : ''}.`,
      ...(t
        ? {
            external_references: [{ source_name: 'mitre-attack', external_id: t.id, url: attackTechniqueUrl(t) }],
            kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: t.tactic }],
          }
        : {}),
      x_mindflow_class: cls,
    };
  });

  // observed data, one per window
  const scannedAt = rfc3339(det.scannedAt, created);
  const observedIds = new Map<string, string>();
  const observed: StixObject[] = [];
  for (const w of windowsInOrder(report.windows)) {
    const refs = new Set<string>();
    for (const f of w.flowRows) {
      const src = ipRef(f.src);
      const dst = ipRef(f.dst);
      if (src) refs.add(src);
      if (dst) refs.add(dst);
      if (!src && !dst) continue;
      const contributing = {
        ...(src ? { src_ref: src } : {}),
        ...(dst ? { dst_ref: dst } : {}),
        ...(Number.isInteger(f.dport) && f.dport >= 0 && f.dport <= 65535 ? { dst_port: f.dport } : {}),
        protocols: stixProtocols(f.protocol),
      };
      refs.add(addSco({ type: 'network-traffic', spec_version: '2.1', id: stixScoId('network-traffic', contributing), ...contributing, object_marking_refs: [marking.id] }));
    }
    if (w.flowRows.length === 0) {
      for (const x of [...w.srcHosts, ...w.dstHosts]) {
        const ref = ipRef(x);
        if (ref) refs.add(ref);
      }
    }
    if (refs.size === 0) continue;
    const id = sdoId('observed-data', w.id);
    observedIds.set(w.id, id);
    observed.push({
      ...common('observed-data', id),
      // a v3 capture says when the flows ran; otherwise the scan's time is all there is
      first_observed: w.start ? rfc3339(w.start, scannedAt) : scannedAt,
      last_observed: w.start ? rfc3339(w.end ?? w.start, scannedAt) : scannedAt,
      number_observed: Math.max(1, Math.min(999_999_999, Math.round(w.flows))),
      object_refs: [...refs],
      x_mindflow_window_id: w.id,
      x_mindflow_class: w.class,
      x_mindflow_first_flow: w.firstFlow,
      x_mindflow_last_flow: w.lastFlow,
      x_mindflow_capture_order: cap.order,
      x_mindflow_observed_is_scan_time: !w.start,
    });
  }

  // indicators, sightings, relationships
  const indicatorObjects: StixObject[] = [];
  const sightings: StixObject[] = [];
  const relationships: StixObject[] = [];
  for (const i of d.indicators) {
    const pattern = stixPattern(i);
    if (!pattern) continue;
    const id = sdoId('indicator', i.type, i.value);
    const role = i.type === 'ipv4-src' ? 'Attacking host' : i.type === 'ipv4-dst' ? 'Targeted host' : 'Targeted destination port';
    indicatorObjects.push({
      ...common('indicator', id),
      name: `${role} ${i.value}`,
      description: `${role} ${i.value}: ${i.count} evidence flow(s), flows ${i.firstFlow}–${i.lastFlow} in capture order${i.firstSeen ? ` (${seenTime(i)})` : ''}, classes ${i.classes.join(', ')}, max confidence ${fixed(i.maxConfidence)}.`,
      indicator_types: [i.type === 'ipv4-src' ? 'malicious-activity' : 'anomalous-activity'],
      pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: created,
      confidence: Math.max(0, Math.min(100, Math.round(i.maxConfidence * 100))),
      x_mindflow_indicator_type: i.type,
      x_mindflow_first_flow: i.firstFlow,
      x_mindflow_last_flow: i.lastFlow,
      x_mindflow_confirmed: i.confirmed,
    });
    const observedRefs = i.windowIds.map((w) => observedIds.get(w)).filter((x): x is string => x !== undefined);
    sightings.push({
      ...common('sighting', sdoId('sighting', i.type, i.value)),
      sighting_of_ref: id,
      ...(observedRefs.length ? { observed_data_refs: observedRefs } : {}),
      // a v3 capture says when the indicator was seen; without times the sighting says nothing of when
      ...(i.firstSeen ? { first_seen: rfc3339(i.firstSeen, created), last_seen: rfc3339(i.lastSeen ?? i.firstSeen, created) } : {}),
      count: Math.max(0, Math.min(999_999_999, i.count)),
      summary: false,
      description: `Seen in ${i.windowIds.length} flagged window(s) of capture ${cap.fileName}.`,
    });
    for (const cls of i.classes) {
      const target = patternIds.get(cls);
      if (!target) continue;
      relationships.push({
        ...common('relationship', sdoId('relationship', 'indicates', id, target)),
        relationship_type: 'indicates',
        source_ref: id,
        target_ref: target,
      });
    }
  }

  // notes: the analyst's notes, then window verdicts
  const reportId = sdoId('report');
  const notes: StixObject[] = inc.notes.map((n, k) => ({
    ...common('note', sdoId('note', String(k), n.at, n.author)),
    abstract: `Analyst note (${rfc3339(n.at, created)})`,
    content: n.text,
    authors: [n.author],
    object_refs: [reportId],
  }));
  for (const w of windowsInOrder(report.windows) as ReportWindow[]) {
    const history = historyLines(report.auditTrail, w.id);
    // a window with a verdict, or with a history (a verdict set and cleared again, a note)
    if (!w.verdict && !history.length) continue;
    const lines = [
      w.verdict ? `Verdict: ${VERDICT_LABELS[w.verdict]}.` : 'Verdict: not reviewed.',
      w.verdictReason ? `Reason: ${w.verdictReason}` : '',
      w.explanation ? `Why it was flagged: ${w.explanation}` : '',
      history.length ? `Verdict history, oldest first:\n${history.map((l) => `- ${l}`).join('\n')}` : '',
    ].filter(Boolean);
    notes.push({
      ...common('note', sdoId('note', 'verdict', w.id)),
      abstract: `Verdict on window ${w.id}: ${w.verdict ? VERDICT_LABELS[w.verdict] : 'not reviewed'}`,
      content: lines.join('\n'),
      ...(w.verdictBy ? { authors: [w.verdictBy] } : {}),
      object_refs: [observedIds.get(w.id) ?? reportId],
    });
  }

  const body: StixObject[] = [...attackPatterns, ...scos.values(), ...observed, ...indicatorObjects, ...sightings, ...relationships, ...notes];
  const reportObject: StixObject = {
    ...common('report', reportId),
    name: inc.title || `Incident ${inc.id}`,
    description: inc.summary,
    report_types: ['threat-report'],
    published: rfc3339(report.generatedAt, modified),
    object_refs: [producer.id, marking.id, ...body.map((o) => o.id)],
    external_references: [
      { source_name: 'mindflow-capture', description: `Capture ${cap.fileName} (${cap.rows} flows, schema ${cap.schemaVersion})`, ...(/^[0-9a-f]{64}$/i.test(cap.sha256) ? { hashes: { 'SHA-256': cap.sha256.toLowerCase() } } : {}) },
      { source_name: 'mindflow-detector', description: `Model ${det.modelName} (${det.modelId}), backend ${det.backend}, threshold ${det.threshold}, scan ${det.scanId}` },
    ],
    x_mindflow_incident_id: inc.id,
    x_mindflow_status: inc.status,
    x_mindflow_severity: inc.severity,
    x_mindflow_tlp: inc.tlp,
    x_mindflow_app_version: report.appVersion,
  };
  objects.push(reportObject, ...body);
  return { type: 'bundle', id: `bundle--${uuidFromContent('bundle', ...scope, report.generatedAt)}`, objects };
}

export function buildStix(report: IncidentReport): string {
  return safeJson(buildStixBundle(report));
}
