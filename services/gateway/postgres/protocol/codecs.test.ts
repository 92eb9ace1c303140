import { describe, expect, it } from 'vitest';
import {
  readGSSResponse,
  readPasswordMessage,
  readSASLInitialResponse,
  readSASLResponse,
} from './auth-response.js';
import { BackendDecoder } from './backend-decoder.js';
import { encodeBackendMessage } from './backend-encoder.js';
import { encodeDataRow, READY_FOR_QUERY } from './backend-results.js';
import { encodeCopyData } from './copy.js';
import { EMPTY_BACKEND } from './empty-messages.js';
import { FrontendDecoder } from './frontend-decoder.js';
import { encodeFrontendMessage } from './frontend-encoder.js';
import type { AuthenticationResponseMessage, EncodableFrontendMessage } from './frontend-messages.js';
import { backendFields, frontendFields } from './message-fields.js';
import { SAMPLE_BACKEND, SAMPLE_FRONTEND, SAMPLE_STARTUP } from './sample-messages.js';
import { Writer } from './writer.js';
import { writeBackendMessage } from './backend-encoder.js';

function decodeOneBackend(bytes: Buffer) {
  const d = new BackendDecoder();
  d.push(bytes);
  const msg = d.next();
  expect(d.next()).toBeUndefined();
  expect(d.bufferedBytes).toBe(0);
  if (msg === undefined) throw new Error('no message decoded');
  return msg;
}

function decodeOneFrontend(bytes: Buffer, skipStartup: boolean) {
  const d = new FrontendDecoder({ skipStartup });
  d.push(bytes);
  const msg = d.next();
  expect(d.next()).toBeUndefined();
  if (msg === undefined) throw new Error('no message decoded');
  return msg;
}

/** What a 'p' message reads back as, through the helper its authentication state would pick. */
function readAuthResponse(kind: AuthenticationResponseMessage['kind'], raw: Buffer): AuthenticationResponseMessage {
  switch (kind) {
    case 'PasswordMessage':
      return { kind, password: readPasswordMessage(raw) };
    case 'SASLInitialResponse':
      return { kind, ...readSASLInitialResponse(raw) };
    case 'SASLResponse':
      return { kind, data: readSASLResponse(raw) };
    case 'GSSResponse':
      return { kind, data: readGSSResponse(raw) };
  }
}

function isAuthResponse(m: EncodableFrontendMessage): m is AuthenticationResponseMessage {
  return m.kind === 'PasswordMessage' || m.kind === 'SASLInitialResponse' || m.kind === 'SASLResponse' || m.kind === 'GSSResponse';
}

describe('backend codecs round-trip', () => {
  it.each(SAMPLE_BACKEND.map((m) => [m.kind, m] as const))('%s', (_kind, msg) => {
    const bytes = encodeBackendMessage(msg);
    const decoded = decodeOneBackend(bytes);
    expect(decoded.raw.equals(bytes)).toBe(true);
    expect(backendFields(decoded)).toEqual(msg);
    expect(encodeBackendMessage(backendFields(decoded)).equals(bytes)).toBe(true);
  });

  it('builds the constant messages exactly as the general encoder does', () => {
    expect(READY_FOR_QUERY.I.equals(encodeBackendMessage({ kind: 'ReadyForQuery', status: 'I' }))).toBe(true);
    expect(EMPTY_BACKEND.ParseComplete.equals(Buffer.from([0x31, 0, 0, 0, 4]))).toBe(true);
  });

  it('encodes a DataRow the same through the exact-size and the writer paths', () => {
    const values = [Buffer.from('a'), null, Buffer.from('ccc')];
    const viaWriter = writeBackendMessage(new Writer(4), { kind: 'DataRow', values }).finish();
    expect(encodeDataRow(values).equals(viaWriter)).toBe(true);
  });

  it('writes several messages into one buffer that decodes back in order', () => {
    const w = new Writer(8);
    for (const m of SAMPLE_BACKEND) writeBackendMessage(w, m);
    const d = new BackendDecoder();
    d.push(w.finish());
    const kinds: string[] = [];
    for (let m = d.next(); m !== undefined; m = d.next()) kinds.push(m.kind);
    expect(kinds).toEqual(SAMPLE_BACKEND.map((m) => m.kind));
  });

  it('reads the single-byte answers to SSLRequest and GSSENCRequest only when told to expect one', () => {
    const d = new BackendDecoder();
    d.expectEncryptionResponse('SSL');
    d.push(Buffer.from('N'));
    expect(d.next()).toMatchObject({ kind: 'EncryptionResponse', response: 'N' });
    d.push(READY_FOR_QUERY.I);
    expect(d.next()).toMatchObject({ kind: 'ReadyForQuery', status: 'I' });
    const g = new BackendDecoder();
    g.expectEncryptionResponse('GSS');
    g.push(Buffer.from('G'));
    expect(g.next()).toMatchObject({ kind: 'EncryptionResponse', response: 'G' });
  });

  it('decodes an ErrorResponse sent instead of an SSL answer by a very old server', () => {
    const d = new BackendDecoder();
    d.expectEncryptionResponse('SSL');
    const err = SAMPLE_BACKEND.find((m) => m.kind === 'ErrorResponse');
    if (err === undefined) throw new Error('sample missing');
    d.push(encodeBackendMessage(err));
    expect(d.next()?.kind).toBe('ErrorResponse');
  });
});

describe('frontend codecs round-trip', () => {
  it.each(SAMPLE_STARTUP.map((m) => [m.kind, m] as const))('startup %s', (_kind, msg) => {
    const bytes = encodeFrontendMessage(msg);
    const decoded = decodeOneFrontend(bytes, false);
    expect(decoded.raw.equals(bytes)).toBe(true);
    expect(frontendFields(decoded)).toEqual(msg);
  });

  it.each(SAMPLE_FRONTEND.map((m, i) => [`${i} ${m.kind}`, m] as const))('%s', (_name, msg) => {
    const bytes = encodeFrontendMessage(msg);
    const decoded = decodeOneFrontend(bytes, true);
    expect(decoded.raw.equals(bytes)).toBe(true);
    if (isAuthResponse(msg)) {
      expect(decoded.kind).toBe('AuthenticationResponse');
      expect(readAuthResponse(msg.kind, decoded.raw)).toEqual(msg);
    } else {
      expect(frontendFields(decoded)).toEqual(msg);
    }
    expect(encodeFrontendMessage(frontendFields(decoded)).equals(bytes)).toBe(true);
  });

  it('switches from the startup phase to typed messages after a StartupMessage only', () => {
    const d = new FrontendDecoder();
    const ssl = SAMPLE_STARTUP.find((m) => m.kind === 'SSLRequest');
    const startup = SAMPLE_STARTUP.find((m) => m.kind === 'StartupMessage');
    if (ssl === undefined || startup === undefined) throw new Error('sample missing');
    d.push(encodeFrontendMessage(ssl));
    expect(d.next()?.kind).toBe('SSLRequest');
    expect(d.phase).toBe('startup');
    d.push(encodeFrontendMessage(startup));
    expect(d.next()?.kind).toBe('StartupMessage');
    expect(d.phase).toBe('messages');
    d.push(encodeFrontendMessage({ kind: 'Query', sql: 'SELECT 1' }));
    expect(d.next()).toMatchObject({ kind: 'Query', sql: 'SELECT 1' });
  });

  it('keeps the last value of a repeated startup parameter, as PostgreSQL does', () => {
    const w = new Writer();
    w.beginUntyped().int32(196608).cstring('user').cstring('alice').cstring('user').cstring('bob').byte(0).end();
    const d = new FrontendDecoder();
    d.push(w.finish());
    const msg = d.next();
    expect(msg?.kind === 'StartupMessage' && msg.parameters.get('user')).toBe('bob');
  });

  it('encodes CopyData the same through the exact-size and the writer paths', () => {
    const data = Buffer.from('x\ty\n');
    expect(encodeCopyData(data).equals(encodeFrontendMessage({ kind: 'CopyData', data }))).toBe(true);
  });
});
