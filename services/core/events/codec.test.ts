import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { wireBody } from './bodies.js';
import { EventCodec } from './codec.js';
import { readSchemaId } from './framing.js';
import { LocalSchemaRegistry } from './registry/local.js';
import { frameWith, fullAlert, fullFrames } from './test-support/fixtures.js';
import type { Frame } from './types.js';

let codec: EventCodec;
beforeAll(async () => {
  codec = await EventCodec.create(LocalSchemaRegistry.memory());
});

function errorCodeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    if (!isTollgateError(err)) throw err;
    return err.code;
  }
}

describe('EventCodec round trip', () => {
  it('decodes every fully populated body kind to what was encoded (the TS types match the .avsc)', () => {
    for (const frame of fullFrames()) {
      expect(codec.decodeFrame(codec.encodeFrame(frame))).toEqual(frame);
    }
    expect(codec.decodeAlert(codec.encodeAlert(fullAlert()))).toEqual(fullAlert());
  });

  it('writes the Confluent header: magic 0 and the registered schema id', () => {
    const value = codec.encodeFrame(fullFrames()[0]!);
    expect(value[0]).toBe(0);
    expect(value.readInt32BE(1)).toBe(codec.frameSchemaId);
    expect(readSchemaId(codec.encodeAlert(fullAlert()))).toBe(codec.alertSchemaId);
  });

  it('yields Buffers for bytes, independent of the input buffer', () => {
    const value = codec.encodeFrame(frameWith(wireBody(Buffer.from('hello'))));
    const frame = codec.decodeFrame(value);
    if (frame.body.kind !== 'Wire') throw new Error('expected a Wire body');
    expect(Buffer.isBuffer(frame.body.payload)).toBe(true);
    value.fill(0xff);
    expect(frame.body.payload.toString()).toBe('hello');
  });

  it('keeps µs timestamps and large longs exact', () => {
    const frame = frameWith(wireBody(Buffer.alloc(0)));
    // avsc's limit is 2^53 - 2; µs since the epoch reach it in the year 2255.
    frame.tsMicros = 9007199254740990;
    expect(codec.decodeFrame(codec.encodeFrame(frame)).tsMicros).toBe(9007199254740990);
    frame.tsMicros = Number.MAX_SAFE_INTEGER;
    expect(errorCodeOf(() => codec.encodeFrame(frame))).toBe('TG_ERR_SCHEMA');
  });

  it('encodes payloads larger than its size guess, and many frames of growing size', () => {
    for (const size of [0, 1, 200, 5000, 70_000, 1 << 20]) {
      const payload = Buffer.alloc(size, 7);
      const frame = codec.decodeFrame(codec.encodeFrame(frameWith(wireBody(payload))));
      expect(frame.body.kind === 'Wire' && frame.body.payload.equals(payload)).toBe(true);
    }
    const big = fullFrames()[1]!;
    if (big.body.kind === 'SessionStart') big.body.identity.claimsJson = JSON.stringify({ x: 'y'.repeat(100_000) });
    expect(codec.decodeFrame(codec.encodeFrame(big))).toEqual(big);
    // After a large frame, small frames still get small backing stores.
    const small = codec.encodeFrame(frameWith(wireBody(Buffer.alloc(10))));
    expect(small.buffer.byteLength).toBeLessThan(16 * 1024);
  });

  it('round-trips arbitrary wire frames', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.string(), fc.nat(), fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), (bytes, sessionId, seq, channel) => {
        const frame: Frame = { ...frameWith(wireBody(Buffer.from(bytes))), sessionId, seq, channel };
        expect(codec.decodeFrame(codec.encodeFrame(frame))).toEqual(frame);
      }),
      { numRuns: 200 },
    );
  });
});

describe('EventCodec on bad input', () => {
  const good = (): Buffer => codec.encodeFrame(fullFrames()[1]!);

  it('refuses a value without the magic byte', () => {
    const value = good();
    value[0] = 1;
    expect(errorCodeOf(() => codec.decodeFrame(value))).toBe('TG_ERR_DECODE');
    expect(() => codec.decodeFrame(value)).toThrow(/magic byte/);
  });

  it('refuses a value shorter than the header', () => {
    for (const len of [0, 1, 4]) expect(errorCodeOf(() => codec.decodeFrame(good().subarray(0, len)))).toBe('TG_ERR_DECODE');
  });

  it('refuses an unknown schema id with TG_ERR_SCHEMA', () => {
    const value = good();
    value.writeInt32BE(codec.frameSchemaId === 5 ? 6 : 5, 1);
    expect(errorCodeOf(() => codec.decodeFrame(value))).toBe('TG_ERR_SCHEMA');
    expect(() => codec.decodeFrame(value)).toThrow(/schema id \d+ is not loaded/);
  });

  it('refuses an alert read as a frame', async () => {
    const alert = codec.encodeAlert(fullAlert());
    await codec.loadWriterSchemas([alert]);
    expect(errorCodeOf(() => codec.decodeFrame(alert))).toBe('TG_ERR_SCHEMA');
    expect(() => codec.decodeFrame(alert)).toThrow(/cannot be read as tollgate.Frame/);
  });

  it('refuses every truncation of a valid value', () => {
    const value = good();
    for (let len = 5; len < value.length; len++) {
      expect(errorCodeOf(() => codec.decodeFrame(value.subarray(0, len))), `length ${len}`).toBe('TG_ERR_DECODE');
    }
  });

  it('refuses trailing bytes', () => {
    expect(errorCodeOf(() => codec.decodeFrame(Buffer.concat([good(), Buffer.from([0])])))).toBe('TG_ERR_DECODE');
  });

  it('refuses a collection count larger than the bytes left, without looping on it', () => {
    // A Decision whose details map announces 2^30 entries.
    const head = codec.encodeFrame({ ...fullFrames()[3]!, body: { kind: 'Decision', action: 'ALLOW', rule: '', reason: '', subject: '', refSeq: null, details: {} } });
    const value = Buffer.concat([head.subarray(0, head.length - 1), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x02, 0x61])]);
    expect(errorCodeOf(() => codec.decodeFrame(value))).toBe('TG_ERR_DECODE');
    expect(() => codec.decodeFrame(value)).toThrow(/announces 1073741824 items/);
  });

  it('answers garbage with TG_ERR_DECODE or TG_ERR_SCHEMA, never another error', () => {
    const id = Buffer.alloc(4);
    id.writeInt32BE(codec.frameSchemaId);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, framed) => {
        const value = framed ? Buffer.concat([Buffer.from([0]), id, bytes]) : Buffer.from(bytes);
        try {
          codec.decodeFrame(value);
        } catch (err) {
          expect(isTollgateError(err, 'TG_ERR_DECODE') || isTollgateError(err, 'TG_ERR_SCHEMA')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('flips every byte of a valid value without crashing', () => {
    const value = good();
    for (let i = 5; i < value.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const copy = Buffer.from(value);
        copy[i] = copy[i]! ^ flip;
        try {
          codec.decodeFrame(copy);
        } catch (err) {
          expect(isTollgateError(err, 'TG_ERR_DECODE') || isTollgateError(err, 'TG_ERR_SCHEMA')).toBe(true);
        }
      }
    }
  });

  it('names the broken field when a frame does not match the schema', () => {
    const frame = frameWith(wireBody(Buffer.from('x')));
    (frame as { seq: unknown }).seq = 1.5;
    expect(errorCodeOf(() => codec.encodeFrame(frame))).toBe('TG_ERR_SCHEMA');
    expect(() => codec.encodeFrame(frame)).toThrow(/seq = 1\.5/);
    const alert = { ...fullAlert(), severity: 'SEVERE' } as unknown as ReturnType<typeof fullAlert>;
    expect(() => codec.encodeAlert(alert)).toThrow(/severity/);
  });

  it('refuses to encode an event above the size limit', () => {
    expect(errorCodeOf(() => codec.encodeFrame(frameWith(wireBody(Buffer.alloc(65 * 1024 * 1024)))))).toBe('TG_ERR_MESSAGE_TOO_LARGE');
  });

  it('refuses a body kind it does not know', () => {
    const frame = { ...frameWith(wireBody(Buffer.from('x'))), body: { kind: 'Nope' } } as unknown as Frame;
    expect(errorCodeOf(() => codec.encodeFrame(frame))).toBe('TG_ERR_SCHEMA');
  });
});
