import avro from 'avsc';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventCodec } from './codec.js';
import { EventTypes, type EventType } from './codes.js';
import { LocalSchemaRegistry } from './registry/local.js';
import type { Direction, Frame, Protocol } from './types.js';
import { varintSize, writeVarint, type WireFrames } from './wire-frames.js';

let codec: EventCodec;
beforeAll(async () => {
  codec = await EventCodec.create(LocalSchemaRegistry.memory());
});

const avroLong = avro.Type.forSchema('long');
const directions: Direction[] = ['UNKNOWN', 'CLIENT_TO_GATEWAY', 'GATEWAY_TO_UPSTREAM', 'UPSTREAM_TO_GATEWAY', 'GATEWAY_TO_CLIENT', 'GATEWAY'];
const protocols: Protocol[] = ['UNKNOWN', 'GATEWAY', 'POSTGRES', 'SSH', 'KUBERNETES', 'MYSQL'];
const eventTypes = Object.keys(EventTypes) as EventType[];
// Values around every varint length boundary, up to the largest long a JS number holds exactly.
const long = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.constantFrom(63, 64, 127, 128, 8191, 8192, 2 ** 30 - 1, 2 ** 30, 2 ** 31, 2 ** 35, 2 ** 42 - 1, 2 ** 49, 2 ** 52 - 1, 2 ** 52, Number.MAX_SAFE_INTEGER - 1),
  fc.integer({ min: 1_700_000_000_000_000, max: 1_900_000_000_000_000 }),
);

describe('WireFrames (the Wire frame fast path)', () => {
  it('exists for the current Frame schema', () => {
    expect(codec.wireFrames).toBeDefined();
  });

  it('writes exactly the bytes the general encoder writes, for any Wire frame', () => {
    const wf = codec.wireFrames as WireFrames;
    fc.assert(fc.property(
      fc.string({ unit: 'binary', maxLength: 60 }), long, long, fc.constantFrom(...protocols), fc.constantFrom(...directions),
      fc.constantFrom(...eventTypes), fc.string({ unit: 'binary', maxLength: 30 }), fc.uint8Array({ maxLength: 300 }),
      fc.boolean(), fc.boolean(), long, fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
      (sessionId, seq, tsMicros, protocol, direction, eventType, messageType, bytes, maskedInline, truncated, originalLength, channel) => {
        const payload = Buffer.from(bytes);
        const fields = { protocol, direction, eventType, eventCode: EventTypes[eventType], messageType, channel };
        const hop = wf.hop(fields);
        const fast = wf.session(sessionId).encode(seq, tsMicros, hop.bytes as Buffer, payload, maskedInline, truncated, originalLength);
        const frame: Frame = { sessionId, seq, tsMicros, ...fields, body: { kind: 'Wire', payload, maskedInline, truncated, originalLength } };
        expect(fast.equals(codec.encodeFrame(frame))).toBe(true);
        expect(codec.decodeFrame(fast)).toEqual(frame);
      },
    ), { numRuns: 500 });
  });

  it('keys hops by every constant field: two kinds never share bytes', () => {
    const wf = codec.wireFrames as WireFrames;
    const base = { protocol: 'POSTGRES' as const, direction: 'CLIENT_TO_GATEWAY' as const, eventType: 'db.query' as const, eventCode: EventTypes['db.query'], messageType: 'Query', channel: null };
    const variants = [base, { ...base, protocol: 'SSH' as const }, { ...base, direction: 'GATEWAY_TO_CLIENT' as const }, { ...base, messageType: 'Parse' },
      { ...base, eventType: 'db.parse' as const, eventCode: EventTypes['db.parse'] }, { ...base, channel: 3 }];
    const hops = variants.map((v) => (wf.hop(v).bytes as Buffer).toString('hex'));
    expect(new Set(hops).size).toBe(variants.length);
    expect(wf.hop(base)).toBe(wf.hop({ ...base }));
  });

  it('sizes and writes zigzag varints like avsc, negative numbers included', () => {
    fc.assert(fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER + 2, max: Number.MAX_SAFE_INTEGER - 1 }), (n) => {
      const buf = Buffer.alloc(12);
      const end = writeVarint(buf, 0, n);
      expect(end).toBe(varintSize(n));
      expect(buf.subarray(0, end).equals(avroLong.toBuffer(n))).toBe(true);
    }));
  });
});
