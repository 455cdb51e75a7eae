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
