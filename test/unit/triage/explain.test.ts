import { describe, expect, it } from 'vitest';
import { explanationSentence, flagWords } from '../../../main/core/triage/explain.ts';
import type { FlaggedWindow } from '../../../preload/contract.ts';

describe('flagWords', () => {
  it('names every TCP flag bit that is set, handshake flags first', () => {
    expect(flagWords(61)).toBe('ACK+RST+FIN+PSH+URG'); // 32 + 16 + 8 + 4 + 1
    expect(flagWords(63)).toBe('SYN+ACK+RST+FIN+PSH+URG');
    expect(flagWords(18)).toBe('SYN+ACK');
    expect(flagWords(194)).toBe('SYN+ECE+CWR');
    expect(flagWords(255)).toBe('SYN+ACK+RST+FIN+PSH+URG+ECE+CWR');
    expect(flagWords(0)).toBe('');
  });
});

describe('explanationSentence', () => {
  it('says the flows\' protocol, flags, size and hosts', () => {
    const w = { class: 'DoS', peak: 0.98765, flows: 3, srcHosts: ['192.168.100.3'], dstHosts: ['192.168.100.7'], dstPorts: [80] } as unknown as FlaggedWindow;
    const flows = [61, 61, 2].map((flags, i) => ({ protocol: 6, flags, inBytes: 100 * (i + 1) }));
    expect(explanationSentence(w, flows, ['IN_BYTES'])).toBe('DoS 0.988: 3 TCP ACK+RST+FIN+PSH+URG flows of ~200 bytes from 192.168.100.3 to 192.168.100.7:80; bytes in weighs most.');
  });
});
