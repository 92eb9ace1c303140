import type { DecodedBackendMessage } from './backend-messages.js';
import type { DecodedFrontendMessage, FrontendMessage } from './frontend-messages.js';
import { BackendCode, FrontendCode } from './message-codes.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

type FunctionCallMessage = Extract<FrontendMessage, { kind: 'FunctionCall' }>;

/*
 * FunctionCall (frontend):
 *   Byte1('F') Int32(len) Int32(function oid) Int16(n) Int16(argument format) x n
 *   Int16(m) { Int32(argument length, -1 = NULL) Byten(value) } x m  Int16(result format)
 *
 * It runs a function by OID with no SQL text at all, so guardrails must judge it by the OID.
 */
export function decodeFunctionCall(raw: Buffer): DecodedFrontendMessage {
  const r = new Reader(raw, 5, 'FunctionCall');
  const functionOid = r.uint32();
  const argumentFormats = r.int16Array();
  const m = r.uint16();
  const args = new Array<Buffer | null>(m);
  for (let i = 0; i < m; i++) args[i] = r.nullableBytes();
  const resultFormat = r.int16();
  r.done();
  return { kind: 'FunctionCall', functionOid, argumentFormats, arguments: args, resultFormat, raw };
}

/** Writes a FunctionCall. */
export function writeFunctionCall(w: Writer, msg: FunctionCallMessage): Writer {
  w.begin(FrontendCode.FunctionCall).uint32(msg.functionOid).int16Array(msg.argumentFormats);
  w.uint16(msg.arguments.length);
  for (const a of msg.arguments) w.nullableBytes(a);
  return w.int16(msg.resultFormat).end();
}

/*
 * FunctionCallResponse (backend):  Byte1('V') Int32(len) Int32(result length, -1 = NULL) Byten(result)
 */
export function decodeFunctionCallResponse(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'FunctionCallResponse');
  const result = r.nullableBytes();
  r.done();
  return { kind: 'FunctionCallResponse', result, raw };
}

/** Writes a FunctionCallResponse. */
export function writeFunctionCallResponse(w: Writer, result: Uint8Array | null): Writer {
  return w.begin(BackendCode.FunctionCallResponse).nullableBytes(result).end();
}
