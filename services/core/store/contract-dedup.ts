import { describe, expect, it } from 'vitest';
import { sampleRows } from './contract-fixtures.js';
import type { Store } from './port.js';

/** Deduplication-token behaviour of the Store contract; `sid` makes a unique session id. */
export function dedupContract(store: () => Store, sid: (label: string) => string): void {
  describe('deduplication token', () => {
    const count = async (id: string, table: string): Promise<number> =>
      Number((await store().query<{ c: string }>(`SELECT count() AS c FROM ${table} WHERE session_id = {s:String}`, { s: id }))[0]?.c);

    it.each(['frames', 'queries'])('%s: same token writes once, a different token writes again', async (table) => {
      const id = sid(`dedup-${table}`);
      const rows = sampleRows(table, id);
      const token = `${id}:0-2 ' \\' {t:String}`;
      await store().insert(table, rows, { dedupToken: token });
      await store().insert(table, rows, { dedupToken: token });
      expect(await count(id, table)).toBe(rows.length);
      await store().insert(table, rows, { dedupToken: `${id}:3-5` });
      expect(await count(id, table)).toBe(rows.length * 2);
    });
  });

  it('keeps dedup tokens per table: one token may cover a batch and the rows derived from it', async () => {
    const id = sid('token-per-table');
    const token = `${id}:frames/0/0-2`;
    await store().insert('frames', sampleRows('frames', id), { dedupToken: token });
    await store().insert('queries', sampleRows('queries', id), { dedupToken: token });
    for (const table of ['frames', 'queries']) {
      const [row] = await store().query<{ c: string }>(`SELECT count() AS c FROM ${table} WHERE session_id = {s:String}`, { s: id });
      expect(row?.c).toBe('3');
    }
  });
}
