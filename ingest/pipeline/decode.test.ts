import { beforeAll, describe, expect, it } from 'vitest';
import { EventCodec } from '../../services/core/events/codec.js';
import { sessionEndBody, wireBody } from '../../services/core/events/bodies.js';
import type { Frame } from '../../services/core/events/types.js';
import { MemoryRegistry } from '../testing/memory-registry.js';
import { decodeFrames } from './decode.js';

let codec: EventCodec;
beforeAll(async () => {
  codec = await EventCodec.create(new MemoryRegistry());
});

const frame = (o: Partial<Frame> = {}): Frame => ({
  sessionId: 's', seq: 1, tsMicros: Date.now() * 1000, protocol: 'SSH', direction: 'CLIENT_TO_GATEWAY', eventType: 'ssh.exec', eventCode: 3002,
  messageType: 'exec', channel: 0, body: wireBody(Buffer.from('uptime')), ...o,
});
const rec = (value: Buffer, offset = 0) => ({ topic: 'tollgate.frames.v1', partition: 1, offset, key: 's', value, timestampMs: 0 });

describe('decode stage', () => {
  it('turns a record into the stored frame shape with its log coordinates', () => {
    const { frames, dead } = decodeFrames(codec, [rec(codec.encodeFrame(frame()), 42)], 0);
    expect(dead).toEqual([]);
    expect(frames[0]).toMatchObject({ sessionId: 's', seq: 1, eventType: 'ssh.exec', payload: Buffer.from('uptime'), logPartition: 1, logOffset: 42 });
  });

  it('keeps non-Wire bodies as JSON payloads', () => {
    const { frames } = decodeFrames(codec, [rec(codec.encodeFrame(frame({ eventType: 'session.end', body: sessionEndBody('bye', { error: 'x' }) })))], 0);
    expect(JSON.parse(frames[0]!.payload.toString())).toMatchObject({ reason: 'bye', error: 'x' });
  });

  it('dead-letters garbage, truncated and negative-timestamp records with a reason, and keeps the rest', () => {
    const good = codec.encodeFrame(frame());
    const values = [Buffer.alloc(0), Buffer.from('x'), good.subarray(0, good.length - 2), Buffer.concat([good, Buffer.from([1])]), codec.encodeFrame(frame({ tsMicros: -5 })), codec.encodeFrame(frame({ sessionId: '' })), good];
    const { frames, dead } = decodeFrames(codec, values.map((v, i) => rec(v, i)), 7);
    expect(frames.map((f) => f.logOffset)).toEqual([6]);
    expect(dead.map((d) => d.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const d of dead) expect(d.reason.length).toBeGreaterThan(5);
    expect(dead[4]!.reason).toMatch(/timestamp/);
    expect(dead[5]!.reason).toMatch(/empty session id/);
    expect(dead[0]).toMatchObject({ topic: 'tollgate.frames.v1', partition: 1, tsMicros: 7 });
  });
});
