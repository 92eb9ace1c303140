import type { DecodedFrontendMessage, FrontendMessage, PreparedTarget } from './frontend-messages.js';
import { FrontendCode } from './message-codes.js';
import { protocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

type BindMessage = Extract<FrontendMessage, { kind: 'Bind' }>;

/*
 * Parse:  Byte1('P') Int32(len) String(statement name) String(query) Int16(n) Int32(parameter type oid) x n
 */
export function decodeParse(raw: Buffer): DecodedFrontendMessage {
  const r = new Reader(raw, 5, 'Parse');
  const statement = r.cstring();
  const query = r.cstring();
  const n = r.uint16();
  const parameterTypes = new Array<number>(n);
  for (let i = 0; i < n; i++) parameterTypes[i] = r.uint32();
  r.done();
  return { kind: 'Parse', statement, query, parameterTypes, raw };
}

/** Writes a Parse. */
export function writeParse(w: Writer, statement: string, query: string, parameterTypes: readonly number[]): Writer {
  w.begin(FrontendCode.Parse).cstring(statement).cstring(query).uint16(parameterTypes.length);
  for (const oid of parameterTypes) w.uint32(oid);
  return w.end();
}

/*
 * Bind:
 *   Byte1('B') Int32(len) String(portal) String(statement) Int16(n) Int16(parameter format) x n
 *   Int16(m) { Int32(value length, -1 = NULL) Byten(value) } x m  Int16(k) Int16(result format) x k
 */
export function decodeBind(raw: Buffer): DecodedFrontendMessage {
  const r = new Reader(raw, 5, 'Bind');
  const portal = r.cstring();
  const statement = r.cstring();
  const parameterFormats = r.int16Array();
  const m = r.uint16();
  const parameters = new Array<Buffer | null>(m);
  for (let i = 0; i < m; i++) parameters[i] = r.nullableBytes();
  const resultFormats = r.int16Array();
  r.done();
  return { kind: 'Bind', portal, statement, parameterFormats, parameters, resultFormats, raw };
}

/** Writes a Bind. */
export function writeBind(w: Writer, msg: Omit<BindMessage, 'kind'>): Writer {
  w.begin(FrontendCode.Bind).cstring(msg.portal).cstring(msg.statement).int16Array(msg.parameterFormats);
  w.uint16(msg.parameters.length);
  for (const p of msg.parameters) w.nullableBytes(p);
  return w.int16Array(msg.resultFormats).end();
}

function readTarget(r: Reader): PreparedTarget {
  const t = r.byte();
  if (t === 0x53) return 'S';
  if (t === 0x50) return 'P';
  throw protocolError(`${r.what} target must be 'S' (statement) or 'P' (portal), got byte ${t}`);
}

/*
 * Describe:  Byte1('D') Int32(len) Byte1('S' statement | 'P' portal) String(name)
 * Close:     Byte1('C') Int32(len) Byte1('S' statement | 'P' portal) String(name)
 */
export function decodeDescribeOrClose(kind: 'Describe' | 'Close', raw: Buffer): DecodedFrontendMessage {
  const r = new Reader(raw, 5, kind);
  const target = readTarget(r);
  const name = r.cstring();
  r.done();
  return { kind, target, name, raw };
}

/** Writes a Describe or a Close. */
export function writeDescribeOrClose(w: Writer, kind: 'Describe' | 'Close', target: PreparedTarget, name: string): Writer {
  const code = kind === 'Describe' ? FrontendCode.Describe : FrontendCode.Close;
  return w.begin(code).byte(target.charCodeAt(0)).cstring(name).end();
}

/*
 * Execute:  Byte1('E') Int32(len) String(portal) Int32(max rows, 0 = no limit)
 */
export function decodeExecute(raw: Buffer): DecodedFrontendMessage {
  const r = new Reader(raw, 5, 'Execute');
  const portal = r.cstring();
  const maxRows = r.int32();
  r.done();
  return { kind: 'Execute', portal, maxRows, raw };
}

/** Writes an Execute. */
export function writeExecute(w: Writer, portal: string, maxRows: number): Writer {
  return w.begin(FrontendCode.Execute).cstring(portal).int32(maxRows).end();
}
