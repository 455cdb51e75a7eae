import { describe, expect, it } from 'vitest';
import type { Api, CaptureInfo } from '../../../preload/contract';
import { ExploreTab } from '../../../renderer/src/state/explore.svelte.ts';

/** The calls an Explore tab makes, answered empty: these tests look at the tab's own state. */
function fakeApi(histogramCalls: unknown[]): Api {
  const api = {
    queryFlows: async () => ({ columns: [], rows: [], total: 0, ms: 0 }),
    histogram: async (req: unknown) => {
      histogramCalls.push(req);
      return { bins: [], binWidth: 1, classes: [], ms: 0, colourBy: 'label' };
    },
    aggregates: async () => ({ total: 0, classCounts: [], topSources: [], topDestinations: [], topPorts: [], protocols: [], topPairs: [], ms: 0 }),
    countBy: async () => [],
  };
  return api as unknown as Api;
}

function capture(labelled: boolean): CaptureInfo {
  return {
    id: 7,
    fileName: 'c.csv',
    filePath: '/tmp/c.csv',
    sizeBytes: 1,
    sha256: 'x',
    schemaVersion: 'v1',
    labelled,
    rows: 10,
    classCounts: {},
    columns: ['IPV4_SRC_ADDR', 'L4_DST_PORT'],
    ignoredColumns: [],
    order: 'file order',
    importedAt: '2026-12-07T00:00:00Z',
    importSeconds: 0.1,
  };
}

describe('ExploreTab', () => {
  it('lets a clause name the flow id, and the scan columns only with a scan', () => {
    const tab = new ExploreTab(fakeApi([]), capture(true));
    expect(tab.fields).toEqual(['flow_id', 'IPV4_SRC_ADDR', 'L4_DST_PORT']);
    tab.setScan(3);
    expect(tab.fields).toEqual(['flow_id', 'IPV4_SRC_ADDR', 'L4_DST_PORT', 'predicted', 'confidence', 'attack_score', 'verdict']);
  });

  it('colours an unlabelled capture by prediction as soon as a scan arrives, and a labelled one by label', () => {
    const unlabelled = new ExploreTab(fakeApi([]), capture(false));
    expect(unlabelled.colourBy).toBe('label');
    unlabelled.setScan(3);
    expect(unlabelled.colourBy).toBe('predicted');
    unlabelled.setScan(null);
    expect(unlabelled.colourBy).toBe('label');

    const labelled = new ExploreTab(fakeApi([]), capture(true));
    labelled.setScan(3);
    expect(labelled.colourBy).toBe('label');
  });
});

/** An Explore tab's calls answered as the core would: 33 flows, and a refusal for any clause on IN_BYTES whose value is text. */
function refusingApi(): Api {
  const refuse = (req: { filter: { clauses: { field: string; value: unknown }[] } }) => {
    const bad = req.filter.clauses.find((c) => c.field === 'IN_BYTES' && typeof c.value !== 'number');
    if (bad) throw new Error(`IN_BYTES expects a number, got "${String(bad.value)}"`);
  };
  const api = {
    queryFlows: async (req: never) => {
      refuse(req);
      return { columns: [{ name: 'flow_id', type: 'integer' }, { name: 'IPV4_SRC_ADDR', type: 'text' }, { name: 'IN_BYTES', type: 'integer' }], rows: [[0, '10.0.0.1', 5]], total: 33, ms: 1 };
    },
    histogram: async (req: never) => {
      refuse(req);
      return { series: ['all'], counts: [[33]], from: 0, to: 33, binWidth: 1, ms: 0, colourBy: 'label', axis: 'flow' };
    },
    aggregates: async (req: never) => {
      refuse(req);
      return { total: 33, classCounts: [], topSources: [], topDestinations: [], topDstPorts: [], protocols: [], topPairs: [], ms: 0 };
    },
    countBy: async (req: never) => {
      refuse(req);
      return [];
    },
  };
  return api as unknown as Api;
}

const settle = () => new Promise<void>((r) => setTimeout(r, 0));

describe('ExploreTab with a filter the core refuses', () => {
  it('knows each field’s type from the columns the flows came with, and a scan’s in advance', async () => {
    const tab = new ExploreTab(refusingApi(), { ...capture(true), columns: ['IPV4_SRC_ADDR', 'IN_BYTES'] });
    expect(tab.fieldTypes).toEqual({});
    await settle();
    expect(tab.fieldTypes).toEqual({ flow_id: 'integer', IPV4_SRC_ADDR: 'text', IN_BYTES: 'integer' });
    tab.setScan(3);
    expect(tab.fieldTypes).toMatchObject({ IN_BYTES: 'integer', predicted: 'text', confidence: 'float', attack_score: 'float', verdict: 'text' });
  });

  it('says why once, and shows no counts, bars or rows of the filter before it; removing the clause recovers', async () => {
    const tab = new ExploreTab(refusingApi(), { ...capture(true), columns: ['IPV4_SRC_ADDR', 'IN_BYTES'] });
    await settle();
    expect(tab.pager.total).toBe(33);
    expect(tab.aggregates?.total).toBe(33);
    expect(tab.error).toBeNull();

    tab.addClause({ field: 'IN_BYTES', op: '>', value: '> foo' });
    await settle();
    await settle();
    expect(tab.error).toBe('IN_BYTES expects a number, got "> foo"');
    expect(tab.pager.failed).toBe(true);
    expect(tab.pager.total).toBe(0);
    expect(tab.aggregates).toBeNull();
    expect(tab.histogram).toBeNull();

    // a later clause is not silently dropped: the filter stays refused as a whole
    tab.addClause({ field: 'host', op: '=', value: '1.2.3.4' });
    await settle();
    await settle();
    expect(tab.error).toBe('IN_BYTES expects a number, got "> foo"');
    expect(tab.pager.total).toBe(0);

    tab.removeClause(0);
    await settle();
    await settle();
    expect(tab.error).toBeNull();
    expect(tab.pager.failed).toBe(false);
    expect(tab.pager.total).toBe(33);
    expect(tab.aggregates?.total).toBe(33);
    expect(tab.histogram).not.toBeNull();
  });
});
