/** Test helpers: a tiny CSV parser, an HTML tag tokenizer, a STIX ref walker. */

/** RFC 4180 parser: rows of cells; throws on a malformed quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i += 1;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new Error(`junk after closing quote at ${i}`);
        continue;
      }
      cell += c;
      i += 1;
      continue;
    }
    if (c === '"') {
      if (cell !== '') throw new Error(`quote inside unquoted cell at ${i}`);
      quoted = true;
      i += 1;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else if (c === '\n' || c === '\r') {
      throw new Error(`bare line break at ${i}`);
    } else {
      cell += c;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quote');
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

export interface Tag {
  name: string;
  closing: boolean;
  attrs: Record<string, string>;
}

/** Every tag of an HTML document whose text is escaped (no raw '<' in text). */
export function htmlTags(html: string): Tag[] {
  const out: Tag[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z!][\w-]*)([^>]*)>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(/([^\s=/]+)(?:="([^"]*)")?/g)) attrs[a[1]!.toLowerCase()] = a[2] ?? '';
    out.push({ name: m[2]!.toLowerCase(), closing: m[1] === '/', attrs });
  }
  return out;
}

/** Characters of `text` that are not backslash-escaped. */
export function unescapedChars(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i += 1;
      continue;
    }
    out += text[i];
  }
  return out;
}

/** Every (path, id) under a key ending in _ref / _refs, anywhere in a value. */
export function collectRefs(value: unknown, path = ''): { path: string; ref: string }[] {
  const out: { path: string; ref: string }[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...collectRefs(v, `${path}[${i}]`)));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = `${path}.${k}`;
      if (k.endsWith('_ref') && typeof v === 'string') out.push({ path: p, ref: v });
      else if (k.endsWith('_refs') && Array.isArray(v)) v.forEach((r, i) => out.push({ path: `${p}[${i}]`, ref: String(r) }));
      else out.push(...collectRefs(v, p));
    }
  }
  return out;
}
