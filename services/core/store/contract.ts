import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir } from './migrations.js';
import type { Store } from './port.js';
import { StoreTables } from './tables.js';
import { expectCode, frameRow, hostileStrings, sampleRows } from './contract-fixtures.js';
import { dedupContract } from './contract-dedup.js';
import { readOnlyContract } from './contract-readonly.js';

export interface StoreFactoryOptions {
  /** Migrations folder to use instead of the shipped one. */
  migrationsDir?: string;
  frameRetentionDays?: number;
}

/** Opens a store on the shared test database; every call must reach the same data. */
export type StoreFactory = (options?: StoreFactoryOptions) => Promise<Store>;

/**
 * The behaviour every Store adapter must show. Tests share one database and keep apart by unique
 * session ids, so the suite also runs against a long-lived server.
 */
export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const run = randomUUID().slice(0, 8);
    let n = 0;
    const sid = (label: string): string => `contract-${run}-${label}-${++n}`;

    beforeAll(async () => {
      store = await factory();
      await store.migrate();
    });
    afterAll(async () => {
      await store.close();
    });

    describe('migrations', () => {
      it('are idempotent: a second run applies nothing and records each version once', async () => {
        expect(await store.migrate()).toEqual([]);
        const rows = await store.query<{ version: number; c: string }>(
          'SELECT version, count() AS c FROM schema_migrations FINAL GROUP BY version',
        );
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) expect(row.c).toBe('1');
        const tables = await store.query<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase()');
        expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining([...StoreTables, 'schema_migrations']));
      });

      it('a failing migration reports TG_ERR_STORE_MIGRATION and is not recorded, so it runs again', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'tollgate-migrations-'));
        try {
          await cp(defaultMigrationsDir, dir, { recursive: true });
          const scratch = `contract_scratch_${run}`;
          await writeFile(
            join(dir, '9998_broken.sql'),
            `CREATE TABLE IF NOT EXISTS ${scratch} (x UInt8) ENGINE = MergeTree ORDER BY x;\nTHIS IS NOT SQL;`,
          );
          const other = await factory({ migrationsDir: dir });
          try {
            await expectCode(other.migrate(), 'TG_ERR_STORE_MIGRATION');
            const err: unknown = await other.migrate().catch((e: unknown) => e);
            expect(String((err as Error).message)).toMatch(/9998_broken.*statement 2 of 2/);
            const recorded = await other.query('SELECT version FROM schema_migrations WHERE version = {v:UInt32}', { v: 9998 });
            expect(recorded).toEqual([]);
            await other.command(`DROP TABLE IF EXISTS ${scratch}`);
          } finally {
            await other.close();
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });

      it('refuses a migration edited after it was applied, and badly named files', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'tollgate-migrations-'));
        try {
          await cp(defaultMigrationsDir, dir, { recursive: true });
          await appendFile(join(dir, '0001_init.sql'), '\n-- edited\n');
          const other = await factory({ migrationsDir: dir });
          try {
            await expectCode(other.migrate(), 'TG_ERR_STORE_MIGRATION');
            await writeFile(join(dir, '0001_init.sql'), await readFile(join(defaultMigrationsDir, '0001_init.sql')));
            await writeFile(join(dir, 'add-things.sql'), 'SELECT 1');
            await expectCode(other.migrate(), 'TG_ERR_STORE_MIGRATION');
          } finally {
            await other.close();
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    });

    describe('parameter binding', () => {
      it('returns hostile strings literally', async () => {
        for (const value of hostileStrings) {
          const [row] = await store.query<{ v: string; len: string }>('SELECT {v:String} AS v, length({v:String}) AS len', { v: value });
          expect(row?.v).toBe(value);
          expect(Number(row?.len)).toBe(Buffer.byteLength(value));
        }
      });

      it('stores hostile strings as data and finds them by bound value only', async () => {
        const base = sid('hostile');
        const rows = hostileStrings.map((s, i) => frameRow(`${base}${s}`, i));
        await store.insert('frames', rows);
        for (const [i, s] of hostileStrings.entries()) {
          const found = await store.query<{ seq: string }>('SELECT seq FROM frames WHERE session_id = {sid:String}', { sid: `${base}${s}` });
          expect(found).toEqual([{ seq: String(i) }]);
        }
        const tables = await store.query('SELECT name FROM system.tables WHERE database = currentDatabase() AND name = {t:String}', { t: 'frames' });
        expect(tables).toHaveLength(1);
      });

      it('binds numbers, 64-bit integers and arrays by declared type', async () => {
        const [row] = await store.query<Record<string, unknown>>(
          'SELECT {a:UInt64} AS a, {b:Int32} AS b, {c:Array(String)} AS c, {d:Float64} AS d',
          { a: 18446744073709551615n, b: -5, c: ["x'y", 'z\\'], d: 1.5 },
        );
        expect(row).toEqual({ a: '18446744073709551615', b: -5, c: ["x'y", 'z\\'], d: 1.5 });
      });

      it('fails clearly when a placeholder has no value', async () => {
        await expectCode(store.query('SELECT {missing:String} AS v', {}), 'TG_ERR_STORE');
      });
    });

    describe('insert and query round trip', () => {
      it.each([...StoreTables])('%s: rows come back as written', async (table) => {
        const id = sid(table);
        const rows = sampleRows(table, id);
        await store.insert(table, rows);
        const key = table === 'alerts' ? 'alert_id' : table === 'dead_letters' ? 'topic' : 'session_id';
        const back = await store.query<Record<string, unknown>>(`SELECT * FROM ${table} ${table === 'frames' ? '' : 'FINAL'} WHERE ${key} LIKE {p:String} ORDER BY ALL`, {
          p: `${id}%`,
        });
        expect(back).toHaveLength(rows.length);
        for (const [i, row] of rows.entries()) {
          for (const [column, value] of Object.entries(row)) {
            if (typeof value === 'string' || Array.isArray(value)) expect(back[i]?.[column], column).toEqual(value);
          }
        }
      });

      it('keeps binary payloads byte for byte', async () => {
        const id = sid('binary');
        const payload = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
        await store.insert('frames', [{ ...frameRow(id, 0), payload }, { ...frameRow(id, 1), payload: new Uint8Array([0, 92, 9, 10, 13, 255]) }]);
        const rows = await store.query<{ h: string }>('SELECT hex(payload) AS h FROM frames WHERE session_id = {s:String} ORDER BY seq', { s: id });
        expect(rows.map((r) => r.h)).toEqual([payload.toString('hex').toUpperCase(), '005C090A0DFF']);
      });

      it('keeps microsecond times given as number, bigint, Date or text', async () => {
        const id = sid('times');
        const micros = Date.now() * 1000 + 123;
        const times = [micros, BigInt(micros + 1), new Date(Math.floor(micros / 1000)), '2026-11-30 10:00:00.654321'];
        await store.insert('frames', times.map((ts, i) => ({ ...frameRow(id, i), ts })));
        const rows = await store.query<{ us: string }>(
          'SELECT toUnixTimestamp64Micro(ts) AS us FROM frames WHERE session_id = {s:String} ORDER BY seq',
          { s: id },
        );
        const expected = [micros, micros + 1, Math.floor(micros / 1000) * 1000, Date.UTC(2026, 10, 30, 10) * 1000 + 654321];
        expect(rows.map((r) => Number(r.us))).toEqual(expected);
      });

      it('keeps the highest version of a session row', async () => {
        const id = sid('versions');
        const first = { ...sampleRows('sessions', id)[0], session_id: id };
        await store.insert('sessions', [{ ...first, version: 1, outcome: 'open' }]);
        await store.insert('sessions', [{ ...first, version: 3, outcome: 'ended' }, { ...first, version: 2, outcome: 'stale' }]);
        const rows = await store.query('SELECT version, outcome FROM sessions FINAL WHERE session_id = {s:String}', { s: id });
        expect(rows).toEqual([{ version: '3', outcome: 'ended' }]);
      });

      it('refuses unknown tables, unknown columns and mistyped values before sending anything', async () => {
        const id = sid('refuse');
        await expectCode(store.insert('frames; DROP TABLE frames', [frameRow(id, 0)]), 'TG_ERR_STORE');
        await expectCode(store.insert('schema_migrations', [{ version: 1 }]), 'TG_ERR_STORE');
        await expectCode(store.insert('frames', [{ ...frameRow(id, 0), no_such_column: 1 }]), 'TG_ERR_STORE');
        await expectCode(store.insert('frames', [{ ...frameRow(id, 0), seq: 'one' }]), 'TG_ERR_STORE');
        await expectCode(store.insert('frames', [{ ...frameRow(id, 0), ts: 'yesterday' }]), 'TG_ERR_STORE');
        await expectCode(store.insert('frames', [frameRow(id, 0)], { dedupToken: '' }), 'TG_ERR_STORE');
        await store.insert('frames', []);
        expect(await store.query('SELECT 1 FROM frames WHERE session_id = {s:String}', { s: id })).toEqual([]);
      });
    });

    dedupContract(() => store, sid);
    readOnlyContract(() => store);

    it('answers investigator questions through the sorting key and skip indexes', async () => {
      const id = sid('explain');
      await store.insert('sessions', sampleRows('sessions', id));
      await store.insert('queries', sampleRows('queries', id));
      const plan = async (sql: string, params: Record<string, unknown>): Promise<string> =>
        (await store.query<{ explain: string }>(`EXPLAIN indexes = 1 ${sql}`, params)).map((r) => r.explain).join('\n');
      const bySubject = await plan(
        'SELECT session_id FROM sessions FINAL WHERE subject = {s:String} AND started_at >= now64() - INTERVAL 7 DAY',
        { s: 'nobody@example.com' },
      );
      expect(bySubject).toContain('idx_subject');
      expect(bySubject).toContain('idx_started');
      const bySession = await plan('SELECT * FROM queries WHERE session_id = {s:String} ORDER BY seq', { s: id });
      expect(bySession).toMatch(/PrimaryKey[\s\S]*session_id/);
    });

    it('sets the frames TTL from frameRetentionDays after migrations, and removes it for 0', async () => {
      const ttl = async (): Promise<string> =>
        (await store.query<{ e: string }>("SELECT engine_full AS e FROM system.tables WHERE database = currentDatabase() AND name = 'frames'"))[0]?.e ?? '';
      for (const days of [30, 0, 90]) {
        const other = await factory({ frameRetentionDays: days });
        try {
          await other.migrate();
          if (days === 0) expect(await ttl()).not.toContain('TTL');
          else expect(await ttl()).toContain(`TTL toDateTime(ts) + toIntervalDay(${days})`);
        } finally {
          await other.close();
        }
      }
    });

    it('refuses operations after close', async () => {
      const other = await factory();
      await other.close();
      await other.close();
      await expectCode(other.query('SELECT 1'), 'TG_ERR_STORE');
      await expectCode(other.insert('frames', []), 'TG_ERR_STORE');
    });
  });
}
