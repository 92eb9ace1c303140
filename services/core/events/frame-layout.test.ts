import { describe, expect, it } from 'vitest';
import { FrameLayout } from './frame-layout.js';
import { loadEventSchemas } from './schemas.js';
import { fullFrames } from './test-support/fixtures.js';

describe('FrameLayout', () => {
  const { type, json } = loadEventSchemas().frame;
  const layout = new FrameLayout(type, json);

  it('writes the same bytes as avsc does for the wrapped union form', () => {
    for (const frame of fullFrames()) {
      const buf = Buffer.alloc(4096);
      const end = layout.write(frame, buf, 0);
      expect(buf.subarray(0, end).equals(type.toBuffer(layout.wrap(frame))), frame.body.kind).toBe(true);
    }
  });

  it('reports a buffer too small instead of writing past it, at every size', () => {
    const frame = fullFrames()[1]!;
    const needed = layout.write(frame, Buffer.alloc(4096), 0);
    for (let size = 0; size < needed; size++) expect(layout.write(frame, Buffer.alloc(size), 0), `size ${size}`).toBe(-1);
    expect(layout.write(frame, Buffer.alloc(needed), 0)).toBe(needed);
  });

  it('writes field defaults for missing values as avsc does', () => {
    const frame = fullFrames()[0]!;
    const partial = { ...frame } as Partial<typeof frame>;
    delete partial.messageType;
    delete partial.channel;
    const buf = Buffer.alloc(4096);
    const end = layout.write(partial as typeof frame, buf, 0);
    expect(type.fromBuffer(buf.subarray(0, end))).toMatchObject({ messageType: '', channel: null });
  });

  it('unwraps what avsc decodes into the tagged form', () => {
    for (const frame of fullFrames()) {
      expect(layout.unwrap(type.fromBuffer(type.toBuffer(layout.wrap(frame))) as { body: unknown })).toEqual(frame);
    }
  });
});
