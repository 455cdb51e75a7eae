import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../main/core/session.ts';
import { safeUploadName, startWebHost, type WebHost } from '../../main/web/server.ts';
import { tempDir, v1Csv } from './helpers.ts';

let host: WebHost;
let session: Session;
let cleanup: () => void;
let dir: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const staticDir = join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>MindFlow</title>');
  session = await Session.open(join(dir, 'p.duckdb'), { host: 'web', recentFile: join(dir, 'recent.json') });
  host = await startWebHost({ session, staticDir });
});
afterAll(async () => {
  await host.close();
  session.close();
  cleanup();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are checked by the assertions
const body = async (r: Response | Promise<Response>): Promise<any> => (await r).json();
const base = () => `http://127.0.0.1:${host.port}`;
const call = (name: string, args: unknown, headers: Record<string, string> = { 'x-mindflow-token': host.token }) =>
  fetch(`${base()}/api/call/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(args) });

/** Listens to the event stream; `text` is all it carried up to the first `event`. */
async function eventsUntil(event: string): Promise<{ text: Promise<string>; stop: () => void }> {
  const controller = new AbortController();
  const stream = await fetch(`${base()}/api/events`, { headers: { 'x-mindflow-token': host.token }, signal: controller.signal });
  const reader = stream.body!.getReader();
  const text = (async () => {
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes(`event: ${event}`)) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
    }
    return seen;
  })();
  return { text, stop: () => controller.abort() };
}

describe('the web host', () => {
  it('listens on 127.0.0.1 and prints a URL carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses requests without the token, or with a wrong one', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401);
    expect((await call('listCaptures', {}, {})).status).toBe(401);
    expect((await call('listCaptures', {}, { 'x-mindflow-token': host.token.slice(1) })).status).toBe(401);
    expect((await fetch(`${base()}/api/events`)).status).toBe(401);
  });

  it('the first load with the token sets an HttpOnly SameSite cookie that later requests use', async () => {
    const first = await fetch(host.url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const res = await call('listCaptures', {}, { cookie: cookie.split(';')[0]! });
    expect(await body(res)).toEqual({ ok: true, result: [] });
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: `/?token=${host.token}`, headers: { host: 'evil.example:80' } }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(status).toBe(421);
  });

  it('validates call arguments: a malformed call gets an error, not a crash', async () => {
    const bad = await body(call('queryFlows', { captureId: 'one', filter: {}, offset: -1, limit: 10 }));
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('bad-args');
    expect(bad.error.message).toMatch(/invalid arguments for queryFlows/);
    const unknown = await body(call('dropEverything', {}));
    expect(unknown.error.message).toMatch(/unknown call/);
    const appInfo = await body(call('appInfo', {}));
    expect(appInfo.result.host).toBe('web');
  });

  it('uploads a file, imports it as a job, and streams the job events', async () => {
    const { text: finished, stop } = await eventsUntil('job:finished');
    const up = await body(fetch(`${base()}/api/upload?name=${encodeURIComponent('../../evil name.csv')}`, {
      method: 'POST',
      headers: { 'x-mindflow-token': host.token },
      body: v1Csv(['DoS', 'DDoS']),
    }));
    expect(up.ok).toBe(true);
    expect(up.result.path).toMatch(/\.uploads[/\\]\d+-[0-9a-f]{8}[/\\]evil_name\.csv$/);
    const started = await body(call('importCapture', { path: up.result.path }));
    expect(started.result.jobId).toMatch(/[0-9a-f-]{36}/);
    const text = await finished;
    stop();
    expect([...text.matchAll(/event: (\S+)/g)].map((m) => m[1])).toContain('job:finished');
    expect(text).toContain('"ok":true');
    const list = await body(call('listCaptures', {}));
    expect(list.result).toHaveLength(1);
  });

  it('hands the built-in models over unchanged: JSON turns NaN into null, so results carry none', async () => {
    const direct = await session.dispatch('listModels', {});
    const models = (direct as { ok: true; result: { builtin: boolean; history: { accuracy: number | null }[] }[] }).result;
    expect(models.filter((m) => m.builtin).length).toBeGreaterThanOrEqual(2);
    // a package keeps its loss curve but not its accuracy: that is null, not NaN
    expect(models.every((m) => m.history.every((h) => h.accuracy === null))).toBe(true);
    expect(await body(call('listModels', {}))).toStrictEqual(direct);
  });

  it('opens another project: every window hears of it, and uploads and reports follow the project', async () => {
    const { text: heard, stop } = await eventsUntil('project:changed');
    // a relative path is beside the project open now
    const opened = await body(call('openProject', { path: 'case-2', create: true }));
    expect(opened.ok).toBe(true);
    expect(opened.result.projectPath).toBe(join(dir, 'case-2.duckdb'));
    expect(await heard).toContain(`"projectPath":${JSON.stringify(join(dir, 'case-2.duckdb'))}`);
    stop();
    expect((await body(call('listCaptures', {}))).result).toEqual([]);
    const up = await body(fetch(`${base()}/api/upload?name=x.csv`, { method: 'POST', headers: { 'x-mindflow-token': host.token }, body: 'a' }));
    expect(up.result.path.startsWith(join(dir, 'case-2.duckdb.uploads'))).toBe(true);
    const recent = (await body(call('recentProjects', {}))).result as { path: string; current: boolean }[];
    expect(recent.map((r) => [r.path, r.current])).toEqual([
      [join(dir, 'case-2.duckdb'), true],
      [join(dir, 'p.duckdb'), false],
    ]);
    // and back: the first project kept its capture
    expect((await body(call('openProject', { path: join(dir, 'p.duckdb') }))).ok).toBe(true);
    expect((await body(call('listCaptures', {}))).result).toHaveLength(1);
  });

  it('makes upload names safe', () => {
    expect(safeUploadName('../../etc/passwd')).toBe('passwd');
    expect(safeUploadName('..\\..\\a b.csv')).toBe('a_b.csv');
    expect(safeUploadName('...')).toBe('upload');
  });
});
