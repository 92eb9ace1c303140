import type { DecodedBackendMessage, FieldDescription, TransactionStatus } from './backend-messages.js';
import { BackendCode } from './message-codes.js';
import { protocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/*
 * RowDescription:
 *   Byte1('T') Int32(len) Int16(field count) then per field:
 *     String(name) Int32(table oid) Int16(column attr) Int32(type oid) Int16(type size)
 *     Int32(type modifier) Int16(format code)
 */
export function decodeRowDescription(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'RowDescription');
  const n = r.int16();
  if (n < 0) throw protocolError(`RowDescription has a negative field count ${n}`);
  const fields = new Array<FieldDescription>(n);
  for (let i = 0; i < n; i++) {
    fields[i] = {
      name: r.cstring(),
      tableOid: r.uint32(),
      columnAttr: r.int16(),
      typeOid: r.uint32(),
      typeSize: r.int16(),
      typeModifier: r.int32(),
      format: r.int16(),
    };
  }
  r.done();
  return { kind: 'RowDescription', fields, raw };
}

/** Writes a RowDescription. */
export function writeRowDescription(w: Writer, fields: readonly FieldDescription[]): Writer {
  w.begin(BackendCode.RowDescription).int16(fields.length);
  for (const f of fields) {
    w.cstring(f.name).uint32(f.tableOid).int16(f.columnAttr).uint32(f.typeOid).int16(f.typeSize);
    w.int32(f.typeModifier).int16(f.format);
  }
  return w.end();
}

/*
 * DataRow:
 *   Byte1('D') Int32(len) Int16(column count) then per column: Int32(value length, -1 = NULL) Byten(value)
 *
 * Decoded lazily: most rows are forwarded untouched, so the view only records where the frame lies in
 * the chunk it arrived in (`source`, `start`, `end`); `raw`, the column index and the values are built
 * on first use. A view creates no Buffer at all until asked, which is most of the decoder's speed.
 */
export class DataRowView {
  readonly kind = 'DataRow' as const;
  private rawView: Buffer | undefined;
  /** Per column: absolute start in `source` and length (-1 = NULL); built on first column access. */
  private index: number[] | undefined;
  private cachedValues: (Buffer | null)[] | undefined;

  constructor(
    readonly source: Buffer,
    readonly start: number,
    readonly end: number,
  ) {
    if (end - start < 7) throw protocolError('DataRow is too short to hold its column count');
  }

  /** The whole frame as a view into the chunk it arrived in. */
  get raw(): Buffer {
    return (this.rawView ??= this.source.subarray(this.start, this.end));
  }

  get columnCount(): number {
    return this.source.readInt16BE(this.start + 5);
  }

  /** The column values as views into the frame (null for SQL NULL); throws TG_ERR_PROTOCOL if the row is malformed. */
  get values(): readonly (Buffer | null)[] {
    if (this.cachedValues !== undefined) return this.cachedValues;
    const index = this.columnIndex();
    const n = index.length >> 1;
    const values = new Array<Buffer | null>(n);
    for (let i = 0; i < n; i++) {
      const at = index[2 * i] ?? 0;
      const len = index[2 * i + 1] ?? -1;
      values[i] = len < 0 ? null : this.source.subarray(at, at + len);
    }
    return (this.cachedValues = values);
  }

  /** Column `i` decoded as UTF-8 text (null for SQL NULL) without creating a Buffer for it. */
  text(i: number): string | null {
    const index = this.columnIndex();
    const at = index[2 * i];
    const len = index[2 * i + 1];
    if (at === undefined || len === undefined) throw new RangeError(`DataRow has no column ${i}`);
    return len < 0 ? null : this.source.toString('utf8', at, at + len);
  }

  /** Every column decoded as UTF-8 text (null for SQL NULL), in one pass; for rows masked as a whole. */
  texts(): (string | null)[] {
    const src = this.source;
    const end = this.end;
    const n = this.columnCount;
    if (n < 0) throw protocolError(`DataRow has a negative column count ${n}`);
    const out = new Array<string | null>(n);
    let pos = this.start + 7;
    for (let i = 0; i < n; i++) {
      if (pos + 4 > end) throw protocolError(`DataRow is truncated: column ${i} of ${n} has no length`);
      const len = src.readInt32BE(pos);
      pos += 4;
      if (len < -1) throw protocolError(`DataRow has a negative length ${len}`);
      if (len === -1) {
        out[i] = null;
        continue;
      }
      if (pos + len > end) throw protocolError(`DataRow is truncated: column ${i} of ${n} overruns the frame`);
      // No encoding argument: Buffer#toString then goes straight to its UTF-8 slice, skipping the lookup.
      out[i] = src.toString(undefined, pos, pos + len);
      pos += len;
    }
    if (pos !== end) throw protocolError(`DataRow has ${end - pos} unexpected trailing byte(s)`);
    return out;
  }

  // A plain array: V8 allocates small ones far faster than an Int32Array, and this runs once per row read.
  private columnIndex(): number[] {
    if (this.index !== undefined) return this.index;
    const src = this.source;
    const end = this.end;
    const n = src.readInt16BE(this.start + 5);
    if (n < 0) throw protocolError(`DataRow has a negative column count ${n}`);
    const index = new Array<number>(2 * n);
    let pos = this.start + 7;
    for (let i = 0; i < n; i++) {
      if (pos + 4 > end) throw protocolError(`DataRow is truncated: column ${i} of ${n} has no length`);
      const len = src.readInt32BE(pos);
      pos += 4;
      if (len < -1) throw protocolError(`DataRow has a negative length ${len}`);
      index[2 * i] = pos;
      index[2 * i + 1] = len;
      if (len > 0) pos += len;
      if (pos > end) throw protocolError(`DataRow is truncated: column ${i} of ${n} overruns the frame`);
    }
    if (pos !== end) throw protocolError(`DataRow has ${end - pos} unexpected trailing byte(s)`);
    return (this.index = index);
  }
}

/** Decodes a DataRow frame into a lazy view. */
export function decodeDataRow(raw: Buffer): DecodedBackendMessage {
  return new DataRowView(raw, 0, raw.length);
}

/** Encodes a DataRow into a buffer of exactly its size (the masking path builds one per changed row). */
export function encodeDataRow(values: readonly (Uint8Array | null)[]): Buffer {
  let size = 7;
  for (const v of values) size += v === null ? 4 : 4 + v.length;
  const out = Buffer.allocUnsafe(size);
  out[0] = BackendCode.DataRow;
  out.writeInt32BE(size - 1, 1);
  out.writeInt16BE(values.length, 5);
  let pos = 7;
  for (const v of values) {
    if (v === null) {
      out.writeInt32BE(-1, pos);
      pos += 4;
    } else {
      out.writeInt32BE(v.length, pos);
      out.set(v, pos + 4);
      pos += 4 + v.length;
    }
  }
  return out;
}

/** Writes a DataRow into a shared writer. */
export function writeDataRow(w: Writer, values: readonly (Uint8Array | null)[]): Writer {
  w.begin(BackendCode.DataRow).int16(values.length);
  for (const v of values) w.nullableBytes(v);
  return w.end();
}

/*
 * CommandComplete:  Byte1('C') Int32(len) String(command tag)
 */
export function decodeCommandComplete(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'CommandComplete');
  const tag = r.cstring();
  r.done();
  return { kind: 'CommandComplete', tag, raw };
}

/** Writes a CommandComplete. */
export function writeCommandComplete(w: Writer, tag: string): Writer {
  return w.begin(BackendCode.CommandComplete).cstring(tag).end();
}

/*
 * ReadyForQuery:  Byte1('Z') Int32(5) Byte1(status: 'I' idle, 'T' in transaction, 'E' failed transaction)
 */
export function decodeReadyForQuery(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'ReadyForQuery');
  const status = String.fromCharCode(r.byte());
  r.done();
  if (status !== 'I' && status !== 'T' && status !== 'E') {
    throw protocolError(`ReadyForQuery has an unknown transaction status '${status}'`);
  }
  return { kind: 'ReadyForQuery', status, raw };
}

/** Writes a ReadyForQuery. */
export function writeReadyForQuery(w: Writer, status: TransactionStatus): Writer {
  return w.begin(BackendCode.ReadyForQuery).byte(status.charCodeAt(0)).end();
}

/** ReadyForQuery for each transaction status, built once; never modify them. */
export const READY_FOR_QUERY: Readonly<Record<TransactionStatus, Buffer>> = {
  I: writeReadyForQuery(new Writer(6), 'I').finish(),
  T: writeReadyForQuery(new Writer(6), 'T').finish(),
  E: writeReadyForQuery(new Writer(6), 'E').finish(),
};
