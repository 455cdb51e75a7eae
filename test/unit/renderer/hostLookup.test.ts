import { describe, expect, it } from 'vitest';
import type { Api, HostLookup } from '../../../preload/contract';
import { HostLookupState } from '../../../renderer/src/state/hostLookup.svelte.ts';

/** findHost answers when the test says so, in any order. */
function slowApi() {
  const pending: { host: string; answer: () => void; fail: (m: string) => void }[] = [];
  const api = {
    findHost: ({ host }: { host: string }) =>
      new Promise<HostLookup>((resolve, reject) => {
        pending.push({ host, answer: () => resolve({ host, searched: 2, captures: [], ms: 1, incidents: [] }), fail: (m) => reject(new Error(m)) });
      }),
  } as unknown as Api;
  return { api, pending };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the host lookup', () => {
  it('keeps the answer to the last question, not a slower earlier one', async () => {
    const { api, pending } = slowApi();
    const hl = new HostLookupState(api);
    hl.show('192.168.100.3');
    expect(hl.open).toBe(true);
    expect(hl.loading).toBe(true);
    hl.host = ' 192.168.100.147 ';
    void hl.find();
    expect(pending.map((p) => p.host)).toEqual(['192.168.100.3', '192.168.100.147']);
    pending[1]!.answer();
    await settle();
    pending[0]!.answer();
    await settle();
    expect(hl.result?.host).toBe('192.168.100.147');
    expect(hl.loading).toBe(false);
  });

  it('says why a lookup failed, asks nothing for an empty address, and opens without one', async () => {
    const { api, pending } = slowApi();
    const hl = new HostLookupState(api);
    hl.show();
    expect(pending).toHaveLength(0);
    hl.host = '   ';
    await hl.find();
    expect(pending).toHaveLength(0);
    hl.host = 'nope';
    const asked = hl.find();
    pending[0]!.fail('"nope" is not an IP address (e.g. 192.168.100.3)');
    await asked;
    expect(hl.error).toBe('"nope" is not an IP address (e.g. 192.168.100.3)');
    expect(hl.result).toBeNull();
    hl.close();
    expect(hl.open).toBe(false);
  });
});
