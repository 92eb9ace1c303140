import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isTollgateError, type ErrorCode } from '../../../core/errors.js';
import { md5PasswordHash } from './md5-password.js';
import { saslprep } from './saslprep.js';
import {
  parseScramServerFirst,
  scramClientFinal,
  scramClientFirst,
  scramSaltedPassword,
  verifyScramServerFinal,
} from './scram-client.js';

// node-postgres is an independent implementation of the same client side: an oracle for md5 and SCRAM.
const require = createRequire(import.meta.url);
interface PgSaslSession { clientNonce: string; response: string; serverSignature: string }
const pgSasl = require('pg/lib/crypto/sasl.js') as {
  startSession(mechanisms: string[]): PgSaslSession;
  continueSession(session: PgSaslSession, password: string, serverData: string): Promise<void>;
};
const pgUtils = require('pg/lib/crypto/utils.js') as {
  postgresMd5PasswordHash(user: string, password: string, salt: Buffer): Promise<string>;
};

function expectCode(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isTollgateError(thrown, code), String(thrown)).toBe(true);
}

// RFC 7677 section 3.
const RFC = {
  nonce: 'rOprNGfwEbeRWgbNEkqO',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

describe('SCRAM-SHA-256 client', () => {
  it('reproduces the RFC 7677 test vector end to end', () => {
    const first = scramClientFirst({ nonce: RFC.nonce, username: 'user' });
    expect(first.message).toBe(RFC.clientFirst);
    const server = parseScramServerFirst(RFC.serverFirst, first.clientNonce);
    const final = scramClientFinal(first, server, { password: 'pencil' });
    expect(final.message).toBe(RFC.clientFinal);
    expect(() => verifyScramServerFinal(RFC.serverFinal, final.expectedServerSignature)).not.toThrow();
  });

  it('gives the same proof from a cached salted password', () => {
    const first = scramClientFirst({ nonce: RFC.nonce, username: 'user' });
    const server = parseScramServerFirst(RFC.serverFirst, first.clientNonce);
    const saltedPassword = scramSaltedPassword('pencil', server.salt, server.iterations);
    expect(scramClientFinal(first, server, { saltedPassword }).message).toBe(RFC.clientFinal);
  });

  it('agrees with node-postgres on proof and server signature for arbitrary passwords', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20 }), fc.uint8Array({ minLength: 1, maxLength: 16 }), async (password, salt) => {
        const session = pgSasl.startSession(['SCRAM-SHA-256']);
        const serverFirst = `r=${session.clientNonce}srv,s=${Buffer.from(salt).toString('base64')},i=16`;
        await pgSasl.continueSession(session, password, serverFirst);
        const first = scramClientFirst({ nonce: session.clientNonce, username: '*' });
        const final = scramClientFinal(first, parseScramServerFirst(serverFirst, first.clientNonce), { password });
        expect(final.message).toBe(session.response);
        expect(final.expectedServerSignature.toString('base64')).toBe(session.serverSignature);
      }),
      { numRuns: 30 },
    );
  });

  it('binds to the TLS channel with SCRAM-SHA-256-PLUS', () => {
    const data = Buffer.alloc(32, 7);
    const first = scramClientFirst({ nonce: RFC.nonce, channelBinding: { name: 'tls-server-end-point', data } });
    expect(first.mechanism).toBe('SCRAM-SHA-256-PLUS');
    expect(first.message.startsWith('p=tls-server-end-point,,n=,r=')).toBe(true);
    const final = scramClientFinal(first, parseScramServerFirst(RFC.serverFirst, RFC.nonce), { password: 'pencil' });
    const c = final.message.split(',')[0]?.slice(2) ?? '';
    expect(Buffer.from(c, 'base64').equals(Buffer.concat([Buffer.from('p=tls-server-end-point,,'), data]))).toBe(true);
  });

  it('refuses a forged server signature and reports a server error', () => {
    const first = scramClientFirst({ nonce: RFC.nonce, username: 'user' });
    const final = scramClientFinal(first, parseScramServerFirst(RFC.serverFirst, RFC.nonce), { password: 'not-pencil' });
    expectCode(() => verifyScramServerFinal(RFC.serverFinal, final.expectedServerSignature), 'TG_ERR_UPSTREAM');
    expectCode(() => verifyScramServerFinal('v=AAAA', final.expectedServerSignature), 'TG_ERR_UPSTREAM');
    expectCode(() => verifyScramServerFinal('e=invalid-proof', final.expectedServerSignature), 'TG_ERR_UPSTREAM');
    expectCode(() => verifyScramServerFinal('x', final.expectedServerSignature), 'TG_ERR_PROTOCOL');
  });

  it('refuses server-first messages that would weaken or stall the exchange', () => {
    const ok = 's=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    expectCode(() => parseScramServerFirst(`r=someoneelse,${ok}`, RFC.nonce), 'TG_ERR_PROTOCOL');
    expectCode(() => parseScramServerFirst(`r=${RFC.nonce},${ok}`, RFC.nonce), 'TG_ERR_PROTOCOL');
    expectCode(() => parseScramServerFirst(`r=${RFC.nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0`, RFC.nonce), 'TG_ERR_PROTOCOL');
    expectCode(() => parseScramServerFirst(`r=${RFC.nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999`, RFC.nonce), 'TG_ERR_PROTOCOL');
    expectCode(() => parseScramServerFirst(`r=${RFC.nonce}x,s=%%%,i=4096`, RFC.nonce), 'TG_ERR_PROTOCOL');
    expectCode(() => parseScramServerFirst(`m=ext,r=${RFC.nonce}x,${ok}`, RFC.nonce), 'TG_ERR_PROTOCOL');
    expectCode(() => parseScramServerFirst('garbage', RFC.nonce), 'TG_ERR_PROTOCOL');
  });

  it('escapes = and , in the user name and makes fresh nonces', () => {
    expect(scramClientFirst({ nonce: 'n', username: 'a=b,c' }).clientFirstBare).toBe('n=a=3Db=2Cc,r=n');
    expect(scramClientFirst().clientNonce).not.toBe(scramClientFirst().clientNonce);
    expectCode(() => scramClientFirst({ nonce: 'has,comma' }), 'TG_ERR_PROTOCOL');
  });
});

describe('SCRAM parsing of arbitrary server input', () => {
  it('throws nothing but TollgateError on any server-first or server-final text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        for (const fn of [() => parseScramServerFirst(text, 'abc'), () => verifyScramServerFinal(text, Buffer.alloc(32))]) {
          try {
            fn();
          } catch (err) {
            expect(isTollgateError(err), String(err)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('SASLprep', () => {
  it('leaves ASCII alone, maps spaces and soft hyphens, and normalises to NFKC', () => {
    expect(saslprep('pencil')).toBe('pencil');
    expect(saslprep('I\u00adX')).toBe('IX');
    expect(saslprep('a\u00a0b')).toBe('a b');
    expect(saslprep('\u2168')).toBe('IX');
  });

  it('falls back to the raw password when the prepared one is prohibited, as PostgreSQL does', () => {
    expect(saslprep('a\u0007b\u00e9')).toBe('a\u0007b\u00e9');
    expect(saslprep('\u05d0a\u05d0')).toBe('\u05d0a\u05d0');
  });
});

describe('md5 password', () => {
  it('matches node-postgres for arbitrary users, passwords and salts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), fc.uint8Array({ minLength: 4, maxLength: 4 }), async (user, password, salt) => {
        const expected = await pgUtils.postgresMd5PasswordHash(user, password, Buffer.from(salt));
        expect(md5PasswordHash(user, password, salt)).toBe(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a salt that is not 4 bytes', () => {
    expectCode(() => md5PasswordHash('u', 'p', Buffer.alloc(3)), 'TG_ERR_PROTOCOL');
  });
});
