/**
 * Typed, user-facing errors. The message is one line and says what the user needs: which
 * file, which line, which column, what was expected. Hosts show `message` as is; the CLI
 * prints it and exits non-zero, never with a stack trace.
 */
export type ErrorCode =
  | 'not-found'
  | 'not-a-file'
  | 'empty-file'
  | 'not-netflow'
  | 'unsupported-format'
  | 'truncated'
  | 'ragged-row'
  | 'bad-value'
  | 'missing-columns'
  | 'duplicate-columns'
  | 'corrupt-parquet'
  | 'no-flows'
  | 'cancelled'
  | 'bad-args'
  | 'read-only'
  | 'sql-error'
  | 'unknown-capture'
  | 'project-locked'
  | 'unavailable'
  | 'busy'
  | 'internal';

export class MindflowError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'MindflowError';
    this.code = code;
  }
}

export function isCancelled(err: unknown): boolean {
  return err instanceof MindflowError && err.code === 'cancelled';
}

/** One line, no stack: what a host shows for any thrown value. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}

export function errorCode(err: unknown): ErrorCode {
  return err instanceof MindflowError ? err.code : 'internal';
}
