import { callNames, type Api, type CallName, type Envelope, type EventName, type Events } from '../../../preload/contract';
import type { Transport } from './transport';

/** An error answered by the core; `message` is what the analyst reads. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.result;
  throw new ApiError(envelope.error.code, envelope.error.message);
}

export type Invoke = (name: CallName, args: unknown) => Promise<Envelope>;
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

/** A transport whose every call fails with `message` (the host cannot be reached at all). */
export function unreachableTransport(host: 'electron' | 'web', message: string): Transport {
  const refused: Envelope = { ok: false, error: { code: 'unavailable', message } };
  return { host, api: buildApi(async () => refused, () => () => {}), pathForFile: null, upload: null, watchConnection: null };
}

/**
 * Derives the whole `Api` from the contract's call names: one generic method per call, so a
 * call added to the contract needs no transport change.
 */
export function buildApi(invoke: Invoke, subscribe: Subscribe): Api {
  const api: Record<string, unknown> = {};
  for (const name of callNames) {
    api[name] = async (args: unknown) => unwrap(await invoke(name, args ?? {}));
  }
  api.on = <E extends EventName>(event: E, listener: (payload: Events[E]) => void) =>
    subscribe(event, (payload) => listener(payload as Events[E]));
  return api as Api;
}
