/**
 * Mixed line endings. DuckDB's strict CSV reader reads a file whose lines all end the same
 * way (LF, CRLF or a bare CR), but stops at a file that mixes them (a CRLF header over LF rows,
 * rows appended by another tool), mostly with "the CSV Parser state machine reached an invalid
 * state" and no line, sometimes as an unterminated quote or a ragged row. Its lenient mode would read such a file but also drops extra fields and merges
 * rows at an unclosed quote, so the import instead writes a copy whose every line ends in LF
 * and reads that strictly: same rows, same values, same line numbers. This runs only after
 * DuckDB has refused a file, so a good file is never read twice.
 *
 * A bare CR is a line ending only where both lines it separates have the header's number of
 * fields; otherwise it is a carriage return inside a line (what appending columns to a CRLF
 * file with a Unix tool leaves: `...,DoS\r,extra\n`), which no reading makes right.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import { MindflowError } from '../errors.ts';

export type LineEnding = 'lf' | 'crlf' | 'cr';

export interface LineEndingScan {
  /** `line N: what` where the file stops being CSV that any line endings explain, else null */
  problem: string | null;
  /** how many lines end in each way (outside quoted fields), as far as the file was read */
  endings: Record<LineEnding, number>;
  /** more than one kind of line ending was seen */
  mixed: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // a quote inside a quoted field: closes it, or escapes the next one

interface Walk {
  /** the header's number of fields, and its one-character delimiter */
  fields: number;
  delimiter: string;
  signal: AbortSignal;
  /** where to write the file with LF endings; null only reads it */
  out: string | null;
  /** stop (with what was seen so far) at the first switch of line ending, or past this line */
  stopWhenMixed?: boolean;
  untilLine?: number;
}

/**
 * Whether the file mixes line endings, reading only until it is known: the first switch from
 * one kind of ending to another, or `untilLine` (a line DuckDB named, with room to spare) when
 * the file was refused for something at a known line. A file read to its end also reports a
 * quote that is never closed.
 */
export function scanLineEndings(path: string, gzip: boolean, fields: number, delimiter: string, signal: AbortSignal, untilLine = Infinity): Promise<LineEndingScan> {
  return walk(path, gzip, { fields, delimiter, signal, out: null, stopWhenMixed: true, untilLine });
}

/**
 * Reads `path` (gunzipping it when `gzip`) once, writing it to `out` with LF line endings
 * outside quoted fields; quoted fields are copied as they are. Stops at the first problem;
 * `out` holds the whole file only when there is none.
 */
export function normaliseLineEndings(path: string, gzip: boolean, out: string, fields: number, delimiter: string, signal: AbortSignal): Promise<LineEndingScan> {
  return walk(path, gzip, { fields, delimiter, signal, out });
}

/** The line endings of a CSV text, fed to it chunk by chunk. */
class Walker {
  readonly endings: Record<LineEnding, number> = { lf: 0, crlf: 0, cr: 0 };
  kinds = 0;
  problem: string | null = null;
  stopped = false;
  line = 1;
  state = FIELD_START;
  fieldCount = 1;
  lineHasText = false;
  pendingCr = false;
  afterBareCr = 0; // the line a bare CR ended, while the line after it is read
  quoteLine = 0;
  private readonly delim: number;

  constructor(private readonly fields: number, delimiter: string, private readonly stopWhenMixed: boolean, private readonly untilLine: number) {
    this.delim = delimiter.charCodeAt(0);
  }

  private crInside(at: number): string {
    return `line ${at}: a carriage return inside the line (mixed line endings?)`;
  }

  /**
   * A line ends (its ending not yet written): counts it and checks the lines a bare CR
   * separates; true when the walk stops here. The caller then starts the next line.
   */
  endLine(kind: LineEnding, fieldCount: number, hasText: boolean): boolean {
    if (this.endings[kind]++ === 0) this.kinds++;
    if (this.afterBareCr && hasText && fieldCount !== this.fields) this.problem ??= this.crInside(this.afterBareCr);
    if (kind === 'cr' && hasText && fieldCount !== this.fields) this.problem ??= this.crInside(this.line);
    this.afterBareCr = kind === 'cr' ? this.line : 0;
    this.line++;
    if ((this.stopWhenMixed && this.kinds > 1) || this.line > this.untilLine) this.stopped = true;
    return this.stopped || this.problem !== null;
  }

  /**
   * Reads one chunk, writing it with LF endings to `out` (when given, at least one byte longer
   * than the chunk); returns how many bytes it wrote. The per-byte state lives in locals for
   * the loop: several times faster than fields.
   */
  feed(chunk: Buffer, out: Buffer | null): number {
    const delim = this.delim;
    let { state, fieldCount, lineHasText, pendingCr } = this;
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (pendingCr) {
        pendingCr = false;
        if (this.endLine(b === LF ? 'crlf' : 'cr', fieldCount, lineHasText)) break;
        state = FIELD_START;
        fieldCount = 1;
        lineHasText = false;
        if (out) out[n++] = LF;
        if (b === LF) continue;
      }
      if (state === QUOTED) {
        if (b === QUOTE) state = QUOTE_IN_QUOTED;
        else if (b === LF) this.line++;
        if (out) out[n++] = b;
        continue;
      }
      if (state === QUOTE_IN_QUOTED) {
        if (b === QUOTE) {
          state = QUOTED;
          if (out) out[n++] = b;
          continue;
        }
        state = UNQUOTED; // the field's closing quote; what follows is read below
      }
      if (b === CR) {
        pendingCr = true;
      } else if (b === LF) {
        if (this.endLine('lf', fieldCount, lineHasText)) break;
        state = FIELD_START;
        fieldCount = 1;
        lineHasText = false;
        if (out) out[n++] = LF;
      } else {
        lineHasText = true;
        if (b === QUOTE && state === FIELD_START) {
          state = QUOTED;
          this.quoteLine = this.line;
        } else if (b === delim) {
          fieldCount++;
          state = FIELD_START;
        } else if (state === FIELD_START) {
          state = UNQUOTED;
        }
        if (out) out[n++] = b;
      }
    }
    Object.assign(this, { state, fieldCount, lineHasText, pendingCr });
    return n;
  }

  /** The text ended: its last line, and a quote left open. Returns the bytes to write. */
  finish(): Buffer {
    let tail = Buffer.alloc(0);
    if (this.pendingCr) {
      this.pendingCr = false;
      this.endLine('cr', this.fieldCount, this.lineHasText);
      this.lineHasText = false;
      tail = Buffer.from([LF]);
    }
    if (this.state === QUOTED) this.problem ??= `line ${this.quoteLine}: a quote that is never closed`;
    else if (this.afterBareCr && this.lineHasText && this.fieldCount !== this.fields) this.problem ??= this.crInside(this.afterBareCr);
    return tail;
  }
}

async function walk(path: string, gzip: boolean, opts: Walk): Promise<LineEndingScan> {
  const walker = new Walker(opts.fields, opts.delimiter, opts.stopWhenMixed ?? false, opts.untilLine ?? Infinity);
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const source = gzip ? input.pipe(createGunzip()) : input;
  const sink = opts.out === null ? null : createWriteStream(opts.out);
  const sinkFailed = new Promise<never>((_, reject) => sink?.once('error', reject));
  sinkFailed.catch(() => {});
  const write = async (bytes: Buffer) => {
    if (sink && !sink.write(bytes)) await Promise.race([once(sink, 'drain'), sinkFailed]);
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (opts.signal.aborted) throw new MindflowError('cancelled', 'import cancelled');
      const out = sink ? Buffer.allocUnsafe(chunk.length + 1) : null;
      const n = walker.feed(chunk, out);
      if (walker.problem || walker.stopped) break;
      if (out) await write(out.subarray(0, n));
    }
    if (!walker.problem && !walker.stopped) await write(walker.finish());
    if (sink) {
      sink.end();
      await Promise.race([once(sink, 'finish'), sinkFailed]);
    }
  } catch (err) {
    sink?.destroy();
    if (err instanceof MindflowError) throw err;
    // a damaged gzip stream or an unreadable file: the caller's own message covers it
    return { problem: null, endings: walker.endings, mixed: false };
  } finally {
    input.destroy();
  }
  return { problem: walker.problem, endings: walker.endings, mixed: walker.kinds > 1 };
}
