import { protocolError } from './protocol-error.js';

/**
 * A bounds-checked cursor over one message body. Every overrun becomes a TG_ERR_PROTOCOL naming the
 * message, so a truncated or lying length field can never read past the frame into the next one.
 */
export class Reader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly what: string,
    readonly end: number = buf.length,
  ) {
    this.pos = start;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      throw protocolError(`${this.what} is truncated: needs ${n} more byte(s) at offset ${this.pos}, frame ends at ${this.end}`);
    }
  }

  byte(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** OIDs are unsigned 32-bit on the wire; reading them signed would turn large OIDs negative. */
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A NUL-terminated string, decoded as UTF-8 (the gateway runs sessions with client_encoding UTF8). */
  cstring(): string {
    const nul = this.buf.indexOf(0, this.pos);
    if (nul < 0 || nul >= this.end) throw protocolError(`${this.what} has a string without its NUL terminator`);
    const s = this.buf.toString('utf8', this.pos, nul);
    this.pos = nul + 1;
    return s;
  }

  /** `n` bytes as a zero-copy view into the frame. */
  bytes(n: number): Buffer {
    if (n < 0) throw protocolError(`${this.what} has a negative length ${n}`);
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** An Int32 length followed by that many bytes, where -1 means SQL NULL. */
  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    return this.bytes(n);
  }

  /** Everything up to the end of the frame. */
  rest(): Buffer {
    const b = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return b;
  }

  /** Like PostgreSQL's pq_getmsgend: trailing bytes mean the sender and we disagree about the grammar. */
  done(): void {
    if (this.pos !== this.end) {
      throw protocolError(`${this.what} has ${this.end - this.pos} unexpected trailing byte(s)`);
    }
  }

  /** A count (unsigned, as PostgreSQL reads it) followed by that many Int16 values (format codes). */
  int16Array(): number[] {
    const n = this.uint16();
    this.need(2 * n);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.int16();
    return out;
  }
}
