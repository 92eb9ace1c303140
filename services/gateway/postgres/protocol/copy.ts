import type { CopyResponseFields, DecodedBackendMessage } from './backend-messages.js';
import type { DecodedFrontendMessage } from './frontend-messages.js';
import { BackendCode, FrontendCode } from './message-codes.js';
import { protocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

/*
 * CopyData (both directions):  Byte1('d') Int32(len) Byten(data)
 *
 * COPY OUT sends one CopyData per row, so `data` is computed on first read rather than per message.
 */
export class CopyDataView {
  readonly kind = 'CopyData' as const;
  private rawView: Buffer | undefined;

  /** The frame lies at `source[start, end)`, in the chunk it arrived in. */
  constructor(
    readonly source: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  /** The whole frame as a view into the chunk it arrived in. */
  get raw(): Buffer {
    return (this.rawView ??= this.source.subarray(this.start, this.end));
  }

  /** The payload as a view into the frame. */
  get data(): Buffer {
    return this.source.subarray(this.start + 5, this.end);
  }
}

/** Decodes a CopyData from either side into a lazy view. */
export function decodeCopyData(raw: Buffer): CopyDataView {
  return new CopyDataView(raw, 0, raw.length);
}

/** Encodes a CopyData into a buffer of exactly its size. */
export function encodeCopyData(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + data.length);
  out[0] = FrontendCode.CopyData;
  out.writeInt32BE(4 + data.length, 1);
  out.set(data, 5);
  return out;
}

/** Writes a CopyData into a shared writer. */
export function writeCopyData(w: Writer, data: Uint8Array): Writer {
  return w.begin(FrontendCode.CopyData).bytes(data).end();
}

/*
 * CopyFail (frontend):  Byte1('f') Int32(len) String(error message)
 */
export function decodeCopyFail(raw: Buffer): DecodedFrontendMessage {
  const r = new Reader(raw, 5, 'CopyFail');
  const message = r.cstring();
  r.done();
  return { kind: 'CopyFail', message, raw };
}

/** Writes a CopyFail. */
export function writeCopyFail(w: Writer, message: string): Writer {
  return w.begin(FrontendCode.CopyFail).cstring(message).end();
}

type CopyResponseKind = 'CopyInResponse' | 'CopyOutResponse' | 'CopyBothResponse';

const copyResponseCode: Readonly<Record<CopyResponseKind, number>> = {
  CopyInResponse: BackendCode.CopyInResponse,
  CopyOutResponse: BackendCode.CopyOutResponse,
  CopyBothResponse: BackendCode.CopyBothResponse,
};

/*
 * CopyInResponse / CopyOutResponse / CopyBothResponse:
 *   Byte1('G' | 'H' | 'W') Int32(len) Int8(overall format: 0 text, 1 binary) Int16(n) Int16(column format) x n
 */
export function decodeCopyResponse(kind: CopyResponseKind, raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, kind);
  const format = r.byte();
  if (format > 1) throw protocolError(`${kind} has an unknown overall format ${format}`);
  const columnFormats = r.int16Array();
  r.done();
  const fields: CopyResponseFields = { format, columnFormats };
  return { kind, ...fields, raw };
}

/** Writes a CopyInResponse, CopyOutResponse or CopyBothResponse. */
export function writeCopyResponse(w: Writer, kind: CopyResponseKind, fields: CopyResponseFields): Writer {
  return w.begin(copyResponseCode[kind]).byte(fields.format).int16Array(fields.columnFormats).end();
}
