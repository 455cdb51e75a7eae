import { describe, expect, it } from 'vitest';
import { GradientExchange, ownersOf, shareOf, STOP_CANCELLED, trainingWorkers } from '../../../main/core/model/parallel.ts';

describe('trainingWorkers', () => {
  it.each([
    [256, 2, 2],
    [512, 2, 2],
    [512, 16, 4],
    [64, 8, 1],
    [256, 1, 1],
  ])('batch %i on %i cores -> %i threads', (batch, cores, expected) => {
    expect(trainingWorkers(batch, cores)).toBe(expected);
  });
});

describe('shareOf', () => {
  it('cuts a batch into contiguous shares that cover it once', () => {
    for (const [n, size] of [[512, 2], [7, 3], [1, 2], [0, 2]] as const) {
      const parts = Array.from({ length: size }, (_, r) => shareOf(n, r, size));
      expect(parts[0]![0]).toBe(0);
      expect(parts[size - 1]![1]).toBe(n);
      for (let r = 1; r < size; r++) expect(parts[r]![0]).toBe(parts[r - 1]![1]);
    }
  });
});

describe('ownersOf', () => {
  it('gives every variable one rank, balancing the weights each rank updates', () => {
    // the detector's variables, in order (embeddings, flow path, conv, LSTM, softmax)
    const sizes = [136512, 84352, 128, 16384, 128, 9984, 64, 24576, 128, 32768, 16384, 256, 32768, 16384, 256, 1280, 5];
    const owners = ownersOf(sizes, 2);
    const load = [0, 0];
    owners.forEach((r, i) => (load[r]! += sizes[i]!));
    expect(load[0]! + load[1]!).toBe(372357);
    expect(Math.abs(load[0]! - load[1]!)).toBeLessThan(0.01 * 372357);
    expect(Array.from(ownersOf(sizes, 1))).toEqual(sizes.map(() => 0));
    expect(Array.from(ownersOf([5, 5, 5], 3)).sort()).toEqual([0, 1, 2]);
    expect(Array.from(ownersOf(sizes, 2))).toEqual(Array.from(owners));
  });
});

describe('GradientExchange', () => {
  it('hands back the blocks with the totals summed, and alternates buffers between steps', () => {
    const x = GradientExchange.create(1, 3);
    const first = x.outbox();
    first.set([1, 2, 3]);
    const a = x.exchange({ loss: 1, weight: 2, hits: 3, windows: 4 });
    expect(a.parts.map((p) => Array.from(p))).toEqual([[1, 2, 3]]);
    expect(a.totals).toEqual({ loss: 1, weight: 2, hits: 3, windows: 4 });
    // the next step writes the other set: the block just handed back stays intact
    const second = x.outbox();
    expect(second.byteOffset).not.toBe(first.byteOffset);
    second.set([4, 5, 6]);
    expect(Array.from(a.parts[0]!)).toEqual([1, 2, 3]);
    const b = x.exchange({ loss: 0, weight: 1, hits: 0, windows: 1 });
    expect(Array.from(b.parts[0]!)).toEqual([4, 5, 6]);
    expect(x.outbox().byteOffset).toBe(first.byteOffset);
  });

  it('refuses a buffer sized for another model', () => {
    const x = GradientExchange.create(2, 10);
    expect(() => GradientExchange.attach(x.buffer, 1, 2, 11)).toThrow(/needs/);
  });

  it('a stop reaches every rank at its next barrier', () => {
    const x = GradientExchange.create(2, 1);
    x.stop(STOP_CANCELLED);
    const peer = GradientExchange.attach(x.buffer, 1, 2, 1);
    expect(() => peer.barrier()).toThrow(/cancelled/);
    expect(() => x.exchange({ loss: 0, weight: 0, hits: 0, windows: 0 })).toThrow(/cancelled/);
  });
});
