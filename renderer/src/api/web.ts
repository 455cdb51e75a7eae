import { eventNames, type EventName, type Envelope } from '../../../preload/contract';
import { ApiError, buildApi, unwrap } from './build';
import type { Transport, UploadHandle } from './transport';

const TOKEN_KEY = 'mindflow.token';
const TOKEN_HEADER = 'x-mindflow-token';

/** Reads the token from `?token=` once, keeps it for this tab, and drops it from the address bar. */
function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

async function readEnvelope(response: Response): Promise<Envelope> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Envelope;
  } catch {
    return { ok: false, error: { code: `http-${response.status}`, message: text.trim() || response.statusText } };
  }
}

type Listener = (payload: unknown) => void;

/**
 * Server-sent events read with fetch rather than EventSource, so the token travels in a header
 * like every other request. Reconnects with a short back-off.
 */
function startEvents(token: string, listeners: Map<EventName, Set<Listener>>, setUp: (up: boolean) => void) {
  const known = new Set<string>(eventNames);
  let delay = 500;
  const dispatch = (event: string, data: string) => {
    if (!known.has(event)) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    for (const listener of listeners.get(event as EventName) ?? []) listener(payload);
  };
  const connect = async () => {
    try {
      const response = await fetch('/api/events', { headers: { [TOKEN_HEADER]: token, accept: 'text/event-stream' } });
      if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
      delay = 500;
      setUp(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split(/\r?\n/)) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length) dispatch(event, data.join('\n'));
        }
      }
    } catch {
      // fall through to reconnect
    }
    setUp(false);
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 10_000);
  };
  void connect();
}

export function webTransport(): Transport {
  const token = takeToken();
  const listeners = new Map<EventName, Set<Listener>>();
  let eventsStarted = false;
  const watchers = new Set<(up: boolean) => void>();
  let up: boolean | null = null;
  const setUp = (now: boolean) => {
    if (now === up) return;
    up = now;
    for (const w of watchers) w(now);
  };

  const invoke = async (name: string, args: unknown): Promise<Envelope> => {
    const response = await fetch(`/api/call/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify(args ?? {}),
    });
    return readEnvelope(response);
  };

  const subscribe = (event: EventName, listener: Listener) => {
    if (!eventsStarted) {
      eventsStarted = true;
      startEvents(token, listeners, setUp);
    }
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  };

  /** XHR rather than fetch: it streams the File from disk and reports upload progress. */
  const upload = (file: File, onProgress: (fraction: number) => void): UploadHandle => {
    const xhr = new XMLHttpRequest();
    const done = new Promise<string>((resolve, reject) => {
      xhr.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`);
      xhr.setRequestHeader(TOKEN_HEADER, token);
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
      };
      xhr.onload = () => {
        try {
          const envelope = JSON.parse(xhr.responseText) as Envelope<{ path: string }>;
          resolve(unwrap(envelope).path);
        } catch (err) {
          reject(err instanceof ApiError ? err : new ApiError(`http-${xhr.status}`, xhr.responseText.trim() || `upload failed (HTTP ${xhr.status})`));
        }
      };
      xhr.onerror = () => reject(new ApiError('network', `upload of ${file.name} failed: connection error`));
      xhr.onabort = () => reject(new ApiError('aborted', `upload of ${file.name} cancelled`));
      xhr.send(file);
    });
    return { done, abort: () => xhr.abort() };
  };

  const watchConnection = (listener: (up: boolean) => void) => {
    watchers.add(listener);
    return () => watchers.delete(listener);
  };

  return { host: 'web', api: buildApi(invoke, subscribe), pathForFile: null, upload, watchConnection };
}
