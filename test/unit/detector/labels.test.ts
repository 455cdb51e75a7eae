/** Which labelled flows a model's metrics cannot count, and how they are named. */
import { describe, expect, it } from 'vitest';
import { unknownLabelCounts } from '../../../main/core/detector/service.ts';

const classes = ['Benign', 'DDoS', 'DoS', 'Reconnaissance', 'Theft'];

describe('unknownLabelCounts', () => {
  it('names the labels that are not classes of the model, largest first, and the empty label', () => {
    const counts = { Benign: 10, DoS: 5, scanning: 7, xss: 30, '(empty)': 2, ransomware: 0 };
    expect(unknownLabelCounts(counts, { classes, binary: false })).toEqual({ xss: 30, scanning: 7, '(empty)': 2 });
    expect(Object.keys(unknownLabelCounts(counts, { classes, binary: false }))).toEqual(['xss', 'scanning', '(empty)']);
  });

  it('takes a class spelt in another case or with spaces, "-" or "_" for the model\'s (NF-ToN-IoT writes "dos", "ddos"), never one of another name', () => {
    expect(unknownLabelCounts({ dos: 4, DoS: 1, 'D-DoS': 2, ' BENIGN ': 3, normal: 1, scanning: 6 }, { classes, binary: false })).toEqual({ scanning: 6 });
  });

  it('a binary model reads every non-empty label as benign or attack, so only empty labels are left out', () => {
    expect(unknownLabelCounts({ Benign: 3, xss: 9, '(empty)': 1 }, { classes: ['Benign', 'Attack'], binary: true })).toEqual({ '(empty)': 1 });
  });

  it('nothing left out gives an empty record', () => {
    expect(unknownLabelCounts({ Benign: 3, DoS: 2 }, { classes, binary: false })).toEqual({});
  });
});
