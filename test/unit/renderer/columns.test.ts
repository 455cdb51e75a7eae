import { describe, expect, it } from 'vitest';
import type { Api, CaptureInfo } from '../../../preload/contract';
import { ColumnPrefs, parseHiddenColumns } from '../../../renderer/src/state/columnPrefs.svelte.ts';
import { ExploreTab, tableOrder } from '../../../renderer/src/state/explore.svelte.ts';
import { FlowExportState } from '../../../renderer/src/state/flowExport.svelte.ts';
import { JobsState } from '../../../renderer/src/state/jobs.svelte.ts';

const COLUMNS = ['flow_id', 'IPV4_SRC_ADDR', 'IN_BYTES', 'Attack', 'predicted', 'confidence', 'attack_score', 'verdict'];

function fakeApi(calls: unknown[] = []): Api {
  const api = {
    queryFlows: async () => ({ columns: COLUMNS.map((name) => ({ name, type: 'text' })), rows: [], total: 10, ms: 0 }),
    histogram: async () => ({ bins: [], binWidth: 1, classes: [], ms: 0, colourBy: 'label' }),
    aggregates: async () => ({ total: 0, classCounts: [], topSources: [], topDestinations: [], topPorts: [], protocols: [], topPairs: [], ms: 0 }),
    exportFlows: async (args: unknown) => {
      calls.push(args);
      return { jobId: 'j1' };
    },
  };
  return api as unknown as Api;
}

function capture(schemaVersion: 'v1' | 'v2'): CaptureInfo {
  return {
    id: 3, fileName: 'c.csv', filePath: '/tmp/c.csv', sizeBytes: 1, sha256: 'x', schemaVersion, labelled: true, rows: 10, classCounts: {},
    columns: ['IPV4_SRC_ADDR', 'IN_BYTES', 'Attack'], ignoredColumns: [], order: 'file order', importedAt: '2026-12-07T00:00:00Z', importSeconds: 0.1,
  };
}

/** A store like localStorage, in memory. */
function memoryStore(): { getItem(k: string): string | null; setItem(k: string, v: string): void; data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const loaded = () => new Promise((r) => setTimeout(r, 80));

describe('the flow table’s columns', () => {
  it('puts a scan’s columns first and keeps the capture’s order for the rest', () => {
    expect(tableOrder(COLUMNS, (n) => n)).toEqual(['predicted', 'confidence', 'attack_score', 'verdict', 'flow_id', 'IPV4_SRC_ADDR', 'IN_BYTES', 'Attack']);
  });

  it('reads back only what it stores', () => {
    expect(parseHiddenColumns(null)).toEqual({});
    expect(parseHiddenColumns('{oops')).toEqual({});
    expect(parseHiddenColumns('[1,2]')).toEqual({});
    expect(parseHiddenColumns('{"v2": ["IN_BYTES", 7, "bad name;"], "v1": "x"}')).toEqual({ v2: ['IN_BYTES'] });
  });

  it('hides columns for every capture of the schema version, keeps them hidden after a restart, and never hides them all', async () => {
    const store = memoryStore();
    const prefs = new ColumnPrefs(store);
    const tab = new ExploreTab(fakeApi(), capture('v2'), 5, prefs);
    const otherV2 = new ExploreTab(fakeApi(), { ...capture('v2'), id: 4 }, 5, prefs);
    const v1 = new ExploreTab(fakeApi(), { ...capture('v1'), id: 6 }, 5, prefs);
    await loaded();
    tab.setColumnShown('IN_BYTES', false);
    tab.setColumnShown('confidence', false);
    expect(tab.shownColumns).toEqual(['predicted', 'attack_score', 'verdict', 'flow_id', 'IPV4_SRC_ADDR', 'Attack']);
    expect(otherV2.hiddenColumns).toEqual(['IN_BYTES', 'confidence']);
    expect(v1.hiddenColumns).toEqual([]);
    expect(new ColumnPrefs(store).hiddenFor('v2')).toEqual(['IN_BYTES', 'confidence']);
    tab.setColumnShown('IN_BYTES', true);
    expect(tab.hiddenColumns).toEqual(['confidence']);
    for (const c of COLUMNS) tab.setColumnShown(c, false);
    expect(tab.shownColumns).toHaveLength(COLUMNS.length); // hiding every one shows them all
    tab.showAllColumns();
    expect(tab.hiddenColumns).toEqual([]);
  });

  it('exports just the shown columns in the table’s order, unless asked for all', async () => {
    const calls: unknown[] = [];
    const api = fakeApi(calls);
    const tab = new ExploreTab(api, capture('v2'), 5, new ColumnPrefs(null));
    await loaded();
    const ex = new FlowExportState(api, new JobsState(api));
    ex.show(tab);
    expect(ex.target?.shownColumns).toBeNull();
    await ex.start();
    expect(calls.at(-1)).not.toHaveProperty('columns');

    tab.setColumnShown('IN_BYTES', false);
    tab.setColumnShown('verdict', false);
    ex.onFinished({ jobId: 'j1', kind: 'export', label: 'export', ok: false, cancelled: true });
    ex.show(tab);
    expect(ex.target).toMatchObject({ shownColumns: ['predicted', 'confidence', 'attack_score', 'flow_id', 'IPV4_SRC_ADDR', 'Attack'], allColumns: 8 });
    await ex.start();
    expect(calls.at(-1)).toMatchObject({ columns: ['predicted', 'confidence', 'attack_score', 'flow_id', 'IPV4_SRC_ADDR', 'Attack'] });
    ex.onFinished({ jobId: 'j1', kind: 'export', label: 'export', ok: false, cancelled: true });
    ex.onlyShown = false;
    await ex.start();
    expect(calls.at(-1)).not.toHaveProperty('columns');
  });
});
