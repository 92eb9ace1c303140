import type { DecodedBackendMessage } from './backend-messages.js';
import { BackendCode } from './message-codes.js';
import { protocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** Protocol 3.2 (PostgreSQL 18) lets the secret key grow to 256 bytes; 3.0 always sends 4. */
export const MAX_CANCEL_KEY_LENGTH = 256;

/*
 * BackendKeyData:  Byte1('K') Int32(len) Int32(process id) Byten(secret key: 4 bytes in 3.0, up to 256 in 3.2)
 */
export function decodeBackendKeyData(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'BackendKeyData');
  const processId = r.int32();
  const secretKey = r.rest();
  if (secretKey.length < 4 || secretKey.length > MAX_CANCEL_KEY_LENGTH) {
    throw protocolError(`BackendKeyData secret key must be 4 to ${MAX_CANCEL_KEY_LENGTH} bytes, got ${secretKey.length}`);
  }
  return { kind: 'BackendKeyData', processId, secretKey, raw };
}

/** Writes a BackendKeyData. */
export function writeBackendKeyData(w: Writer, processId: number, secretKey: Uint8Array): Writer {
  if (secretKey.length < 4 || secretKey.length > MAX_CANCEL_KEY_LENGTH) {
    throw protocolError(`cancel secret key must be 4 to ${MAX_CANCEL_KEY_LENGTH} bytes, got ${secretKey.length}`);
  }
  return w.begin(BackendCode.BackendKeyData).int32(processId).bytes(secretKey).end();
}

/*
 * ParameterStatus:  Byte1('S') Int32(len) String(name) String(value)
 */
export function decodeParameterStatus(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'ParameterStatus');
  const name = r.cstring();
  const value = r.cstring();
  r.done();
  return { kind: 'ParameterStatus', name, value, raw };
}

/** Writes a ParameterStatus. */
export function writeParameterStatus(w: Writer, name: string, value: string): Writer {
  return w.begin(BackendCode.ParameterStatus).cstring(name).cstring(value).end();
}

/*
 * NegotiateProtocolVersion:
 *   Byte1('v') Int32(len) Int32(newest minor version supported) Int32(n) String(unrecognized option) x n
 */
export function decodeNegotiateProtocolVersion(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'NegotiateProtocolVersion');
  const newestMinorVersion = r.int32();
  const n = r.int32();
  if (n < 0 || n > raw.length) throw protocolError(`NegotiateProtocolVersion has an impossible option count ${n}`);
  const unrecognizedOptions: string[] = [];
  for (let i = 0; i < n; i++) unrecognizedOptions.push(r.cstring());
  r.done();
  return { kind: 'NegotiateProtocolVersion', newestMinorVersion, unrecognizedOptions, raw };
}

/** Writes a NegotiateProtocolVersion. */
export function writeNegotiateProtocolVersion(w: Writer, newestMinorVersion: number, unrecognizedOptions: readonly string[]): Writer {
  w.begin(BackendCode.NegotiateProtocolVersion).int32(newestMinorVersion).int32(unrecognizedOptions.length);
  for (const o of unrecognizedOptions) w.cstring(o);
  return w.end();
}

/*
 * ParameterDescription:  Byte1('t') Int32(len) Int16(n) Int32(type oid) x n
 */
export function decodeParameterDescription(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'ParameterDescription');
  // PostgreSQL sends the count as Int16 but allows up to 65535 parameters, so read it unsigned.
  const n = r.uint16();
  const typeOids = new Array<number>(n);
  for (let i = 0; i < n; i++) typeOids[i] = r.uint32();
  r.done();
  return { kind: 'ParameterDescription', typeOids, raw };
}

/** Writes a ParameterDescription. */
export function writeParameterDescription(w: Writer, typeOids: readonly number[]): Writer {
  if (typeOids.length > 0xffff) throw protocolError(`ParameterDescription cannot carry ${typeOids.length} parameters`);
  w.begin(BackendCode.ParameterDescription);
  w.uint16(typeOids.length);
  for (const oid of typeOids) w.uint32(oid);
  return w.end();
}
