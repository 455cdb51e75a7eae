/**
 * JSON Schema (draft 2020-12) of the JSON incident report, version `mindflow-incident-report/6`.
 *
 * Compatibility: additions of optional properties keep the version; renaming, removing or
 * retyping a property bumps it. Consumers should check `schemaVersion` first.
 * - 2: each window's `start` and `end`.
 * - 3: each evidence flow's `start` and `end`, each host's and indicator's `firstSeen` and
 *   `lastSeen` (all null for captures without timestamps).
 * - 4: `auditTrail`, every verdict change and note on the incident's windows, oldest first.
 * - 5: `relatedIncidents`, the other incidents whose windows share a host with this one's.
 *
 * `validateJsonSchema` checks a value against the subset of JSON Schema this file uses
 * (type, enum, const, properties, required, additionalProperties, items, minimum, maximum,
 * pattern, minLength, $ref to #/$defs, anyOf), so a host can check a report it reads back.
 */
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES, REPORT_SCHEMA_VERSION, TLP_LEVELS, VERDICTS } from './model.ts';
import { INDICATOR_TYPES } from './derive.ts';

const HOST_ROLES = ['source', 'destination', 'both'] as const;

export type JsonSchema = {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  enum?: readonly unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  anyOf?: JsonSchema[];
};

type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };
const nonNegInt: JsonSchema = { type: 'integer', minimum: 0 };
const num: JsonSchema = { type: 'number' };
const prob: JsonSchema = { type: 'number', minimum: 0, maximum: 1 };
const timestamp: JsonSchema = { type: 'string', description: 'ISO 8601 / RFC 3339 timestamp' };
const nullable = (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'null' }] });
const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });

/** A closed object: every listed property required, nothing else allowed. */
function obj(properties: Record<string, JsonSchema>, description?: string): JsonSchema {
  return { type: 'object', ...(description ? { description } : {}), properties, required: Object.keys(properties), additionalProperties: false };
}

const verdictCounts = obj({ tp: nonNegInt, fp: nonNegInt, review: nonNegInt, none: nonNegInt });

export const incidentReportJsonSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:mindflow:schema:incident-report:6',
  title: 'MindFlow Workbench incident report',
  description:
    'An incident built from flagged flow windows of a NetFlow capture, with the model that flagged them and the analyst\'s verdicts and notes. Flow ids are positions in capture order, never time; a window\'s start and end are real times only for captures with timestamps (v3).',
  type: 'object',
  properties: {
    schemaVersion: { const: REPORT_SCHEMA_VERSION },
    incident: ref('incident'),
    capture: ref('capture'),
    detection: ref('detection'),
    windows: arrayOf(ref('window')),
    auditTrail: arrayOf(ref('auditEntry')),
    relatedIncidents: arrayOf(ref('relatedIncident')),
    generatedAt: timestamp,
    appVersion: str,
    derived: ref('derived'),
  },
  required: ['schemaVersion', 'incident', 'capture', 'detection', 'windows', 'auditTrail', 'relatedIncidents', 'generatedAt', 'appVersion', 'derived'],
  additionalProperties: false,
  $defs: {
    note: obj({ at: timestamp, author: str, text: str }),
    relatedIncident: obj(
      {
        id: str,
        title: nullable(str),
        status: { enum: INCIDENT_STATUSES },
        severity: { enum: INCIDENT_SEVERITIES },
        tlp: { enum: TLP_LEVELS },
        scanId: str,
        captureFileName: str,
        sharedHosts: arrayOf(obj({ host: str, here: { enum: HOST_ROLES }, there: { enum: HOST_ROLES } })),
        sharedCount: nonNegInt,
      },
      'Another incident whose windows carry a host this one\'s carry; title null when its TLP is more restrictive than this report\'s.',
    ),
    auditEntry: obj(
      {
        at: timestamp,
        analyst: str,
        action: { enum: ['verdict', 'undo', 'note'] },
        windowId: str,
        previous: nullable({ enum: VERDICTS }),
        value: nullable(str),
        reason: nullable(str),
        undone: { type: 'boolean' },
      },
      'One verdict change (set, cleared or undone) or window note, by whom and when; undone marks a change a later undo reverted.',
    ),
    incident: obj({
      id: str,
      title: str,
      status: { enum: INCIDENT_STATUSES },
      severity: { enum: INCIDENT_SEVERITIES },
      tlp: { enum: TLP_LEVELS },
      summary: str,
      analyst: str,
      createdAt: timestamp,
      updatedAt: timestamp,
      notes: arrayOf(ref('note')),
    }),
    capture: obj({
      id: str,
      fileName: str,
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      sizeBytes: nonNegInt,
      schemaVersion: str,
      rows: nonNegInt,
      order: { enum: ['file order', 'FLOW_START_MILLISECONDS'] },
    }),
    classMetrics: obj({ name: str, precision: num, recall: num, f1: num, support: nonNegInt }),
    metrics: obj({
      scope: { enum: ['capture', 'held-out'] },
      classes: arrayOf(str),
      accuracy: num,
      macroF1: num,
      weightedF1: num,
      perClass: arrayOf(ref('classMetrics')),
      confusion: arrayOf(arrayOf(nonNegInt)),
    }),
    detection: obj({
      modelName: str,
      modelId: str,
      appVersion: str,
      backend: str,
      threshold: num,
      scanId: str,
      scannedAt: timestamp,
      metrics: nullable(ref('metrics')),
    }),
    flow: obj(
      {
        flowId: nonNegInt,
        src: str,
        sport: int,
        dst: str,
        dport: int,
        protocol: int,
        l7: num,
        inBytes: num,
        outBytes: num,
        inPkts: num,
        outPkts: num,
        tcpFlags: int,
        durationMs: num,
        start: nullable(timestamp),
        end: nullable(timestamp),
        label: nullable(str),
        predicted: str,
        confidence: prob,
        probs: { type: 'object', additionalProperties: num },
      },
      'One evidence flow; flowId is its position in capture order.',
    ),
    window: obj(
      {
        id: str,
        class: str,
        firstFlow: nonNegInt,
        lastFlow: nonNegInt,
        flows: nonNegInt,
        peak: prob,
        mean: prob,
        srcHosts: arrayOf(str),
        dstHosts: arrayOf(str),
        dstPorts: arrayOf(int),
        start: nullable(timestamp),
        end: nullable(timestamp),
        verdict: nullable({ enum: VERDICTS }),
        verdictReason: nullable(str),
        verdictBy: nullable(str),
        verdictAt: nullable(timestamp),
        explanation: nullable(str),
        topFeatures: arrayOf(obj({ name: str, weight: num })),
        flowRows: arrayOf(ref('flow')),
      },
      'A flagged window: a run of consecutive flows predicted as the same attack class.',
    ),
    derived: obj(
      {
        timeline: obj({
          order: { enum: ['file order', 'FLOW_START_MILLISECONDS'] },
          firstFlow: nullable(nonNegInt),
          lastFlow: nullable(nonNegInt),
          start: nullable(timestamp),
          end: nullable(timestamp),
          classes: arrayOf(str),
          binSize: nonNegInt,
          bins: arrayOf(obj({ index: nonNegInt, firstFlow: nonNegInt, lastFlow: nonNegInt, windows: { type: 'object', additionalProperties: nonNegInt } })),
          events: arrayOf(
            obj({ windowId: str, class: str, firstFlow: nonNegInt, lastFlow: nonNegInt, flows: nonNegInt, peak: prob, verdict: nullable({ enum: VERDICTS }), start: nullable(timestamp), end: nullable(timestamp) }),
          ),
        }),
        hosts: arrayOf(
          obj({
            host: str,
            roles: arrayOf({ enum: ['attacker', 'victim'] }),
            flowsAsSource: nonNegInt,
            flowsAsDestination: nonNegInt,
            classes: arrayOf(str),
            windowIds: arrayOf(str),
            firstFlow: nonNegInt,
            lastFlow: nonNegInt,
            firstSeen: nullable(timestamp),
            lastSeen: nullable(timestamp),
          }),
        ),
        indicators: arrayOf(
          obj({
            type: { enum: INDICATOR_TYPES },
            value: str,
            count: nonNegInt,
            firstFlow: nonNegInt,
            lastFlow: nonNegInt,
            firstSeen: nullable(timestamp),
            lastSeen: nullable(timestamp),
            class: str,
            classes: arrayOf(str),
            maxConfidence: prob,
            windowIds: arrayOf(str),
            confirmed: { type: 'boolean' },
          }),
        ),
        classes: arrayOf(
          obj({
            name: str,
            windows: nonNegInt,
            flows: nonNegInt,
            meanConfidence: prob,
            peakConfidence: prob,
            verdicts: verdictCounts,
            technique: nullable(obj({ id: { type: 'string', pattern: '^T\\d{4}(\\.\\d{3})?$' }, name: str, tactic: str })),
            colour: { type: 'string', pattern: '^#[0-9A-Fa-f]{6}$' },
          }),
        ),
        totals: obj({
          windows: nonNegInt,
          flaggedFlows: nonNegInt,
          evidenceFlows: nonNegInt,
          attackers: nonNegInt,
          victims: nonNegInt,
          indicators: nonNegInt,
          classes: nonNegInt,
          verdicts: verdictCounts,
        }),
      },
      'Sections derived from the windows (derive.ts): the same figures every format shows.',
    ),
  },
};

export interface SchemaError {
  /** JSON Pointer of the offending value ('' is the root). */
  path: string;
  message: string;
}

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

function typeMatches(v: unknown, t: JsonType): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

/** Checks `value` against `schema` (the subset documented above); returns every error found. */
export function validateJsonSchema(value: unknown, schema: JsonSchema = incidentReportJsonSchema, root: JsonSchema = schema): SchemaError[] {
  const errors: SchemaError[] = [];
  const visit = (v: unknown, s: JsonSchema, path: string): void => {
    if (s.$ref) {
      const name = s.$ref.replace(/^#\/\$defs\//, '');
      const target = root.$defs?.[name];
      if (!target) {
        errors.push({ path, message: `unresolved $ref ${s.$ref}` });
        return;
      }
      visit(v, target, path);
    }
    if (s.anyOf) {
      const ok = s.anyOf.some((alt) => validateJsonSchema(v, alt, root).length === 0);
      if (!ok) errors.push({ path, message: 'matches none of anyOf' });
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some((t) => typeMatches(v, t))) {
        errors.push({ path, message: `expected ${types.join('|')}, got ${typeOf(v)}` });
        return;
      }
    }
    if (s.const !== undefined && v !== s.const) errors.push({ path, message: `expected ${JSON.stringify(s.const)}` });
    if (s.enum && !s.enum.includes(v)) errors.push({ path, message: `expected one of ${JSON.stringify(s.enum)}` });
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) errors.push({ path, message: `below minimum ${s.minimum}` });
      if (s.maximum !== undefined && v > s.maximum) errors.push({ path, message: `above maximum ${s.maximum}` });
    }
    if (typeof v === 'string') {
      if (s.minLength !== undefined && v.length < s.minLength) errors.push({ path, message: `shorter than ${s.minLength}` });
      if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) errors.push({ path, message: `does not match ${s.pattern}` });
    }
    if (Array.isArray(v) && s.items) v.forEach((item, i) => visit(item, s.items!, `${path}/${i}`));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      for (const key of s.required ?? []) if (!(key in o)) errors.push({ path, message: `missing required property ${key}` });
      for (const [key, child] of Object.entries(o)) {
        const p = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const prop = s.properties?.[key];
        if (prop) visit(child, prop, p);
        else if (s.additionalProperties === false) errors.push({ path: p, message: 'property not allowed' });
        else if (typeof s.additionalProperties === 'object') visit(child, s.additionalProperties, p);
      }
    }
  };
  visit(value, schema, '');
  return errors;
}
