/**
 * The web host: the built renderer and the same contract over HTTP + server-sent events, on
 * 127.0.0.1 only, guarded by a random per-run token. The first page load carries the token in
 * its URL (`/?token=...`); the server answers with an HttpOnly, SameSite=Strict cookie so the
 * page's own requests (assets, EventSource) carry it. Calls may also send `x-mindflow-token`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { reportsDir } from '../core/incidents/export.ts';
import { pipeline } from 'node:stream/promises';
import type { Session } from '../core/session.ts';

export interface WebHostOptions {
  /** the project open now, and the way to another */
  session: Session;
  /** the built renderer (out/renderer) */
  staticDir: string;
  port?: number;
  token?: string;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

const MAX_CALL_BODY = 1 << 20;

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie ?? '';
  for (const part of cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === 'mf_token') return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', { 'cache-control': 'no-store' });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A file name safe to create: no directories, no control characters, no leading dots. */
export function safeUploadName(name: string): string {
  const base = basename(name.replace(/\\/g, '/'));
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '').slice(0, 120);
  return cleaned || 'upload';
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const staticDir = resolve(options.staticDir);
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${join(staticDir, 'index.html')} is missing): run "npm run build" first`);
  }
  const { session } = options;
  // Uploads and exports belong to the project open now: they follow it when another is opened.
  const uploadDir = () => `${session.workbench.project.path}.uploads`;
  const reportDir = () => reportsDir(session.workbench.project);
  // Exported reports are served back from the project's reports folder (and only from there).
  session.onWorkbench((workbench) => {
    const dir = reportsDir(workbench.project);
    workbench.options.reportUrl = (path) => (dirname(resolve(path)) === dir ? `/api/report/${encodeURIComponent(basename(path))}` : null);
  });
  const streams = new Set<ServerResponse>();
  let port = 0;

  const unsubscribe = session.subscribe((event, payload) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of streams) res.write(frame);
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 15_000);

  const authorised = (req: IncomingMessage, url: URL): 'cookie' | 'query' | null => {
    if (sameToken(cookieToken(req), token)) return 'cookie';
    const header = req.headers['x-mindflow-token'];
    if (typeof header === 'string' && sameToken(header, token)) return 'cookie';
    if (sameToken(url.searchParams.get('token') ?? undefined, token)) return 'query';
    return null;
  };

  const serveStatic = (res: ServerResponse, pathname: string, setCookie: boolean) => {
    const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    let file = resolve(staticDir, rel);
    if (file !== staticDir && !file.startsWith(staticDir + sep)) return send(res, 403, 'forbidden');
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(staticDir, 'index.html');
    const headers: Record<string, string> = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': extname(file) === '.html' ? 'no-store' : 'private, max-age=3600',
    };
    if (setCookie) headers['set-cookie'] = `mf_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Loopback only, and only our own Host (DNS-rebinding guard).
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return send(res, 421, 'wrong host');
    const url = new URL(req.url ?? '/', `http://${host}`);
    const auth = authorised(req, url);
    if (!auth) return send(res, 401, 'MindFlow web host: open the URL printed by "mindflow serve" (it carries the access token)');

    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (url.pathname.startsWith('/api/call/') && req.method === 'POST') {
      const name = url.pathname.slice('/api/call/'.length);
      let args: unknown;
      try {
        const body = await readBody(req, MAX_CALL_BODY);
        args = body ? JSON.parse(body) : {};
      } catch (err) {
        return sendJson(res, 400, { ok: false, error: { code: 'bad-args', message: `bad request body: ${(err as Error).message}` } });
      }
      return sendJson(res, 200, await session.dispatch(name, args));
    }
    if (url.pathname === '/api/upload' && req.method === 'POST') {
      const name = safeUploadName(url.searchParams.get('name') ?? 'upload.csv');
      // One folder per upload keeps the analyst's file name (it becomes the capture's name).
      const folder = join(uploadDir(), `${Date.now()}-${randomBytes(4).toString('hex')}`);
      await mkdir(folder, { recursive: true });
      const dest = join(folder, name);
      try {
        await pipeline(req, createWriteStream(dest));
      } catch (err) {
        return sendJson(res, 200, { ok: false, error: { code: 'internal', message: `upload failed: ${(err as Error).message}` } });
      }
      return sendJson(res, 200, { ok: true, result: { path: dest } });
    }
    if (url.pathname.startsWith('/api/report/') && req.method === 'GET') {
      const name = basename(decodeURIComponent(url.pathname.slice('/api/report/'.length)));
      const file = join(reportDir(), name);
      if (!name || !existsSync(file)) return sendJson(res, 404, { ok: false, error: { code: 'not-found', message: 'no such report' } });
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-disposition': `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        'cache-control': 'no-store',
      });
      createReadStream(file).pipe(res);
      return;
    }
    if (url.pathname.startsWith('/api/')) return sendJson(res, 404, { ok: false, error: { code: 'bad-args', message: 'no such endpoint' } });
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    return serveStatic(res, url.pathname, auth === 'query');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: (err as Error).message } });
      else res.end();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolveClose) => {
        clearInterval(heartbeat);
        unsubscribe();
        for (const res of streams) res.end();
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
