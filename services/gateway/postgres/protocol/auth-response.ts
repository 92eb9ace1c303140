import type { AuthenticationResponseMessage, DecodedFrontendMessage } from './frontend-messages.js';
import { FrontendCode } from './message-codes.js';
import { protocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

/*
 * 'p' messages share one type byte; the authentication request the server sent decides which it is:
 *   PasswordMessage:     Byte1('p') Int32(len) String(password, or the md5 hash)
 *   SASLInitialResponse: Byte1('p') Int32(len) String(mechanism) Int32(data length, -1 = none) Byten(data)
 *   SASLResponse:        Byte1('p') Int32(len) Byten(data)
 *   GSSResponse:         Byte1('p') Int32(len) Byten(data)
 */
export function decodeAuthenticationResponse(raw: Buffer): DecodedFrontendMessage {
  return { kind: 'AuthenticationResponse', body: raw.subarray(5), raw };
}

function bodyReader(raw: Buffer, what: string): Reader {
  if (raw.length < 5 || raw.readUInt8(0) !== FrontendCode.AuthenticationResponse) {
    throw protocolError(`${what} must be a 'p' message`);
  }
  return new Reader(raw, 5, what);
}

/** Reads a 'p' message as a PasswordMessage (cleartext password, here the caller's JWT). */
export function readPasswordMessage(raw: Buffer): string {
  const r = bodyReader(raw, 'PasswordMessage');
  const password = r.cstring();
  r.done();
  return password;
}

/** Reads a 'p' message as a SASLInitialResponse. */
export function readSASLInitialResponse(raw: Buffer): { mechanism: string; data: Buffer | null } {
  const r = bodyReader(raw, 'SASLInitialResponse');
  const mechanism = r.cstring();
  const data = r.nullableBytes();
  r.done();
  return { mechanism, data };
}

/** Reads a 'p' message as a SASLResponse. */
export function readSASLResponse(raw: Buffer): Buffer {
  return bodyReader(raw, 'SASLResponse').rest();
}

/** Reads a 'p' message as a GSSResponse. */
export function readGSSResponse(raw: Buffer): Buffer {
  return bodyReader(raw, 'GSSResponse').rest();
}

/** Writes any of the four 'p' shapes. */
export function writeAuthenticationResponse(w: Writer, msg: AuthenticationResponseMessage): Writer {
  w.begin(FrontendCode.AuthenticationResponse);
  switch (msg.kind) {
    case 'PasswordMessage':
      w.cstring(msg.password);
      break;
    case 'SASLInitialResponse':
      w.cstring(msg.mechanism).nullableBytes(msg.data);
      break;
    case 'SASLResponse':
    case 'GSSResponse':
      w.bytes(msg.data);
      break;
  }
  return w.end();
}
