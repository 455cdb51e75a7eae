/**
 * Deterministic identifiers: the same report content gives the same ids, so a re-export
 * updates objects in a TIP instead of duplicating them.
 *
 * - `uuidFromContent`: a UUID with the version-4 layout (version nibble 4, RFC 4122 variant)
 *   whose 122 free bits come from SHA-256 over the parts. Used for STIX SDOs/SROs, bundles and
 *   MISP uuids: any consumer accepts a v4-shaped UUID and none can tell it was not random.
 * - `uuidV5`: RFC 4122 name-based UUID (SHA-1). STIX 2.1 (2.9) says SCO ids SHOULD be v5 of
 *   the SCO's id-contributing properties under the STIX namespace; `stixScoId` does that.
 */
import { createHash } from 'node:crypto';

function format(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.subarray(0, 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function uuidFromContent(...parts: readonly string[]): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest();
  digest[6] = (digest[6]! & 0x0f) | 0x40;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  return format(digest);
}

export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const digest = createHash('sha1').update(ns).update(name, 'utf8').digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  return format(digest);
}

/** The STIX 2.1 namespace for SCO ids. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** JSON with object keys sorted (RFC 8785 canonical form for the strings and integers used here). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** An SCO id: `type--uuidv5(STIX namespace, canonical JSON of its id-contributing properties)`. */
export function stixScoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidV5(STIX_SCO_NAMESPACE, canonicalJson(contributing))}`;
}
