import { describe, expect, it } from 'vitest';
import { isRefusal, readClientStartup, upstreamStartupParameters, type ClientStartup } from './startup-params.js';

const read = (entries: Record<string, string>) => readClientStartup(new Map(Object.entries(entries)));
const accepted = (entries: Record<string, string>): ClientStartup => {
  const r = read(entries);
  if (isRefusal(r)) throw new Error(r.message);
  return r;
};

describe('client startup parameters', () => {
  it('takes the connection from the database name (or the user, as libpq defaults it)', () => {
    expect(accepted({ user: 'u', database: 'prod-db' }).connection).toBe('prod-db');
    expect(accepted({ user: 'prod-db' }).connection).toBe('prod-db');
    const none = read({});
    expect(isRefusal(none) && none.code).toBe('28000');
  });

  it('refuses options and replication in any spelling', () => {
    for (const name of ['options', 'OPTIONS', 'Options']) {
      const r = read({ database: 'd', [name]: '-c standard_conforming_strings=off' });
      expect(isRefusal(r) && r.message).toMatch(/"options" refused/i);
    }
    const repl = read({ database: 'd', replication: 'database' });
    expect(isRefusal(repl) && repl.message).toMatch(/replication/);
    expect(isRefusal(read({ database: 'd', options: '' }))).toBe(false);
  });

  it('accepts only UTF8 (or SQL_ASCII) client encodings', () => {
    for (const ok of ['UTF8', 'utf-8', 'Unicode', 'SQL_ASCII']) expect(isRefusal(read({ database: 'd', client_encoding: ok }))).toBe(false);
    for (const bad of ['SJIS', 'BIG5', 'GBK', 'LATIN1', 'auto', '']) {
      const r = read({ database: 'd', client_encoding: bad });
      expect(isRefusal(r) && r.code).toBe('0A000');
    }
  });

  it('passes only allowlisted settings, dropping ones that would weaken the gateway', () => {
    const s = accepted({
      database: 'd', user: 'mallory', application_name: 'app', datestyle: 'ISO', TimeZone: 'UTC',
      standard_conforming_strings: 'off', default_transaction_read_only: 'off', search_path: 'evil, pg_catalog', role: 'postgres',
      session_authorization: 'postgres', _pq_: 'x',
    });
    expect([...s.passed.keys()].sort()).toEqual(['DateStyle', 'TimeZone', 'application_name']);
  });
});

describe('upstream startup packet', () => {
  const client = accepted({ database: 'prod-db', user: 'mallory', application_name: 'psql' });

  it('uses the configured user and database, never the client ones, and pins the tokenizer settings', () => {
    const p = upstreamStartupParameters(client, { user: 'svc', database: 'shop', readOnly: false });
    expect(p.get('user')).toBe('svc');
    expect(p.get('database')).toBe('shop');
    expect(p.get('client_encoding')).toBe('UTF8');
    expect(p.get('standard_conforming_strings')).toBe('on');
    expect(p.get('application_name')).toBe('psql');
    expect(p.has('default_transaction_read_only')).toBe(false);
  });

  it('opens read-only grants with default_transaction_read_only=on', () => {
    expect(upstreamStartupParameters(client, { user: 'svc', database: 'shop', readOnly: true }).get('default_transaction_read_only')).toBe('on');
  });

  it('names the gateway as application when the client does not', () => {
    const bare = accepted({ database: 'd' });
    expect(upstreamStartupParameters(bare, { user: 'u', database: 'd', readOnly: false }).get('application_name')).toBe('tollgate');
  });
});
