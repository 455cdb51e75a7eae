import { describe, expect, it } from 'vitest';
import { lackText, missingColumns, scanChoice } from '../../../renderer/src/lib/modelFit.ts';

const v1Columns = ['IPV4_SRC_ADDR', 'L4_SRC_PORT', 'IPV4_DST_ADDR', 'L4_DST_PORT', 'PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS'];
const v2Columns = [...v1Columns, 'CLIENT_TCP_FLAGS', 'SERVER_TCP_FLAGS', 'DURATION_IN', 'DURATION_OUT', 'MIN_TTL'];
const model = (id: string, builtin: boolean, featureSet: string, featureColumns: string[]) => ({ id, name: id, builtin, featureSet, featureColumns });
const defaultV2 = model('default', true, 'v2', v2Columns.slice(4));
const defaultV1 = model('default-v1', true, 'v1', v1Columns.slice(4));
const trainedV2 = model('my-v2-model', false, 'v2', v2Columns.slice(4));
const models = [trainedV2, defaultV2, defaultV1];

describe('which model scans a capture', () => {
  it('names the columns a model needs and a capture lacks', () => {
    expect(missingColumns(trainedV2, { columns: v1Columns })).toEqual(['CLIENT_TCP_FLAGS', 'SERVER_TCP_FLAGS', 'DURATION_IN', 'DURATION_OUT', 'MIN_TTL']);
    expect(lackText(trainedV2, { columns: v1Columns })).toBe('my-v2-model needs v2 columns this capture lacks');
    expect(lackText(trainedV2, { columns: v2Columns })).toBeNull();
  });

  it('keeps the selected model on a capture it can read', () => {
    expect(scanChoice(trainedV2, models, { columns: v2Columns })).toEqual({ model: trainedV2, note: null, blocked: false, missing: [] });
  });

  it('never offers a selected (trained) v2 model for a v1 capture: the built-in that fits, and why', () => {
    const choice = scanChoice(trainedV2, models, { columns: v1Columns });
    expect(choice.model).toBe(defaultV1);
    expect(choice.note).toBe('my-v2-model needs v2 columns this capture lacks; scanning with default-v1');
    expect(choice.missing).toEqual(['CLIENT_TCP_FLAGS', 'SERVER_TCP_FLAGS', 'DURATION_IN', 'DURATION_OUT', 'MIN_TTL']);
    expect(choice.blocked).toBe(false);
  });

  it('offers no scan when no model of the project can read the capture', () => {
    const choice = scanChoice(trainedV2, [trainedV2, defaultV2], { columns: v1Columns });
    expect(choice).toMatchObject({ model: null, blocked: true });
    expect(choice.note).toMatch(/no model of this project can read it$/);
  });

  it('swaps one built-in for the other that fits without a word (one detector per schema)', () => {
    expect(scanChoice(defaultV2, models, { columns: v1Columns })).toMatchObject({ model: defaultV1, note: null, blocked: false });
  });
});
