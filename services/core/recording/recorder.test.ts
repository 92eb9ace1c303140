import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { sessionEndBody, wireBody } from '../events/bodies.js';
import { EventCodec } from '../events/codec.js';
import { EventTypes } from '../events/codes.js';
import { LocalSchemaRegistry } from '../events/registry/local.js';
import { SessionRecorder } from './recorder.js';
import type { RecordingSink } from './sink.js';

let codec: EventCodec;
beforeAll(async () => {
  codec = await EventCodec.create(LocalSchemaRegistry.memory());
});

function capture(): { sink: RecordingSink; values: Buffer[] } {
  const values: Buffer[] = [];
  return { sink: { write: (_key: string, value: Buffer) => values.push(value) } as unknown as RecordingSink, values };
}

describe('SessionRecorder.recordWire', () => {
  it('writes the same frame as record() with a Wire body, in the same sequence', () => {
    for (const withFastPath of [true, false]) {
      const { sink, values } = capture();
      // Without wireFrames the recorder falls back to the general encoder (a codec of another layout).
      const c = withFastPath ? codec : Object.assign(Object.create(codec) as EventCodec, { wireFrames: undefined });
      const rec = new SessionRecorder('session-1', 'POSTGRES', c, sink, new ManualClock());
      const payload = Buffer.from('Q\u0000\u0000\u0000\u000dSELECT 1\u0000');
      const a = rec.record({ direction: 'CLIENT_TO_GATEWAY', eventType: 'db.query', messageType: 'Query', body: wireBody(payload, { originalLength: 14 }) });
      const hop = rec.wireHop('CLIENT_TO_GATEWAY', 'db.query', 'Query');
      expect(hop.bytes === undefined).toBe(!withFastPath);
      const b = rec.recordWire(hop, payload, false, false, 14);
      expect([a, b]).toEqual([0, 1]);
      const [first, second] = values.map((v) => codec.decodeFrame(v));
      expect(second).toEqual({ ...first, seq: 1 });
      expect(second).toMatchObject({ sessionId: 'session-1', protocol: 'POSTGRES', eventCode: EventTypes['db.query'], channel: null });
    }
  });

  it('refuses a Wire frame after session.end', () => {
    const rec = new SessionRecorder('s', 'SSH', codec, capture().sink, new ManualClock());
    rec.record({ direction: 'GATEWAY', eventType: 'session.end', body: sessionEndBody('bye') });
    expect(() => rec.recordWire(rec.wireHop('GATEWAY_TO_CLIENT', 'db.frame', 'x'), Buffer.alloc(1), false, false, 1)).toThrow(/after session.end/);
  });
});
