import { describe, expect, it } from 'vitest';
import { encodeBatch, InsertPlans, insertSettings } from './insert-plan.js';

const columns = [
  { name: 'topic', type: 'LowCardinality(String)', default_kind: '' },
  { name: 'log_offset', type: 'UInt64', default_kind: 'DEFAULT' },
  { name: 'day', type: 'Date', default_kind: 'MATERIALIZED' },
];

function plans(rows: unknown[]): { plans: InsertPlans; queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    plans: new InsertPlans(<T>(sql: string) => {
      queries.push(sql);
      return Promise.resolve(rows as T[]);
    }),
  };
}

describe('InsertPlans', () => {
  it('writes only insertable columns and reads the columns once per table', async () => {
    const { plans: p, queries } = plans(columns);
    const plan = await p.get('dead_letters');
    expect(plan.columns).toEqual(['topic', 'log_offset']);
    await p.get('dead_letters');
    expect(queries).toHaveLength(1);
    p.clear();
    await p.get('dead_letters');
    expect(queries).toHaveLength(2);
  });

  it('refuses tables off the allowlist before asking the engine, and tables not yet created', async () => {
    const { plans: p, queries } = plans([]);
    expect(() => p.get('frames`; DROP TABLE frames')).toThrow(/unknown table/);
    expect(queries).toHaveLength(0);
    await expect(p.get('frames')).rejects.toThrow(/run migrations first/);
  });
});

describe('encodeBatch', () => {
  it('produces the same bytes in slices as in one piece', async () => {
    const plan = await plans(columns).plans.get('dead_letters');
    const rows = Array.from({ length: 2_500 }, (_, i) => ({ topic: `t\t${i}`, log_offset: i }));
    expect((await encodeBatch(plan, rows)).equals(plan.encode(rows))).toBe(true);
  });
});

describe('insertSettings', () => {
  it('carries the token and refuses empty or oversized ones', () => {
    expect(insertSettings('frames/0/1-9')).toMatchObject({ insert_deduplication_token: 'frames/0/1-9', insert_deduplicate: 1 });
    expect(insertSettings(undefined)).not.toHaveProperty('insert_deduplication_token');
    expect(() => insertSettings('')).toThrow(/1 to 1024/);
    expect(() => insertSettings('x'.repeat(1025))).toThrow(/1 to 1024/);
  });
});
