import { describe, expect, it } from 'vitest';
import { BackendDecoder } from './backend-decoder.js';
import { encodeBackendMessage } from './backend-encoder.js';
import { DataRowView, encodeDataRow } from './backend-results.js';
import { ForwardRun } from './forward-run.js';

const rows = Array.from({ length: 20 }, (_, i) => encodeDataRow([Buffer.from(`row-${i}`), i % 3 === 0 ? null : Buffer.from('ü')]));
const stream = Buffer.concat([...rows, encodeBackendMessage({ kind: 'CommandComplete', tag: 'SELECT 20' })]);

/** Decodes the chunks and forwards every message through a ForwardRun; returns the writes it produced. */
function forward(chunks: readonly Buffer[], replace?: (m: DataRowView) => Buffer | undefined): Buffer[] {
  const d = new BackendDecoder();
  const run = new ForwardRun();
  const writes: Buffer[] = [];
  for (const c of chunks) {
    d.push(c);
    for (let m = d.next(); m !== undefined; m = d.next()) {
      const replacement = m instanceof DataRowView ? replace?.(m) : undefined;
      const out = replacement === undefined ? run.addMessage(m) : run.flush();
      if (out !== undefined) writes.push(out);
      if (replacement !== undefined) writes.push(replacement);
    }
    const rest = run.flush();
    if (rest !== undefined) writes.push(rest);
  }
  return writes;
}

describe('ForwardRun', () => {
  it('forwards a chunk of untouched messages as one write of the same bytes', () => {
    const writes = forward([stream]);
    expect(writes.length).toBe(1);
    expect(writes[0]?.equals(stream)).toBe(true);
  });

  it('reproduces the stream exactly however it is chunked', () => {
    for (let at = 0; at <= stream.length; at += 7) {
      const writes = forward([stream.subarray(0, at), stream.subarray(at)]);
      expect(Buffer.concat(writes).equals(stream)).toBe(true);
      expect(writes.length).toBeLessThanOrEqual(3);
    }
  });

  it('breaks the run around a replaced message and keeps the order', () => {
    const masked = encodeDataRow([Buffer.from('****'), null]);
    const writes = forward([stream], (m) => (m.text(0) === 'row-5' ? masked : undefined));
    expect(writes.length).toBe(3);
    const expected = Buffer.concat([...rows.slice(0, 5), masked, ...rows.slice(6), stream.subarray(stream.length - 15)]);
    expect(Buffer.concat(writes).equals(expected)).toBe(true);
  });
});

describe('DataRowView', () => {
  it('reads columns as text and as views without materialising the frame', () => {
    const d = new BackendDecoder();
    d.push(stream);
    const first = d.next();
    if (!(first instanceof DataRowView)) throw new Error('expected a DataRow');
    expect(first.columnCount).toBe(2);
    expect(first.text(0)).toBe('row-0');
    expect(first.text(1)).toBeNull();
    expect(first.texts()).toEqual(['row-0', null]);
    expect(first.values.map((v) => v?.toString())).toEqual(['row-0', undefined]);
    expect(first.raw.equals(rows[0] ?? Buffer.alloc(0))).toBe(true);
    expect(() => first.text(2)).toThrow(RangeError);
  });
});
