import { describe, expect, it } from 'vitest';
import { encodeBackendMessage } from '../gateway/postgres/protocol/backend-encoder.js';
import { buildPreviews, decodeResultFrame, PREVIEW_ROWS } from './query-preview.js';

const rd = (...names: string[]) => encodeBackendMessage({ kind: 'RowDescription', fields: names.map((name) => ({ name, tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 })) });
const row = (...values: (string | null)[]) => encodeBackendMessage({ kind: 'DataRow', values: values.map((v) => (v === null ? null : Buffer.from(v))) });

describe('query result previews', () => {
  it('decodes descriptions and rows, and ignores garbage, truncated and other messages', () => {
    expect(decodeResultFrame(rd('a', 'b'))).toEqual({ columns: ['a', 'b'] });
    expect(decodeResultFrame(row('x', null))).toEqual({ values: ['x', null] });
    for (const bad of [Buffer.alloc(0), Buffer.from('garbage'), row('x').subarray(0, 6), encodeBackendMessage({ kind: 'ReadyForQuery', status: 'I' })]) {
      expect(decodeResultFrame(bad)).toBeUndefined();
    }
    expect((decodeResultFrame(row('y'.repeat(1000))) as { values: string[] }).values[0]?.length).toBe(201);
  });

  it('assigns rows to the statement before them, caps them, and prefers the client copy per statement', () => {
    const frames = [
      { seq: 2, payload: rd('n'), toClient: false },
      ...Array.from({ length: 8 }, (_, i) => ({ seq: 3 + i, payload: row(`u${i}`), toClient: false })),
      { seq: 21, payload: rd('email'), toClient: false },
      { seq: 22, payload: row('raw@x'), toClient: false },
      { seq: 23, payload: row('****'), toClient: true },
    ];
    const p = buildPreviews([1, 20], frames);
    expect(p.get(1)?.rows).toHaveLength(PREVIEW_ROWS);
    expect(p.get(1)?.rows[0]).toEqual(['u0']);
    expect(p.get(20)).toEqual({ columns: ['email'], rows: [['****']] });
    expect(buildPreviews([50], frames).size).toBe(0);
  });
});
