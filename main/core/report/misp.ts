/**
 * The incident as a MISP event (the JSON MISP imports with "Add event from JSON"/`/events/add`).
 *
 * - threat_level_id from severity: critical/high 1 (High), medium 2, low 3; 4 (Undefined)
 *   for anything else.
 * - analysis from status: open 0 (initial), contained 1 (ongoing), closed 2 (complete).
 * - distribution from TLP: CLEAR 3 (all communities), GREEN 1 (this community), AMBER,
 *   AMBER+STRICT and RED 0 (your organisation only). Attributes and objects inherit (5).
 * - Tags: the TLP tag (`tlp:amber`, `tlp:amber+strict`, `tlp:clear` …) and the MITRE ATT&CK
 *   galaxy tag of each class that maps to a technique.
 * - Attributes: ip-src (attacking hosts), ip-dst (targeted hosts), port (destination ports).
 *   to_ids is true only for attacking IPv4 addresses; targets and ports are context (an IDS rule
 *   on a victim's address or on port 80 would fire on everything). Windows marked false
 *   positive contribute nothing (see derive.ts).
 * - A comment attribute per window with verdict changes: its verdict and their history, oldest
 *   first (who, when, what, why), so the event carries the analysts' judgement with the evidence.
 * - Objects: one network-connection per distinct source, destination, port and protocol.
 * - uuids are deterministic (ids.ts); timestamps are Unix seconds as strings, as MISP writes them.
 * - first_seen / last_seen on attributes and objects: when the evidence flows ran, for captures
 *   with timestamps (v3), written as MISP writes them (microseconds, +00:00); absent otherwise.
 */
import { deriveReport, indicatorWindows, widenSpan, windowsInOrder, type SeenSpan } from './derive.ts';
import { uuidFromContent } from './ids.ts';
import { attackTechnique, isIpv4, protocolName, sortClasses, VERDICT_LABELS, type IncidentReport, type IncidentSeverity, type IncidentStatus, type Tlp } from './model.ts';
import { fixed, historyLines, rfc3339, safeJson } from './text.ts';

export interface MispAttribute {
  uuid: string;
  type: string;
  category: string;
  value: string;
  to_ids: boolean;
  comment: string;
  distribution: string;
  timestamp: string;
  object_relation?: string;
  disable_correlation?: boolean;
  first_seen?: string;
  last_seen?: string;
}

export interface MispObject {
  uuid: string;
  name: string;
  'meta-category': string;
  description: string;
  template_uuid: string;
  template_version: string;
  distribution: string;
  timestamp: string;
  comment: string;
  first_seen?: string;
  last_seen?: string;
  Attribute: MispAttribute[];
}

export interface MispEvent {
  Event: {
    uuid: string;
    info: string;
    threat_level_id: string;
    analysis: string;
    distribution: string;
    date: string;
    timestamp: string;
    published: boolean;
    Tag: { name: string }[];
    Attribute: MispAttribute[];
    Object: MispObject[];
  };
}

export const MISP_THREAT_LEVEL: Record<IncidentSeverity, string> = { critical: '1', high: '1', medium: '2', low: '3' };
export const MISP_ANALYSIS: Record<IncidentStatus, string> = { open: '0', contained: '1', closed: '2' };
export const MISP_DISTRIBUTION: Record<Tlp, string> = { CLEAR: '3', GREEN: '1', AMBER: '0', 'AMBER+STRICT': '0', RED: '0' };
const INHERIT = '5';
const NETWORK_CONNECTION_TEMPLATE = { uuid: 'af16764b-f8e5-4603-9de1-de34d272f80b', version: '3' };

/** An ISO 8601 time as MISP writes first_seen/last_seen: '2021-06-12T01:00:00.040000+00:00'. */
export function mispTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 23)}000+00:00` : iso;
}

/** first_seen / last_seen for a span, or nothing when the capture has no times. */
function mispSeen(firstSeen: string | null, lastSeen: string | null): { first_seen?: string; last_seen?: string } {
  return firstSeen ? { first_seen: mispTime(firstSeen), last_seen: mispTime(lastSeen ?? firstSeen) } : {};
}

export function buildMispEvent(report: IncidentReport): MispEvent {
  const { incident: inc, capture: cap } = report;
  const d = deriveReport(report);
  const scope = [inc.id, cap.sha256, report.detection.scanId];
  const uuid = (...key: string[]) => uuidFromContent('misp', ...scope, ...key);
  const updated = rfc3339(inc.updatedAt, report.generatedAt);
  const timestamp = String(Math.floor(Date.parse(updated) / 1000));
  const date = rfc3339(inc.createdAt, report.generatedAt).slice(0, 10);

  const tags = [{ name: `tlp:${inc.tlp.toLowerCase()}` }];
  for (const cls of sortClasses(report.windows.map((w) => w.class))) {
    const t = attackTechnique(cls);
    if (t) tags.push({ name: `misp-galaxy:mitre-attack-pattern="${t.name} - ${t.id}"` });
  }

  const attributes: MispAttribute[] = [];
  for (const i of d.indicators) {
    if (i.type === 'protocol') continue;
    const type = i.type === 'ipv4-src' ? 'ip-src' : i.type === 'ipv4-dst' ? 'ip-dst' : 'port';
    const valid = type === 'port' ? /^\d{1,5}$/.test(i.value) && Number(i.value) <= 65535 : isIpv4(i.value);
    const role = type === 'ip-src' ? 'attacking host' : type === 'ip-dst' ? 'targeted host' : 'targeted destination port';
    attributes.push({
      uuid: uuid('attribute', i.type, i.value),
      type,
      category: 'Network activity',
      value: i.value,
      to_ids: type === 'ip-src' && valid,
      comment: `${role}; ${i.classes.join(', ')}; ${i.count} flow(s), flows ${i.firstFlow}-${i.lastFlow} (capture order); max confidence ${fixed(i.maxConfidence)}${valid ? '' : '; not a valid value, kept for the record'}`,
      distribution: INHERIT,
      timestamp,
      ...mispSeen(i.firstSeen, i.lastSeen),
      ...(type === 'port' ? { disable_correlation: true } : {}),
    });
  }

  // the analysts' judgement of each window, with how it got there: a comment attribute (context, never for IDS)
  for (const w of windowsInOrder(report.windows)) {
    const history = historyLines(report.auditTrail, w.id);
    if (!history.length) continue;
    attributes.push({
      uuid: uuid('attribute', 'verdict-history', w.id),
      type: 'comment',
      category: 'Other',
      value: [`Window ${w.id} (${w.class}): ${w.verdict ? VERDICT_LABELS[w.verdict] : 'not reviewed'}. Verdict history, oldest first:`, ...history.map((l) => `- ${l}`)].join('\n'),
      to_ids: false,
      comment: 'analyst verdicts on a flagged window',
      distribution: INHERIT,
      timestamp,
      ...mispSeen(w.start, w.end),
      disable_correlation: true,
    });
  }

  type Connection = SeenSpan & { src: string; dst: string; port: number; protocol: number; flows: number; classes: Set<string> };
  const connections = new Map<string, Connection>();
  for (const w of indicatorWindows(report.windows)) {
    for (const f of w.flowRows) {
      const key = JSON.stringify([f.src, f.dst, f.dport, f.protocol]);
      const c: Connection = connections.get(key) ?? { src: f.src, dst: f.dst, port: f.dport, protocol: f.protocol, flows: 0, classes: new Set<string>(), firstSeen: null, lastSeen: null };
      c.flows += 1;
      c.classes.add(w.class);
      widenSpan(c, f.start, f.end);
      connections.set(key, c);
    }
  }
  const objects: MispObject[] = [...connections.entries()].map(([key, c]) => {
    const id = uuid('object', key);
    const attr = (relation: string, type: string, value: string, toIds: boolean): MispAttribute => ({
      uuid: uuid('object-attribute', key, relation),
      object_relation: relation,
      type,
      category: 'Network activity',
      value,
      to_ids: toIds,
      comment: '',
      distribution: INHERIT,
      timestamp,
    });
    return {
      uuid: id,
      name: 'network-connection',
      'meta-category': 'network',
      description: 'A local or remote network connection.',
      template_uuid: NETWORK_CONNECTION_TEMPLATE.uuid,
      template_version: NETWORK_CONNECTION_TEMPLATE.version,
      distribution: INHERIT,
      timestamp,
      comment: `${sortClasses(c.classes).join(', ')}: ${c.flows} flagged flow(s)`,
      ...mispSeen(c.firstSeen, c.lastSeen),
      Attribute: [
        attr('ip-src', 'ip-src', c.src, isIpv4(c.src)),
        attr('ip-dst', 'ip-dst', c.dst, false),
        attr('dst-port', 'port', String(c.port), false),
        attr('layer4-protocol', 'text', protocolName(c.protocol).toUpperCase(), false),
      ],
    };
  });

  return {
    Event: {
      uuid: uuid('event'),
      info: inc.title || `Incident ${inc.id}`,
      threat_level_id: MISP_THREAT_LEVEL[inc.severity] ?? '4',
      analysis: MISP_ANALYSIS[inc.status] ?? '0',
      distribution: MISP_DISTRIBUTION[inc.tlp] ?? '0',
      date,
      timestamp,
      published: false,
      Tag: tags,
      Attribute: attributes,
      Object: objects,
    },
  };
}

export function buildMisp(report: IncidentReport): string {
  return safeJson(buildMispEvent(report));
}
