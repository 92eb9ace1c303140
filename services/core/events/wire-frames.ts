import type { Type, types } from 'avsc';
import { HEADER_LENGTH, writeHeader } from './framing.js';
import type { EventType } from './codes.js';
import type { Direction, Frame } from './types.js';

/*
 * A Wire frame in Avro binary, the field order of tollgate.Frame (checked in WireFrames.forSchema):
 *
 *   sessionId  string   zigzag varint length, UTF-8        constant per session  -> SessionWireEncoder
 *   seq        long     zigzag varint                      per frame
 *   tsMicros   long     zigzag varint                      per frame
 *   protocol .. channel (every field between tsMicros and body), then the body's union index:
 *                                                          constant per hop      -> WireHop
 *   body       Wire: payload bytes (varint length, bytes), maskedInline boolean, truncated boolean,
 *                    originalLength long                   per frame
 *
 * So a gateway writes the constant parts once per session or per (direction, message type) and
 * each frame costs two varints, one copy of the payload and four small fields. The bytes equal
 * avsc's encoding of the same Frame (wire-frames.test.ts).
 */

/** The constant fields of one kind of Wire frame (protocol through channel, and the body's union index). */
export interface WireHop {
  readonly direction: Direction;
  readonly eventType: EventType;
  readonly messageType: string;
  /** Their encoded bytes; undefined when the codec has no fast path (the caller then encodes the whole Frame). */
  readonly bytes: Buffer | undefined;
}

/** What a hop fixes: every Frame field but session id, seq, time and body. */
export type WireHopFields = Omit<Frame, 'sessionId' | 'seq' | 'tsMicros' | 'body' | 'eventType'> & { eventType: EventType };

const EMPTY = Buffer.alloc(0);
const MAX_CACHED_HOPS = 4096;

const expect = (t: Type | undefined, name: string): boolean => t !== undefined && t.typeName === name;

/** Bytes of a zigzag varint (Avro int/long) for n, which must be an integer within ±2^53. */
export function varintSize(n: number): number {
  // Zigzag doubles a non-negative n: one byte holds n < 64, two n < 8192, and so on.
  if (n >= 0) {
    if (n < 64) return 1;
    if (n < 8192) return 2;
    if (n < 1048576) return 3;
    if (n < 134217728) return 4;
    if (n < 17179869184) return 5;
    if (n < 2199023255552) return 6;
    if (n < 281474976710656) return 7;
    // µs timestamps (about 2^50.6 today) take eight bytes until 2^55.
    if (n < 36028797018963968) return 8;
  }
  let f = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (f >= 128) {
    f = Math.floor(f / 128);
    size++;
  }
  return size;
}

const TWO_28 = 268435456;

/** Writes n as a zigzag varint at pos (the bytes avsc's Tap.writeLong writes); returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
  if (n >= -1073741824 && n < 1073741824) {
    let m = n >= 0 ? n << 1 : (~n << 1) | 1;
    while (m > 0x7f) {
      buf[pos++] = (m & 0x7f) | 0x80;
      m >>>= 7;
    }
    buf[pos++] = m;
    return pos;
  }
  // Beyond 31 bits (µs timestamps): the low 28 bits as four groups, then the rest as an int.
  const f = n >= 0 ? n * 2 : -n * 2 - 1;
  let hi = Math.floor(f / TWO_28);
  const lo = f - hi * TWO_28;
  buf[pos++] = (lo & 0x7f) | 0x80;
  buf[pos++] = ((lo >>> 7) & 0x7f) | 0x80;
  buf[pos++] = ((lo >>> 14) & 0x7f) | 0x80;
  buf[pos++] = ((lo >>> 21) & 0x7f) | 0x80;
  while (hi > 0x7f) {
    buf[pos++] = (hi & 0x7f) | 0x80;
    hi >>>= 7;
  }
  buf[pos++] = hi;
  return pos;
}

/**
 * The fast path for Wire frames of one schema: builds hops and per-session encoders. Exists only
 * when the Frame schema has the layout above; otherwise `forSchema` returns undefined and callers
 * use the general encoder.
 */
export class WireFrames {
  private readonly hops = new Map<string, WireHop>();

  private constructor(
    private readonly schemaId: number,
    /** The general encoder: hops are cut out of a frame it wrote, so they hold exactly its bytes. */
    private readonly encodeFrame: (frame: Frame) => Buffer,
  ) {}

  static forSchema(frameType: Type, schemaId: number, encodeFrame: (frame: Frame) => Buffer): WireFrames | undefined {
    const fields = (frameType as types.RecordType).fields;
    const body = fields[fields.length - 1];
    if (!expect(fields[0]?.type, 'string') || fields[0]?.name !== 'sessionId') return undefined;
    if (!expect(fields[1]?.type, 'long') || fields[1]?.name !== 'seq') return undefined;
    if (!expect(fields[2]?.type, 'long') || fields[2]?.name !== 'tsMicros') return undefined;
    if (body?.name !== 'body' || fields.length < 4) return undefined;
    const branches = (body.type as Type & { types?: Type[] }).types ?? [];
    const wire = branches.find((t) => t.name === 'tollgate.Wire') as types.RecordType | undefined;
    const wf = wire?.fields ?? [];
    const shape = [['payload', 'bytes'], ['maskedInline', 'boolean'], ['truncated', 'boolean'], ['originalLength', 'long']];
    if (wf.length !== shape.length) return undefined;
    if (!shape.every(([name, type], i) => wf[i]?.name === name && expect(wf[i]?.type, type as string))) return undefined;
    return new WireFrames(schemaId, encodeFrame);
  }

  /** The constant fields of one kind of Wire frame (the fields between tsMicros and body, and the union index), cached. */
  hop(fields: WireHopFields): WireHop {
    const key = `${fields.protocol}\u0000${fields.direction}\u0000${fields.eventType}\u0000${fields.eventCode}\u0000${fields.messageType}\u0000${fields.channel ?? ''}`;
    let hop = this.hops.get(key);
    if (hop === undefined) {
      hop = this.encodeHop(fields);
      // Message types come from code, not from the wire; the bound only guards against a caller that varies them.
      if (this.hops.size < MAX_CACHED_HOPS) this.hops.set(key, hop);
    }
    return hop;
  }

  private encodeHop(fields: WireHopFields): WireHop {
    // Empty session id, seq 0, time 0 and an empty body take one byte each: what lies between is the hop.
    const value = this.encodeFrame({ ...fields, sessionId: '', seq: 0, tsMicros: 0, body: { kind: 'Wire', payload: EMPTY, maskedInline: false, truncated: false, originalLength: 0 } });
    const bytes = Buffer.from(value.subarray(HEADER_LENGTH + 3, value.length - 4));
    return { direction: fields.direction, eventType: fields.eventType, messageType: fields.messageType, bytes };
  }

  /** An encoder for one session's frames (schema header and session id written once). */
  session(sessionId: string): SessionWireEncoder {
    const idBytes = Buffer.byteLength(sessionId, 'utf8');
    const prefix = Buffer.allocUnsafe(HEADER_LENGTH + varintSize(idBytes) + idBytes);
    writeHeader(prefix, this.schemaId);
    const at = writeVarint(prefix, HEADER_LENGTH, idBytes);
    prefix.write(sessionId, at, 'utf8');
    return new SessionWireEncoder(prefix);
  }
}

/** Encodes one session's Wire frames into exactly sized buffers. */
export class SessionWireEncoder {
  constructor(private readonly prefix: Buffer) {}

  /** The framed value (Confluent header + Avro Frame) of one Wire frame. */
  encode(seq: number, tsMicros: number, hop: Buffer, payload: Uint8Array, maskedInline: boolean, truncated: boolean, originalLength: number): Buffer {
    const prefix = this.prefix;
    const size = prefix.length + varintSize(seq) + varintSize(tsMicros) + hop.length +
      varintSize(payload.length) + payload.length + 2 + varintSize(originalLength);
    const buf = Buffer.allocUnsafe(size);
    buf.set(prefix, 0);
    let pos = writeVarint(buf, prefix.length, seq);
    pos = writeVarint(buf, pos, tsMicros);
    buf.set(hop, pos);
    pos = writeVarint(buf, pos + hop.length, payload.length);
    buf.set(payload, pos);
    pos += payload.length;
    buf[pos++] = maskedInline ? 1 : 0;
    buf[pos++] = truncated ? 1 : 0;
    writeVarint(buf, pos, originalLength);
    return buf;
  }
}

