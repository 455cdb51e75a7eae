import { describe, expect, it } from 'vitest';
import type { ModelMetrics } from '../../preload/contract.ts';
import { heldOut, metrics, onSampleA } from './heldOutGap.fixture.ts';
import { CLASS_F1_GAP, heldOutGapNote, heldOutGapText, MACRO_F1_GAP, WEIGHTED_F1_GAP } from '../../preload/heldOutGap.ts';

/** Figures with the given macro and weighted F1, per-class figures and confusion as `base`'s. */
const figures = (macroF1: number, weightedF1: number, base: ModelMetrics = heldOut): ModelMetrics => ({ ...base, macroF1, weightedF1 });

describe('heldOutGapNote: the rule', () => {
  const estimate = figures(0.8, 0.97);
  it.each([
    ['the same figures', false, figures(0.8, 0.97)],
    ['better figures', false, figures(0.9, 0.99)],
    [`macro F1 ${MACRO_F1_GAP} lower, no more`, false, figures(0.8 - MACRO_F1_GAP, 0.97)],
    [`weighted F1 ${WEIGHTED_F1_GAP} lower, no more`, false, figures(0.8, 0.97 - WEIGHTED_F1_GAP)],
    ['macro F1 0.0504 lower: 0.050 as shown', false, figures(0.7496, 0.97)],
    ['both a little lower', false, figures(0.76, 0.95)],
    ['macro F1 0.051 lower', true, figures(0.749, 0.97)],
    ['weighted F1 0.031 lower', true, figures(0.8, 0.939)],
    ['both far lower', true, figures(0.5, 0.8)],
  ])('%s: note shown %s', (_, shown, capture) => {
    const note = heldOutGapNote({ heldOut: estimate, capture, captureName: 'capture #1', trainedOnCapture: true });
    expect(note !== null).toBe(shown);
  });

  it('leads with the figure that fell past its margin, and gives the other beside it', () => {
    const macro = heldOutGapNote({ heldOut: estimate, capture: figures(0.7, 0.96), captureName: 'capture #2', trainedOnCapture: false })!;
    expect(macro.headline).toBe('On capture #2 the model scores macro F1 0.700, 0.100 below its held-out estimate of 0.800 (weighted F1 0.960 against 0.970).');
    const weighted = heldOutGapNote({ heldOut: estimate, capture: figures(0.78, 0.9), captureName: 'capture #2', trainedOnCapture: false })!;
    expect(weighted.headline).toBe('On capture #2 the model scores weighted F1 0.900, 0.070 below its held-out estimate of 0.970 (macro F1 0.780 against 0.800).');
  });
});

describe('heldOutGapNote: the words', () => {
  it('explains the real case: the training capture, the classes that lost most, the flood rows, what to do', () => {
    const note = heldOutGapNote({ heldOut, capture: onSampleA, captureName: 'capture #1', trainedOnCapture: true })!;
    expect(note).toEqual({
      headline: 'On capture #1 the model scores macro F1 0.593, 0.229 below its held-out estimate of 0.822 (weighted F1 0.929 against 0.975).',
      data: 'This model was trained on the flows of capture #1.',
      classes: 'The loss is mostly in Benign (F1 0.102 against 0.709; 14,517 Reconnaissance flows read as Benign) and Reconnaissance (F1 0.524 against 0.828; the same 14,517 misread flows).',
      why: "The held-out split keeps a flood's repeated rows in training, so the estimate never tested them; the figures here count every flow, so one misread flood row weighs as much as all the flows that share it.",
      advice: 'For this traffic trust the figures here, not the estimate; to close the gap, train longer (the built-in recipe: 55 epochs of 512 at learning rate 0.006) and evaluate again.',
    });
    expect(heldOutGapText(note)).toBe([note.headline, note.data, note.classes, note.why, note.advice].join(' '));
  });

  it('names balanced class weighting when the model was trained with it: it weighs a flood\'s flows least', () => {
    const note = heldOutGapNote({ heldOut, capture: onSampleA, captureName: 'capture #1', trainedOnCapture: true, classWeighting: 'balanced' })!;
    expect(note.advice).toBe(
      "For this traffic trust the figures here, not the estimate; to close the gap, train with sqrt class weighting instead of balanced, which gives a big class's flows (and so its floods) the least weight, and train longer (the built-in recipe: 55 epochs of 512 at learning rate 0.006), then evaluate again.",
    );
    for (const classWeighting of ['sqrt', 'none', null, undefined]) {
      expect(heldOutGapNote({ heldOut, capture: onSampleA, captureName: 'capture #1', trainedOnCapture: true, classWeighting })!.advice).not.toContain('balanced');
    }
  });

  it('says so when the capture is not the training capture, and does not blame the flood rows', () => {
    const note = heldOutGapNote({ heldOut, capture: onSampleA, captureName: 'other.csv', trainedOnCapture: false })!;
    expect(note.data).toBe('This model was not trained on other.csv.');
    expect(note.why).not.toContain('flood');
    expect(note.why).toContain('this traffic differs');
    expect(note.advice).toContain('train on a labelled capture of it');
    expect(note.advice).not.toContain('built-in recipe');
  });

  it('names a class by its own flows read as another, and only classes that fell by more than the class margin', () => {
    // DoS loses recall to DDoS; Benign and Theft keep their held-out figures; Reconnaissance falls by less than the margin
    const before = metrics([
      [100, 0, 0, 0, 0],
      [0, 1000, 0, 0, 0],
      [0, 0, 1000, 0, 0],
      [0, 0, 0, 100, 0],
      [0, 0, 0, 0, 10],
    ]);
    const after = metrics([
      [100, 0, 0, 0, 0],
      [0, 1000, 0, 0, 0],
      [0, 600, 400, 0, 0],
      [0, 0, 2, 98, 0],
      [0, 0, 0, 0, 10],
    ]);
    const drop = before.perClass[3]!.f1 - after.perClass[3]!.f1;
    expect(drop).toBeGreaterThan(0);
    expect(drop).toBeLessThan(CLASS_F1_GAP);
    const note = heldOutGapNote({ heldOut: before, capture: after, captureName: 'capture #3', trainedOnCapture: true })!;
    expect(note.classes).toBe('The loss is mostly in DoS (F1 0.571 against 1.000; 600 of its 1,000 flows read as DDoS) and DDoS (F1 0.769 against 1.000; the same 600 misread flows).');
  });

  it('names the most misread flows when the capture weighs a badly read class more than the hold-out did, though no class fell', () => {
    // a 5-epoch model with balanced class weights on a 3,000-flow synthetic sample: Reconnaissance is
    // as badly read held out as on the capture, which holds 2,303 of its flows against 224
    const before = metrics([
      [14, 2, 2, 0, 0],
      [0, 57, 0, 0, 0],
      [1, 1, 57, 0, 0],
      [166, 0, 52, 5, 1],
      [1, 0, 0, 0, 0],
    ]);
    const after = metrics([
      [114, 11, 4, 0, 0],
      [0, 270, 3, 0, 0],
      [25, 4, 261, 0, 0],
      [2052, 0, 238, 11, 2],
      [1, 0, 0, 0, 4],
    ]);
    const note = heldOutGapNote({ heldOut: before, capture: after, captureName: 'sample.csv', trainedOnCapture: true, classWeighting: 'balanced' })!;
    expect(note.headline).toBe('On sample.csv the model scores weighted F1 0.164, 0.135 below its held-out estimate of 0.299 (macro F1 0.492 against 0.366).');
    expect(note.classes).toBe('The most misread flows here are 2,052 of the 2,303 Reconnaissance flows, read as Benign.');
  });

  it('leaves out classes the capture has no flows of', () => {
    const before = metrics([
      [100, 0, 0, 0, 0],
      [0, 1000, 0, 0, 0],
      [0, 0, 1000, 0, 0],
      [0, 0, 0, 100, 0],
      [0, 0, 0, 0, 10],
    ]);
    // no Theft here (its F1 reads 0), and Benign flows read as Reconnaissance
    const after = metrics([
      [40, 0, 0, 60, 0],
      [0, 1000, 0, 0, 0],
      [0, 0, 1000, 0, 0],
      [0, 0, 0, 100, 0],
      [0, 0, 0, 0, 0],
    ]);
    const note = heldOutGapNote({ heldOut: before, capture: after, captureName: 'capture #3', trainedOnCapture: true })!;
    expect(note.classes).toBe('The loss is mostly in Benign (F1 0.571 against 1.000; 60 of its 100 flows read as Reconnaissance) and Reconnaissance (F1 0.769 against 1.000; the same 60 misread flows).');
  });
});
