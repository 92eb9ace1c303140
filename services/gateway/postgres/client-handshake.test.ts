import { describe, expect, it } from 'vitest';
import { ClientHandshake, type HandshakeStep } from './client-handshake.js';
import { encodeFrontendMessage, FrontendDecoder, SSL_REQUEST, GSSENC_REQUEST, type DecodedFrontendMessage } from './protocol/index.js';
import { writeCancelRequest, writeStartupMessage } from './protocol/frontend-startup.js';
import { Writer, BackendDecoder } from './protocol/index.js';

function decodeAll(bytes: Buffer, skipStartup = false): DecodedFrontendMessage[] {
  const d = new FrontendDecoder({ skipStartup });
  d.push(bytes);
  const out: DecodedFrontendMessage[] = [];
  for (let m = d.next(); m !== undefined; m = d.next()) out.push(m);
  return out;
}
const startup = (params: Record<string, string>, minor = 0) =>
  decodeAll(writeStartupMessage(new Writer(64), { majorVersion: 3, minorVersion: minor, parameters: new Map(Object.entries(params)) }).finish())[0] as DecodedFrontendMessage;
const password = (p: string) => decodeAll(encodeFrontendMessage({ kind: 'PasswordMessage', password: p }), true)[0] as DecodedFrontendMessage;
const one = (b: Buffer) => decodeAll(b)[0] as DecodedFrontendMessage;
const backendKinds = (step: HandshakeStep) => {
  if (!('bytes' in step)) return [];
  const d = new BackendDecoder();
  d.push(step.bytes);
  const out: string[] = [];
  for (let m = d.next(); m !== undefined; m = d.next()) out.push(m.kind === 'ErrorResponse' ? `Error:${m.fields.get('C') ?? ''}:${m.fields.get('S') ?? ''}` : m.kind);
  return out;
};

describe('client handshake', () => {
  it('asks for a cleartext password after the startup packet and returns the token', () => {
    const h = new ClientHandshake({ tlsAvailable: false, tlsRequired: false });
    expect(backendKinds(h.onMessage(startup({ database: 'db' })))).toEqual(['AuthenticationCleartextPassword']);
    const step = h.onMessage(password('eyJ.token'));
    expect(step).toMatchObject({ kind: 'authenticate', token: 'eyJ.token', startup: { connection: 'db' } });
  });

  it('answers SSLRequest with S when TLS is configured, N otherwise, and N to a second request', () => {
    const tls = new ClientHandshake({ tlsAvailable: true, tlsRequired: false });
    expect(tls.onMessage(one(SSL_REQUEST)).kind).toBe('start-tls');
    expect(tls.onMessage(one(SSL_REQUEST))).toMatchObject({ kind: 'reply', bytes: Buffer.from('N') });
    const plain = new ClientHandshake({ tlsAvailable: false, tlsRequired: false });
    expect(plain.onMessage(one(SSL_REQUEST))).toMatchObject({ kind: 'reply', bytes: Buffer.from('N') });
    expect(plain.onMessage(one(GSSENC_REQUEST))).toMatchObject({ kind: 'reply', bytes: Buffer.from('N') });
  });

  it('refuses a plaintext startup when TLS is required, with a FATAL naming sslmode', () => {
    const h = new ClientHandshake({ tlsAvailable: true, tlsRequired: true });
    const step = h.onMessage(startup({ database: 'db' }));
    expect(step.kind).toBe('refuse');
    expect(step.kind === 'refuse' && step.reason).toMatch(/sslmode=require/);
    expect(backendKinds(step)).toEqual(['Error:28000:FATAL']);
  });

  it('hands a CancelRequest over without answering', () => {
    const h = new ClientHandshake({ tlsAvailable: false, tlsRequired: false });
    const step = h.onMessage(one(writeCancelRequest(new Writer(16), 1234, Buffer.from([1, 2, 3, 4])).finish()));
    expect(step).toMatchObject({ kind: 'cancel', processId: 1234 });
  });

  it('negotiates a newer protocol minor and _pq_ options down to 3.0 before asking for the password', () => {
    const h = new ClientHandshake({ tlsAvailable: false, tlsRequired: false });
    expect(backendKinds(h.onMessage(startup({ database: 'db', '_pq_.x': '1' }, 2)))).toEqual(['NegotiateProtocolVersion', 'AuthenticationCleartextPassword']);
  });

  it('refuses an empty password, a message other than a password, and anything after a refusal', () => {
    const h = new ClientHandshake({ tlsAvailable: false, tlsRequired: false });
    h.onMessage(startup({ database: 'db' }));
    expect(backendKinds(h.onMessage(password('')))).toEqual(['Error:28P01:FATAL']);
    const h2 = new ClientHandshake({ tlsAvailable: false, tlsRequired: false });
    h2.onMessage(startup({ database: 'db' }));
    expect(backendKinds(h2.onMessage(decodeAll(encodeFrontendMessage({ kind: 'Query', sql: 'SELECT 1' }), true)[0] as DecodedFrontendMessage))).toEqual(['Error:08P01:FATAL']);
    expect(h2.onMessage(password('late')).kind).toBe('refuse');
  });
});
