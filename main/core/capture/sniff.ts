/**
 * Looks at a file before DuckDB does, to give a specific one-line error for what it is not:
 * missing, empty, a packet capture, an archive, a binary file, UTF-16 text (transcoded), and
 * to read the CSV header so columns are typed by name, never guessed.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { MindflowError } from '../errors.ts';

export type FileKind = 'csv' | 'csv.gz' | 'parquet';

export interface Sniffed {
  kind: FileKind;
  sizeBytes: number;
  /** CSV only: column names in file order, and the delimiter */
  header: string[];
  delimiter: string;
  /** CSV only: the text is UTF-16 and must be transcoded before DuckDB reads it */
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
}

const HEAD_BYTES = 64 * 1024;

function startsWith(buf: Buffer, bytes: number[]): boolean {
  return bytes.every((b, i) => buf[i] === b);
}

/** Names what a non-CSV file looks like, or null if it may be text. */
function foreignFormat(head: Buffer): string | null {
  if (startsWith(head, [0xd4, 0xc3, 0xb2, 0xa1]) || startsWith(head, [0xa1, 0xb2, 0xc3, 0xd4]) ||
      startsWith(head, [0x4d, 0x3c, 0xb2, 0xa1]) || startsWith(head, [0xa1, 0xb2, 0x3c, 0x4d])) {
    return 'a pcap packet capture, not a NetFlow export: turn it into flows first (e.g. with nProbe)';
  }
  if (startsWith(head, [0x0a, 0x0d, 0x0d, 0x0a])) {
    return 'a pcapng packet capture, not a NetFlow export: turn it into flows first (e.g. with nProbe)';
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'a zip archive: extract the CSV or Parquet file first';
  if (startsWith(head, [0x42, 0x5a, 0x68])) return 'bzip2-compressed: only gzip (.csv.gz) is supported';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a])) return 'xz-compressed: only gzip (.csv.gz) is supported';
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd-compressed: only gzip (.csv.gz) is supported';
  if (startsWith(head, [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65])) return 'an SQLite database, not a capture';
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) return 'a PDF document, not a capture';
  return null;
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function readTail(path: string, size: number, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const n = Math.min(bytes, size);
    const buf = Buffer.alloc(n);
    await fh.read(buf, 0, n, size - n);
    return buf;
  } finally {
    await fh.close();
  }
}

/** The first ~64 KiB of decompressed text of a gzip file. */
async function gunzipHead(path: string, name: string): Promise<Buffer> {
  return new Promise((resolveHead, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const src = createReadStream(path);
    const gunzip = createGunzip();
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      src.destroy();
      gunzip.destroy();
      if (err && total === 0) {
        reject(new MindflowError('truncated', `${name}: not a readable gzip file (${err.message})`));
      } else {
        resolveHead(Buffer.concat(chunks));
      }
    };
    gunzip.on('data', (c: Buffer) => {
      chunks.push(c);
      total += c.length;
      if (total >= HEAD_BYTES) finish();
    });
    gunzip.on('end', () => finish());
    gunzip.on('error', (e) => finish(e));
    src.on('error', (e) => finish(e));
    src.pipe(gunzip);
  });
}

function detectEncoding(head: Buffer): Sniffed['encoding'] {
  if (startsWith(head, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(head, [0xfe, 0xff])) return 'utf-16be';
  // UTF-16 without a BOM: every other byte of ASCII text is NUL
  if (head.length >= 8 && head[1] === 0 && head[3] === 0 && head[0] !== 0 && head[2] !== 0) return 'utf-16le';
  if (head.length >= 8 && head[0] === 0 && head[2] === 0 && head[1] !== 0 && head[3] !== 0) return 'utf-16be';
  return 'utf-8';
}

function decode(head: Buffer, encoding: Sniffed['encoding']): string {
  if (encoding === 'utf-8') return head.toString('utf8').replace(/^\uFEFF/, '');
  const le = encoding === 'utf-16le' ? head : swap16(head);
  return le.toString('utf16le').replace(/^\uFEFF/, '');
}

function swap16(buf: Buffer): Buffer {
  const even = buf.subarray(0, buf.length - (buf.length % 2));
  return Buffer.from(even).swap16();
}

/** Splits a header line, honouring double quotes. */
export function splitHeader(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function pickDelimiter(line: string): string {
  const counts = [',', ';', '\t', '|'].map((d) => [d, line.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ',';
}

export async function sniffFile(path: string): Promise<Sniffed> {
  const name = basename(path);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new MindflowError('not-found', `file not found: ${path}`);
  }
  if (!info.isFile()) throw new MindflowError('not-a-file', `${path} is not a file`);
  if (info.size === 0) throw new MindflowError('empty-file', `${name} is empty (0 bytes)`);

  const raw = await readHead(path, HEAD_BYTES);
  if (startsWith(raw, [0x50, 0x41, 0x52, 0x31])) {
    const tail = await readTail(path, info.size, 4);
    if (info.size < 12 || !startsWith(tail, [0x50, 0x41, 0x52, 0x31])) {
      throw new MindflowError('corrupt-parquet', `${name}: corrupt Parquet file (no footer: truncated or damaged)`);
    }
    return { kind: 'parquet', sizeBytes: info.size, header: [], delimiter: ',', encoding: 'utf-8' };
  }
  const foreign = foreignFormat(raw);
  if (foreign) throw new MindflowError('unsupported-format', `${name} is ${foreign}`);

  const gz = startsWith(raw, [0x1f, 0x8b]);
  const head = gz ? await gunzipHead(path, name) : raw;
  if (head.length === 0) throw new MindflowError('empty-file', `${name} is empty (no text inside the gzip)`);
  const encoding = detectEncoding(head);
  if (gz && encoding !== 'utf-8') {
    throw new MindflowError('unsupported-format', `${name}: gzip-compressed UTF-16 text is not supported: decompress it and import the .csv`);
  }
  if (encoding === 'utf-8') {
    const nul = head.indexOf(0);
    const control = [...head.subarray(0, 4096)].filter((b) => b < 9 || (b > 13 && b < 32)).length;
    if (nul >= 0 || control > 8) {
      throw new MindflowError('unsupported-format', `${name} is a binary file, not a CSV or Parquet capture`);
    }
  }
  const text = decode(head, encoding);
  if (text.trim().length === 0) throw new MindflowError('empty-file', `${name} is empty (only whitespace)`);
  // LF, CRLF or a bare CR (old Mac exports) ends the header; DuckDB reads all three
  const firstLine = text.split(/\r\n|\n|\r/, 1)[0] ?? '';
  const delimiter = pickDelimiter(firstLine);
  const header = splitHeader(firstLine, delimiter);
  return { kind: gz ? 'csv.gz' : 'csv', sizeBytes: info.size, header, delimiter, encoding };
}
