import type { BackendMessage, DecodedBackendMessage } from './backend-messages.js';
import { AuthCode, BackendCode } from './message-codes.js';
import { protocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

type AuthenticationMessage = Extract<BackendMessage, { kind: `Authentication${string}` }>;

/*
 * Authentication request:
 *   Byte1('R') Int32(len) Int32(code) then, by code:
 *     0 Ok | 2 KerberosV5 | 3 CleartextPassword | 7 GSS | 9 SSPI      (nothing more)
 *     5 MD5Password   Byte4(salt)
 *     8 GSSContinue   Byten(GSSAPI or SSPI data)
 *     10 SASL         String(mechanism)* Byte1(0)
 *     11 SASLContinue Byten(SASL data)   12 SASLFinal Byten(additional data)
 */
export function decodeAuthentication(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'Authentication');
  const code = r.int32();
  let msg: DecodedBackendMessage;
  switch (code) {
    case AuthCode.Ok:
      msg = { kind: 'AuthenticationOk', raw };
      break;
    case AuthCode.KerberosV5:
      msg = { kind: 'AuthenticationKerberosV5', raw };
      break;
    case AuthCode.CleartextPassword:
      msg = { kind: 'AuthenticationCleartextPassword', raw };
      break;
    case AuthCode.MD5Password:
      msg = { kind: 'AuthenticationMD5Password', salt: r.bytes(4), raw };
      break;
    case AuthCode.GSS:
      msg = { kind: 'AuthenticationGSS', raw };
      break;
    case AuthCode.GSSContinue:
      msg = { kind: 'AuthenticationGSSContinue', data: r.rest(), raw };
      break;
    case AuthCode.SSPI:
      msg = { kind: 'AuthenticationSSPI', raw };
      break;
    case AuthCode.SASL:
      msg = { kind: 'AuthenticationSASL', mechanisms: readMechanisms(r), raw };
      break;
    case AuthCode.SASLContinue:
      msg = { kind: 'AuthenticationSASLContinue', data: r.rest(), raw };
      break;
    case AuthCode.SASLFinal:
      msg = { kind: 'AuthenticationSASLFinal', data: r.rest(), raw };
      break;
    default:
      throw protocolError(`unknown authentication request code ${code}`);
  }
  r.done();
  return msg;
}

function readMechanisms(r: Reader): string[] {
  const mechanisms: string[] = [];
  for (let m = r.cstring(); m !== ''; m = r.cstring()) mechanisms.push(m);
  return mechanisms;
}

/** Writes any Authentication* request. */
export function writeAuthentication(w: Writer, msg: AuthenticationMessage): Writer {
  w.begin(BackendCode.Authentication);
  switch (msg.kind) {
    case 'AuthenticationOk':
      w.int32(AuthCode.Ok);
      break;
    case 'AuthenticationKerberosV5':
      w.int32(AuthCode.KerberosV5);
      break;
    case 'AuthenticationCleartextPassword':
      w.int32(AuthCode.CleartextPassword);
      break;
    case 'AuthenticationMD5Password':
      if (msg.salt.length !== 4) throw protocolError('MD5 salt must be exactly 4 bytes');
      w.int32(AuthCode.MD5Password).bytes(msg.salt);
      break;
    case 'AuthenticationGSS':
      w.int32(AuthCode.GSS);
      break;
    case 'AuthenticationGSSContinue':
      w.int32(AuthCode.GSSContinue).bytes(msg.data);
      break;
    case 'AuthenticationSSPI':
      w.int32(AuthCode.SSPI);
      break;
    case 'AuthenticationSASL':
      w.int32(AuthCode.SASL);
      for (const m of msg.mechanisms) {
        if (m === '') throw protocolError('a SASL mechanism name cannot be empty: it would end the list');
        w.cstring(m);
      }
      w.byte(0);
      break;
    case 'AuthenticationSASLContinue':
      w.int32(AuthCode.SASLContinue).bytes(msg.data);
      break;
    case 'AuthenticationSASLFinal':
      w.int32(AuthCode.SASLFinal).bytes(msg.data);
      break;
  }
  return w.end();
}

/** AuthenticationOk, built once. */
export const AUTHENTICATION_OK: Buffer = writeAuthentication(new Writer(9), { kind: 'AuthenticationOk' }).finish();

/** AuthenticationCleartextPassword, built once: how the gateway asks a client for its JWT. */
export const AUTHENTICATION_CLEARTEXT_PASSWORD: Buffer = writeAuthentication(new Writer(9), {
  kind: 'AuthenticationCleartextPassword',
}).finish();
