import { afterEach, describe, expect, it, vi } from 'vitest';
import { PageCache, type Page } from '../../../renderer/src/state/pageCache.svelte.ts';

interface Call {
  query: string;
  offset: number;
  limit: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A cache over a fake query: `query` rows named `${query}:${i}`; each fetch waits to be answered. */
class Rows extends PageCache<string, string> {
  calls: Call[] = [];
  applied: string[] = [];
  constructor(
    private readonly size: Record<string, number>,
    maxPages = 3,
  ) {
    super(10, maxPages, 5);
  }
  protected fetchRows(query: string, offset: number, limit: number): Promise<Page<string>> {
    return new Promise((resolve, reject) => {
      const total = this.size[query] ?? 0;
      const rows = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => `${query}:${offset + i}`);
      this.calls.push({
        query,
        offset,
        limit,
        resolve: () => resolve({ rows, total, ms: 1, apply: () => this.applied.push(`${query}@${offset}`) }),
        reject,
      });
    });
  }
  async answerAll() {
    while (this.calls.length) {
      this.calls.shift()!.resolve();
      await flush();
    }
  }
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('PageCache', () => {
  it('fetches the first page on reset, then the pages a viewport asks for once scrolling settles', async () => {
    const c = new Rows({ q: 95 });
    c.reset('q');
    await flush();
    expect(c.calls.map((x) => x.offset)).toEqual([0]);
    await c.answerAll();
    expect(c.loaded).toBe(true);
    expect(c.total).toBe(95);
    expect(c.row(3)).toBe('q:3');
    expect(c.row(30)).toBeUndefined();

    vi.useFakeTimers();
    c.ensure(25, 34);
    c.ensure(35, 44); // the last ask wins
    expect(c.calls).toHaveLength(0);
    vi.advanceTimersByTime(5);
    vi.useRealTimers();
    await flush();
    expect(c.calls.map((x) => x.offset)).toEqual([30, 40]);
    await c.answerAll();
    expect(c.row(44)).toBe('q:44');
    expect(c.hasRows(30, 49)).toBe(true);
    expect(c.hasRows(30, 59)).toBe(false);
    // the last page is missing until it is loaded; past the end there is nothing to miss
    expect(c.hasRows(90, 120)).toBe(false);
    const last = c.load(94);
    await flush();
    await c.answerAll();
    expect(await last).toBe('q:94');
    expect(c.hasRows(90, 120)).toBe(true);
  });

  it('drops an answer to a query that a reset replaced, and keeps what the new one says', async () => {
    const c = new Rows({ old: 50, new: 20 });
    c.reset('old');
    await flush();
    c.reset('new');
    await flush();
    const [oldCall, newCall] = c.calls;
    newCall!.resolve();
    await flush();
    oldCall!.resolve();
    await flush();
    expect(c.total).toBe(20);
    expect(c.row(0)).toBe('new:0');
    expect(c.applied).toEqual(['new@0']);
  });

  it('asks once for a page that two callers want, and keeps an error until a page arrives', async () => {
    const c = new Rows({ q: 100 });
    c.reset('q');
    await flush();
    await c.answerAll();
    const a = c.load(55);
    const b = c.load(57);
    await flush();
    expect(c.calls.map((x) => x.offset)).toEqual([50]);
    c.calls.shift()!.reject(new Error('database is busy'));
    await Promise.all([a, b]);
    expect(c.error).toBe('database is busy');
    expect(c.row(55)).toBeUndefined();
    const again = c.load(55);
    await flush();
    c.calls.shift()!.resolve();
    expect(await again).toBe('q:55');
    expect(c.error).toBeNull();
  });

  it('shows nothing of a query whose first page is refused: no earlier total, no row left loading', async () => {
    const c = new Rows({ old: 95, bad: 0 });
    c.reset('old');
    await flush();
    await c.answerAll();
    expect(c.total).toBe(95);
    c.reset('bad');
    await flush();
    // while the new query runs, the old total stays on screen
    expect(c.total).toBe(95);
    expect(c.failed).toBe(false);
    c.calls.shift()!.reject(new Error('IN_BYTES expects a number, got "> foo"'));
    await flush();
    expect(c.error).toBe('IN_BYTES expects a number, got "> foo"');
    expect(c.failed).toBe(true);
    expect(c.total).toBe(0);
    expect(c.loaded).toBe(false);
    expect(c.hasRows(0, 20)).toBe(true);
    // the next query starts clean
    c.reset('old');
    expect(c.failed).toBe(false);
    expect(c.error).toBeNull();
    await flush();
    await c.answerAll();
    expect(c.total).toBe(95);
    expect(c.loaded).toBe(true);
  });

  it('keeps the pages nearest the viewport when it holds more than its limit', async () => {
    const c = new Rows({ q: 1000 }, 3);
    c.reset('q');
    await flush();
    await c.answerAll();
    for (const at of [100, 200, 300]) {
      const p = c.load(at);
      await flush();
      await c.answerAll();
      await p;
    }
    vi.useFakeTimers();
    c.ensure(300, 305);
    vi.advanceTimersByTime(5);
    vi.useRealTimers();
    // pages 0, 10, 20, 30 held, limit 3: the farthest from page 30 (page 0) goes
    expect(c.row(0)).toBeUndefined();
    expect(c.row(100)).toBe('q:100');
    expect(c.row(300)).toBe('q:300');
  });

  it('refetches the loaded pages on refresh, and a reset to nothing stops fetching', async () => {
    const c = new Rows({ q: 30 });
    c.reset('q');
    await flush();
    await c.answerAll();
    const load = c.load(15);
    await flush();
    await c.answerAll();
    await load;
    const refresh = c.refresh();
    await flush();
    expect(c.calls.map((x) => x.offset).sort((x, y) => x - y)).toEqual([0, 10]);
    await c.answerAll();
    await refresh;
    const versionBefore = c.version;
    c.reset(null);
    await flush();
    expect(c.calls).toHaveLength(0);
    expect(c.row(0)).toBeUndefined();
    expect(c.version).toBe(versionBefore + 1);
  });
});
