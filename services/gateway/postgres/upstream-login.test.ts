import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readPasswordMessage, readSASLInitialResponse, readSASLResponse } from './protocol/auth-response.js';
import { BackendDecoder, encodeBackendMessage, noticeFields, type BackendMessage, type DecodedBackendMessage } from './protocol/index.js';
import { UpstreamLogin, type LoginStep } from './upstream-login.js';

const decoded = (msg: BackendMessage): DecodedBackendMessage => {
  const d = new BackendDecoder();
  d.push(encodeBackendMessage(msg));
  const m = d.next();
  if (m === undefined) throw new Error('no message');
  return m;
};
const sent = (step: LoginStep): Buffer => {
  if (step.kind !== 'send') throw new Error(`expected send, got ${step.kind}`);
  return step.bytes;
};
const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();

describe('upstream login', () => {
  it('answers cleartext and md5 requests with the configured password', () => {
    const login = new UpstreamLogin('svc', 'pw', 'db');
    expect(readPasswordMessage(sent(login.onMessage(decoded({ kind: 'AuthenticationCleartextPassword' }))))).toBe('pw');
    const salt = Buffer.from([1, 2, 3, 4]);
    const inner = createHash('md5').update('pwsvc').digest('hex');
    const expected = 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex');
    expect(readPasswordMessage(sent(login.onMessage(decoded({ kind: 'AuthenticationMD5Password', salt }))))).toBe(expected);
  });

  it('runs a SCRAM-SHA-256 exchange a server can verify, and checks the server signature', () => {
    const password = 'pencil';
    const login = new UpstreamLogin('svc', password, 'db');
    const initial = readSASLInitialResponse(sent(login.onMessage(decoded({ kind: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] }))));
    expect(initial.mechanism).toBe('SCRAM-SHA-256');
    const clientFirst = initial.data?.toString() ?? '';
    const clientFirstBare = clientFirst.replace(/^n,,/, '');
    const clientNonce = /r=([^,]+)/.exec(clientFirstBare)?.[1] ?? '';
    const salt = Buffer.from('saltsaltsalt');
    const serverFirst = `r=${clientNonce}SERVER,s=${salt.toString('base64')},i=4096`;
    const final = readSASLResponse(sent(login.onMessage(decoded({ kind: 'AuthenticationSASLContinue', data: Buffer.from(serverFirst) })))).toString();
    const withoutProof = final.replace(/,p=[^,]+$/, '');
    const proof = Buffer.from(/,p=([^,]+)$/.exec(final)?.[1] ?? '', 'base64');
    const salted = pbkdf2Sync(password, salt, 4096, 32, 'sha256');
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const clientKey = hmac(salted, 'Client Key');
    const signature = hmac(createHash('sha256').update(clientKey).digest(), authMessage);
    expect(Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)))).toEqual(proof);
    const v = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
    expect(login.onMessage(decoded({ kind: 'AuthenticationSASLFinal', data: Buffer.from(`v=${v}`) })).kind).toBe('wait');
    expect(login.onMessage(decoded({ kind: 'AuthenticationOk' })).kind).toBe('wait');
    expect(login.onMessage(decoded({ kind: 'ReadyForQuery', status: 'I' }))).toEqual({ kind: 'ready', status: 'I' });
  });

  it('refuses a server whose SCRAM signature is wrong (it never knew the password)', () => {
    const login = new UpstreamLogin('svc', 'pw', 'db');
    const initial = readSASLInitialResponse(sent(login.onMessage(decoded({ kind: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] }))));
    const nonce = /r=([^,]+)/.exec(initial.data?.toString() ?? '')?.[1] ?? '';
    login.onMessage(decoded({ kind: 'AuthenticationSASLContinue', data: Buffer.from(`r=${nonce}x,s=${Buffer.from('s').toString('base64')},i=1`) }));
    expect(() => login.onMessage(decoded({ kind: 'AuthenticationSASLFinal', data: Buffer.from(`v=${Buffer.alloc(32).toString('base64')}`) }))).toThrow(/signature is wrong/);
  });

  it('collects parameter statuses and the backend key for relaying', () => {
    const login = new UpstreamLogin('svc', undefined, 'db');
    login.onMessage(decoded({ kind: 'ParameterStatus', name: 'server_version', value: '15.0' }));
    login.onMessage(decoded({ kind: 'BackendKeyData', processId: 77, secretKey: Buffer.from([9, 9, 9, 9]) }));
    expect(login.parameters.get('server_version')).toBe('15.0');
    expect(login.parameterFrames).toHaveLength(1);
    expect(login.backendKey?.processId).toBe(77);
  });

  it('fails clearly: server refusal, missing password, unsupported mechanisms and methods, never echoing the password', () => {
    const refused = new UpstreamLogin('svc', 'hunter2', 'db');
    const err = decoded({ kind: 'ErrorResponse', fields: noticeFields({ severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "svc"' }) });
    expect(() => refused.onMessage(err)).toThrow(/connection "db" refused the gateway's login: password authentication failed/);
    expect(() => new UpstreamLogin('svc', undefined, 'db').onMessage(decoded({ kind: 'AuthenticationMD5Password', salt: Buffer.alloc(4) }))).toThrow(/connections\.db\.upstream\.password is not configured/);
    expect(() => new UpstreamLogin('svc', 'pw', 'db').onMessage(decoded({ kind: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS'] }))).toThrow(/offers only SASL mechanisms/);
    expect(() => new UpstreamLogin('svc', 'pw', 'db').onMessage(decoded({ kind: 'AuthenticationGSS' }))).toThrow(/unsupported authentication method/);
    try {
      new UpstreamLogin('svc', 'hunter2', 'db').onMessage(decoded({ kind: 'AuthenticationSASLFinal', data: Buffer.from('v=x') }));
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
  });
});
