/**
 * SFTP v3 packet framing and the request/reply fields the gateway judges and records
 * (draft-ietf-secsh-filexfer-02). Packet: uint32 length, byte type, then for every type but
 * INIT/VERSION a uint32 request id. Strings are uint32 length + bytes. Sans-I/O and partial-input
 * safe: push() keeps a straddling packet and returns only whole ones.
 */

export const SftpType = {
  INIT: 1, VERSION: 2, OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, LSTAT: 7, FSTAT: 8, SETSTAT: 9, FSETSTAT: 10,
  OPENDIR: 11, READDIR: 12, REMOVE: 13, MKDIR: 14, RMDIR: 15, REALPATH: 16, STAT: 17, RENAME: 18, READLINK: 19,
  SYMLINK: 20, STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105, EXTENDED: 200, EXTENDED_REPLY: 201,
} as const;

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(SftpType).map(([k, v]) => [v, k.toLowerCase()]));

/** pflags of OPEN. */
export const OpenFlags = { READ: 0x1, WRITE: 0x2, APPEND: 0x4, CREAT: 0x8, TRUNC: 0x10, EXCL: 0x20 } as const;

export interface SftpPacket {
  type: number;
  /** Lower-case type name ("open", "write"); "unknown-N" for types outside v3. */
  op: string;
  /** Request id; -1 for INIT/VERSION. */
  id: number;
  /** The whole packet including its length prefix, a view into the decoder's buffer (copy to keep). */
  raw: Buffer;
  path?: string;
  /** RENAME's new path, SYMLINK's target. */
  path2?: string;
  handle?: string;
  pflags?: number;
  /** WRITE: bytes written; DATA: bytes returned; READ: bytes asked for. */
  length?: number;
  /** STATUS code. */
  status?: number;
  /** EXTENDED request name (e.g. "posix-rename@openssh.com"). */
  extension?: string;
}

/** Accumulates one direction of an sftp channel and splits it into packets. */
export class SftpDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPacket: number) {}

  /** Appends bytes and returns every whole packet; throws on a packet larger than maxPacket. */
  push(chunk: Buffer): SftpPacket[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: SftpPacket[] = [];
    let off = 0;
    while (this.buf.length - off >= 5) {
      const len = this.buf.readUInt32BE(off);
      if (len < 1) throw new RangeError('sftp packet with a zero length');
      if (len > this.maxPacket) throw new RangeError(`sftp packet of ${len} bytes exceeds the limit of ${this.maxPacket}`);
      if (this.buf.length - off < 4 + len) break;
      out.push(decodePacket(this.buf.subarray(off, off + 4 + len)));
      off += 4 + len;
    }
    this.buf = off === this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
    return out;
  }

  /** Bytes held waiting for the rest of a packet. */
  get pending(): number {
    return this.buf.length;
  }
}

/** Decodes the fields of one whole packet (raw includes its length prefix); malformed fields are left out. */
export function decodePacket(raw: Buffer): SftpPacket {
  const type = raw[4]!;
  const pkt: SftpPacket = { type, op: NAMES[type] ?? `unknown-${type}`, id: -1, raw };
  if (type === SftpType.INIT || type === SftpType.VERSION) return pkt;
  const r = new Cursor(raw, 5);
  pkt.id = r.u32() ?? -1;
  switch (type) {
    case SftpType.OPEN: setIf(pkt, 'path', r.str()); setIf(pkt, 'pflags', r.u32()); break;
    case SftpType.CLOSE: case SftpType.FSTAT: case SftpType.FSETSTAT: case SftpType.READDIR: setIf(pkt, 'handle', r.hex()); break;
    case SftpType.READ: setIf(pkt, 'handle', r.hex()); r.skip(8); setIf(pkt, 'length', r.u32()); break;
    case SftpType.WRITE: setIf(pkt, 'handle', r.hex()); r.skip(8); setIf(pkt, 'length', r.u32()); break;
    case SftpType.RENAME: case SftpType.SYMLINK: setIf(pkt, 'path', r.str()); setIf(pkt, 'path2', r.str()); break;
    case SftpType.LSTAT: case SftpType.SETSTAT: case SftpType.OPENDIR: case SftpType.REMOVE: case SftpType.MKDIR:
    case SftpType.RMDIR: case SftpType.REALPATH: case SftpType.STAT: case SftpType.READLINK:
      setIf(pkt, 'path', r.str()); break;
    case SftpType.EXTENDED: setIf(pkt, 'extension', r.str()); setIf(pkt, 'path', r.str()); setIf(pkt, 'path2', r.str()); break;
    case SftpType.STATUS: setIf(pkt, 'status', r.u32()); break;
    case SftpType.HANDLE: setIf(pkt, 'handle', r.hex()); break;
    case SftpType.DATA: setIf(pkt, 'length', r.u32()); break;
  }
  return pkt;
}

function setIf<K extends keyof SftpPacket>(pkt: SftpPacket, key: K, value: SftpPacket[K] | undefined): void {
  if (value !== undefined) pkt[key] = value;
}

/** STATUS reply (id, code, message, language) the gateway sends for a refused request. */
export function statusPacket(id: number, code: number, message: string): Buffer {
  const msg = Buffer.from(message, 'utf8');
  const body = Buffer.alloc(1 + 4 + 4 + 4 + msg.length + 4);
  body[0] = SftpType.STATUS;
  body.writeUInt32BE(id >>> 0, 1);
  body.writeUInt32BE(code, 5);
  body.writeUInt32BE(msg.length, 9);
  msg.copy(body, 13);
  body.writeUInt32BE(0, 13 + msg.length);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/** SSH_FX_PERMISSION_DENIED. */
export const FX_PERMISSION_DENIED = 3;

class Cursor {
  constructor(private readonly b: Buffer, private off: number) {}
  u32(): number | undefined {
    if (this.off + 4 > this.b.length) return undefined;
    const v = this.b.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }
  skip(n: number): void {
    this.off += n;
  }
  private bytes(): Buffer | undefined {
    const n = this.u32();
    if (n === undefined || this.off + n > this.b.length) return undefined;
    const v = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }
  str(): string | undefined {
    return this.bytes()?.toString('utf8');
  }
  hex(): string | undefined {
    return this.bytes()?.toString('hex');
  }
}
