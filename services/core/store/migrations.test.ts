import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { applyMigrations, loadMigrations, type MigrationTarget } from './migrations.js';
import type { QueryParams } from './port.js';

/** Records statements; remembers inserted migration rows like the real table would. */
class FakeTarget implements MigrationTarget {
  readonly statements: string[] = [];
  readonly recorded: { version: number; checksum: string }[] = [];
  failOn: RegExp | undefined;

  command(sql: string, params?: QueryParams): Promise<void> {
    if (this.failOn?.test(sql)) return Promise.reject(new Error('Code: 62. Syntax error'));
    this.statements.push(sql);
    if (sql.startsWith('INSERT INTO schema_migrations')) {
      this.recorded.push({ version: Number(params?.version), checksum: String(params?.checksum) });
    }
    return Promise.resolve();
  }

  query<T>(): Promise<T[]> {
    return Promise.resolve(this.recorded as T[]);
  }
}

describe('migrations', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-migrations-unit-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('applies files in version order, statement by statement, each once', async () => {
    await writeFile(join(dir, '0002_more.sql'), 'CREATE TABLE b (x UInt8) ENGINE = Memory;');
    await writeFile(join(dir, '0001_init.sql'), "CREATE TABLE a (x String DEFAULT ';') ENGINE = Memory;\n-- c\nSELECT 1;");
    const target = new FakeTarget();
    expect(await applyMigrations(target, await loadMigrations(dir))).toEqual([1, 2]);
    expect(target.statements.filter((s) => !s.includes('schema_migrations'))).toEqual([
      "CREATE TABLE a (x String DEFAULT ';') ENGINE = Memory",
      '-- c\nSELECT 1',
      'CREATE TABLE b (x UInt8) ENGINE = Memory',
    ]);
    expect(await applyMigrations(target, await loadMigrations(dir))).toEqual([]);
  });

  it('stops at a failing statement with TG_ERR_STORE_MIGRATION and records nothing for it', async () => {
    await writeFile(join(dir, '0001_init.sql'), 'CREATE TABLE a (x UInt8) ENGINE = Memory;');
    await writeFile(join(dir, '0002_bad.sql'), 'CREATE TABLE b (x UInt8) ENGINE = Memory; BROKEN; CREATE TABLE c (x UInt8) ENGINE = Memory;');
    const target = new FakeTarget();
    target.failOn = /BROKEN/;
    const err: unknown = await applyMigrations(target, await loadMigrations(dir)).catch((e: unknown) => e);
    expect(isTollgateError(err, 'TG_ERR_STORE_MIGRATION')).toBe(true);
    expect((err as Error).message).toContain('0002_bad failed at statement 2 of 3');
    expect(target.recorded.map((r) => r.version)).toEqual([1]);
    expect(target.statements.some((s) => s.includes('TABLE c'))).toBe(false);
  });

  it.each([
    ['0001-init.sql', 'a name without the NNNN_ form'],
    ['1_init.sql', 'a short version'],
    ['0001_Init.sql', 'upper case'],
  ])('refuses %s (%s)', async (file) => {
    await writeFile(join(dir, file), 'SELECT 1');
    await expect(loadMigrations(dir)).rejects.toMatchObject({ code: 'TG_ERR_STORE_MIGRATION' });
  });

  it('refuses duplicate versions and a missing folder', async () => {
    await writeFile(join(dir, '0001_a.sql'), 'SELECT 1');
    await writeFile(join(dir, '0001_b.sql'), 'SELECT 2');
    await expect(loadMigrations(dir)).rejects.toMatchObject({ code: 'TG_ERR_STORE_MIGRATION' });
    await expect(loadMigrations(join(dir, 'missing'))).rejects.toMatchObject({ code: 'TG_ERR_STORE_MIGRATION' });
  });

  it('ships 0001_init with every store table', async () => {
    const [init] = await loadMigrations();
    expect(init?.version).toBe(1);
    const text = init?.statements.join('\n') ?? '';
    for (const table of ['frames', 'sessions', 'queries', 'commands', 'alerts', 'dead_letters']) {
      expect(text).toContain(`CREATE TABLE IF NOT EXISTS ${table}`);
    }
  });
});
