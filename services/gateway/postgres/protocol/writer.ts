import { protocolError } from './protocol-error.js';

/**
 * A growable cursor for building one or more framed messages into a single buffer, so a reply such as
 * ErrorResponse + ReadyForQuery goes out in one write. `finish()` hands the bytes over and starts a
 * fresh buffer: bytes already returned are never overwritten.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  private frameStart = -1;

  constructor(private readonly initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n, this.initialSize));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** Starts a typed message: the type byte and a length placeholder patched by `end()`. */
  begin(type: number): this {
    if (this.frameStart >= 0) throw protocolError('Writer.begin called inside an unfinished message');
    this.ensure(5);
    this.buf[this.pos] = type;
    this.frameStart = this.pos + 1;
    this.pos += 5;
    return this;
  }

  /** Starts a startup-phase message, which has no type byte. */
  beginUntyped(): this {
    if (this.frameStart >= 0) throw protocolError('Writer.beginUntyped called inside an unfinished message');
    this.ensure(4);
    this.frameStart = this.pos;
    this.pos += 4;
    return this;
  }

  /** Patches the length of the message started by `begin`; the length counts itself, not the type byte. */
  end(): this {
    if (this.frameStart < 0) throw protocolError('Writer.end called without begin');
    this.buf.writeInt32BE(this.pos - this.frameStart, this.frameStart);
    this.frameStart = -1;
    return this;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  /** Parameter counts are Int16 in the spec but PostgreSQL reads them unsigned (up to 65535). */
  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /** A NUL-terminated UTF-8 string; an embedded NUL would end the string early on the far side, so it is refused. */
  cstring(s: string): this {
    if (s.includes('\u0000')) throw protocolError('refusing to encode a string containing a NUL byte');
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n + 1);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
    this.buf[this.pos++] = 0;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Int32 length then the bytes, or -1 for SQL NULL. */
  nullableBytes(b: Uint8Array | null): this {
    if (b === null) return this.int32(-1);
    return this.int32(b.length).bytes(b);
  }

  /** Count (read unsigned by PostgreSQL) then Int16 values. */
  int16Array(values: readonly number[]): this {
    this.uint16(values.length);
    for (const v of values) this.int16(v);
    return this;
  }

  /** Returns the bytes written so far and starts a fresh buffer. */
  finish(): Buffer {
    if (this.frameStart >= 0) throw protocolError('Writer.finish called inside an unfinished message');
    const out = this.buf.subarray(0, this.pos);
    // The next message gets a new buffer on its first write, so `out` is never overwritten.
    this.buf = NO_BYTES;
    this.pos = 0;
    return out;
  }
}

const NO_BYTES = Buffer.alloc(0);
