import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { DefaultFrameRetentionDays, normaliseStoreConfig } from './config.js';
import { defaultMigrationsDir } from './migrations.js';

describe('normaliseStoreConfig', () => {
  it('fills every default for chdb and clickhouse', () => {
    expect(normaliseStoreConfig({ kind: 'chdb', path: './data/store' })).toEqual({
      kind: 'chdb', path: './data/store', maxConcurrentReads: 2,
      frameRetentionDays: DefaultFrameRetentionDays, migrationsDir: defaultMigrationsDir,
    });
    expect(normaliseStoreConfig({ kind: 'clickhouse', url: 'http://127.0.0.1:8123' })).toMatchObject({
      username: 'default', password: '', database: 'default', requestTimeoutMs: 30_000, frameRetentionDays: 90,
    });
  });

  it('names every bad field in one TG_ERR_CONFIG and never echoes the password', () => {
    let err: unknown;
    try {
      normaliseStoreConfig({
        kind: 'clickhouse', url: 'ftp://x', database: 'a; DROP DATABASE b', password: 'hunter2', frameRetentionDays: -1, extra: 1,
      });
    } catch (e) {
      err = e;
    }
    expect(isTollgateError(err, 'TG_ERR_CONFIG')).toBe(true);
    const message = (err as Error).message;
    for (const field of ['url', 'database', 'frameRetentionDays']) expect(message).toContain(field);
    expect(message).toMatch(/extra/);
    expect(message).not.toContain('hunter2');
  });

  it.each([undefined, null, 'chdb', {}, { kind: 'sqlite', path: 'x' }, { kind: 'chdb' }, { kind: 'chdb', path: '' }])(
    'refuses %o',
    (input) => {
      expect(() => normaliseStoreConfig(input)).toThrow(/store configuration is invalid/);
    },
  );
});
