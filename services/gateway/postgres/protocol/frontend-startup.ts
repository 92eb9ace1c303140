import type { DecodedFrontendMessage, FrontendMessage } from './frontend-messages.js';
import { StartupCode } from './message-codes.js';
import { MAX_CANCEL_KEY_LENGTH } from './backend-session.js';
import { protocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

type StartupMessage = Extract<FrontendMessage, { kind: 'StartupMessage' }>;

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH: nothing legitimate sent before authentication is bigger. */
export const MAX_STARTUP_PACKET_LENGTH = 10000;

/** Special request codes use major version 1234, which no real protocol will ever have. */
const SPECIAL_MAJOR = 1234;

/*
 * Startup-phase packets have no type byte:
 *   StartupMessage: Int32(len) Int32(major << 16 | minor) { String(name) String(value) }* Byte1(0)
 *   SSLRequest:     Int32(8) Int32(80877103)
 *   GSSENCRequest:  Int32(8) Int32(80877104)
 *   CancelRequest:  Int32(len) Int32(80877102) Int32(process id) Byten(secret key: 4 bytes, up to 256 in 3.2)
 */
export function decodeStartupPacket(raw: Buffer): DecodedFrontendMessage {
  const r = new Reader(raw, 4, 'startup packet');
  const code = r.int32();
  switch (code) {
    case StartupCode.SSLRequest:
      r.done();
      return { kind: 'SSLRequest', raw };
    case StartupCode.GSSENCRequest:
      r.done();
      return { kind: 'GSSENCRequest', raw };
    case StartupCode.CancelRequest:
      return decodeCancelRequest(r, raw);
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major === SPECIAL_MAJOR) throw protocolError(`unknown startup request code ${code} (1234.${minor})`);
  if (major !== 3) {
    throw protocolError(`unsupported protocol version ${major}.${minor}: only protocol 3.x is spoken`, { major, minor });
  }
  const parameters = new Map<string, string>();
  for (let name = r.cstring(); name !== ''; name = r.cstring()) parameters.set(name, r.cstring());
  r.done();
  return { kind: 'StartupMessage', majorVersion: major, minorVersion: minor, parameters, raw };
}

function decodeCancelRequest(r: Reader, raw: Buffer): DecodedFrontendMessage {
  const processId = r.int32();
  const secretKey = r.rest();
  if (secretKey.length < 4 || secretKey.length > MAX_CANCEL_KEY_LENGTH) {
    throw protocolError(`CancelRequest secret key must be 4 to ${MAX_CANCEL_KEY_LENGTH} bytes, got ${secretKey.length}`);
  }
  return { kind: 'CancelRequest', processId, secretKey, raw };
}

/** Writes a StartupMessage; the gateway rebuilds one for every upstream connection. */
export function writeStartupMessage(w: Writer, msg: Omit<StartupMessage, 'kind'>): Writer {
  w.beginUntyped().int32((msg.majorVersion << 16) | msg.minorVersion);
  for (const [name, value] of msg.parameters) {
    if (name === '') throw protocolError('a startup parameter name cannot be empty: it would end the list');
    w.cstring(name).cstring(value);
  }
  return w.byte(0).end();
}

/** Writes a CancelRequest. */
export function writeCancelRequest(w: Writer, processId: number, secretKey: Uint8Array): Writer {
  if (secretKey.length < 4 || secretKey.length > MAX_CANCEL_KEY_LENGTH) {
    throw protocolError(`cancel secret key must be 4 to ${MAX_CANCEL_KEY_LENGTH} bytes, got ${secretKey.length}`);
  }
  return w.beginUntyped().int32(StartupCode.CancelRequest).int32(processId).bytes(secretKey).end();
}

/** SSLRequest, built once; never modify it. */
export const SSL_REQUEST: Buffer = new Writer(8).beginUntyped().int32(StartupCode.SSLRequest).end().finish();

/** GSSENCRequest, built once; never modify it. */
export const GSSENC_REQUEST: Buffer = new Writer(8).beginUntyped().int32(StartupCode.GSSENCRequest).end().finish();

/** The server's one-byte answers to SSLRequest/GSSENCRequest; never modify them. */
export const ENCRYPTION_RESPONSE = {
  S: Buffer.from('S'),
  G: Buffer.from('G'),
  N: Buffer.from('N'),
} as const;
