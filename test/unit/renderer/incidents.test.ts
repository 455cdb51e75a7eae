import { describe, expect, it } from 'vitest';
import type { Api, FlaggedWindow, Incident } from '../../../preload/contract.ts';
import { IncidentsState, IncidentTab } from '../../../renderer/src/state/incidents.svelte.ts';
import { filterIncidents, statusCounts } from '../../../renderer/src/lib/incidentFilter.ts';

const incident = (id: number, title: string, status: Incident['status'], summary = '', analyst = 'ana'): Incident => ({
  id, title, status, severity: 'medium', tlp: 'AMBER', summary, analyst, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
  scanId: 1, captureId: 1, windowIds: [1], notes: [],
});

const list = [
  incident(1, 'SYN flood on the web server', 'open', 'bots .148 and .149'),
  incident(2, 'Port scan of .3', 'contained', '', 'ben'),
  incident(12, 'Data theft to .150', 'closed', 'keylogger exfiltration'),
  incident(21, 'Second flood', 'open'),
];
const ids = (xs: Incident[]) => xs.map((i) => i.id);

describe('filterIncidents', () => {
  it('keeps everything with no words and every status', () => {
    expect(ids(filterIncidents(list, '  ', 'all'))).toEqual([1, 2, 12, 21]);
  });

  it('needs every word, in the title, summary or analyst, whatever the case', () => {
    expect(ids(filterIncidents(list, 'FLOOD', 'all'))).toEqual([1, 21]);
    expect(ids(filterIncidents(list, 'flood web', 'all'))).toEqual([1]);
    expect(ids(filterIncidents(list, 'keylogger', 'all'))).toEqual([12]);
    expect(ids(filterIncidents(list, 'ben', 'all'))).toEqual([2]);
    expect(ids(filterIncidents(list, 'flood ddos', 'all'))).toEqual([]);
  });

  it('finds an incident by its number, with or without #, and not by a number inside another', () => {
    expect(ids(filterIncidents(list, '#12', 'all'))).toEqual([12]);
    expect(ids(filterIncidents(list, '2', 'all'))).toEqual([2]);
  });

  it('keeps only the status chosen', () => {
    expect(ids(filterIncidents(list, '', 'open'))).toEqual([1, 21]);
    expect(ids(filterIncidents(list, 'flood', 'closed'))).toEqual([]);
  });
});

describe('statusCounts', () => {
  it('counts each status and all', () => {
    expect(statusCounts(list)).toEqual({ all: 4, open: 2, contained: 1, closed: 1 });
    expect(statusCounts([])).toEqual({ all: 0, open: 0, contained: 0, closed: 0 });
  });
});

describe('the incidents holding a window', () => {
  it('are found by scan and window, oldest first, and follow the list', async () => {
    const a = { ...incident(4, 'later', 'open'), windowIds: [5, 6] };
    const b = { ...incident(2, 'earlier', 'open'), windowIds: [5] };
    const c = { ...incident(3, 'other scan', 'open'), scanId: 2, windowIds: [5] };
    let answer = [a, b, c];
    const api = { listIncidents: async () => answer } as unknown as Api;
    const state = new IncidentsState(api);
    await state.refresh();
    expect(state.holding(1, 5).map((i) => i.id)).toEqual([2, 4]);
    expect(state.holding(1, 6).map((i) => i.id)).toEqual([4]);
    expect(state.holding(2, 5).map((i) => i.id)).toEqual([3]);
    expect(state.holding(1, 7)).toEqual([]);
    answer = [b];
    await state.refresh();
    expect(state.holding(1, 6)).toEqual([]);
    state.put({ ...b, windowIds: [5, 6] });
    expect(state.holding(1, 6).map((i) => i.id)).toEqual([2]);
  });
});

describe('an incident editor tab', () => {
  const flush = () => new Promise((r) => setTimeout(r, 0));
  const win = (id: number, verdict: FlaggedWindow['verdict'] = null): FlaggedWindow => ({
    id, scanId: 1, class: 'DoS', verdict, verdictReason: null, verdictBy: null, verdictAt: null, firstFlow: id, lastFlow: id, flows: 1,
    peak: 0.9, mean: 0.9, srcHosts: ['192.168.100.147'], dstHosts: ['192.168.100.3'], dstPorts: [80], key: null, startMs: null, endMs: null,
  });

  it('reads its windows with one call, never by paging the scan\'s queue', async () => {
    const calls: string[] = [];
    const answers: Record<string, unknown> = {
      getIncident: { ...incident(4, 'flood', 'open'), windowIds: [9, 3] },
      incidentWindows: [win(3), win(9, 'tp')],
      incidentMoveTargets: [],
      relatedIncidents: [],
    };
    const api = new Proxy({}, { get: (_t, name) => async () => (calls.push(String(name)), answers[String(name)]) }) as unknown as Api;
    const tab = new IncidentTab(api, 4, () => {});
    await flush();
    await flush();
    expect(tab.windows.map((w) => [w.id, w.verdict])).toEqual([[3, null], [9, 'tp']]);
    expect(calls.filter((c) => c === 'incidentWindows')).toHaveLength(1);
    expect(calls).not.toContain('flaggedWindows');
  });

  it('reads its windows again when a verdict changes on one of them elsewhere, and only then', async () => {
    const calls: string[] = [];
    let verdict: FlaggedWindow['verdict'] = null;
    const api = new Proxy({}, {
      get: (_t, name) => async () => {
        calls.push(String(name));
        if (name === 'getIncident') return { ...incident(4, 'flood', 'open'), scanId: 1, windowIds: [3, 9] };
        if (name === 'incidentWindows') return [win(3, verdict), win(9)];
        return [];
      },
    }) as unknown as Api;
    const tab = new IncidentTab(api, 4, () => {});
    await flush();
    await flush();
    const reads = () => calls.filter((c) => c === 'incidentWindows').length;
    expect(reads()).toBe(1);
    tab.onVerdictsChanged(2, [3]); // another scan's window 3
    tab.onVerdictsChanged(1, [4, 5]); // windows it does not hold
    expect(reads()).toBe(1);
    verdict = 'tp';
    tab.onVerdictsChanged(1, [5, 3]);
    await flush();
    expect(reads()).toBe(2);
    expect(tab.windows.map((w) => [w.id, w.verdict])).toEqual([[3, 'tp'], [9, null]]);
  });

  it('keeps the windows of its latest read when an earlier one answers last', async () => {
    const pending: ((ws: FlaggedWindow[]) => void)[] = [];
    const api = new Proxy({}, {
      get: (_t, name) => async () => {
        if (name === 'getIncident') return incident(4, 'flood', 'open');
        if (name === 'incidentWindows') return new Promise<FlaggedWindow[]>((r) => pending.push(r));
        return [];
      },
    }) as unknown as Api;
    const tab = new IncidentTab(api, 4, () => {});
    await flush();
    void tab.loadWindows();
    await flush();
    expect(pending).toHaveLength(2);
    pending[1]!([win(1, 'fp')]);
    await flush();
    pending[0]!([win(1)]);
    await flush();
    expect(tab.windows.map((w) => [w.id, w.verdict])).toEqual([[1, 'fp']]);
  });
});
