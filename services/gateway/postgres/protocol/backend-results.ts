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
 * Decoded lazily: most rows are forwarded untouched, so columns are only split out when someone reads
 * `values` (masking), and then as views into `raw`, never copies.
 */
export class DataRowView {
  readonly kind = 'DataRow' as const;
  private cached: (Buffer | null)[] | undefined;

  constructor(readonly raw: Buffer) {
    if (raw.length < 7) throw protocolError('DataRow is too short to hold its column count');
  }

  get columnCount(): number {
    return this.raw.readInt16BE(5);
  }

  /** The column values as views into `raw` (null for SQL NULL); throws TG_ERR_PROTOCOL if the row is malformed. */
  get values(): readonly (Buffer | null)[] {
    return (this.cached ??= splitDataRow(this.raw));
  }
}

function splitDataRow(raw: Buffer): (Buffer | null)[] {
  const r = new Reader(raw, 5, 'DataRow');
  const n = r.int16();
  if (n < 0) throw protocolError(`DataRow has a negative column count ${n}`);
  const values = new Array<Buffer | null>(n);
  for (let i = 0; i < n; i++) values[i] = r.nullableBytes();
  r.done();
  return values;
}

/** Decodes a DataRow frame into a lazy view. */
export function decodeDataRow(raw: Buffer): DecodedBackendMessage {
  return new DataRowView(raw);
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
