import { describe, expect, it } from 'vitest';
import { ColumnCatalog, type CatalogColumn, type CatalogSource } from './column-catalog.js';

class FakeSource implements CatalogSource {
  calls = 0;
  fail = false;
  columnsByOid(oids: readonly number[]): Promise<Map<number, Map<number, CatalogColumn>>> {
    this.calls++;
    if (this.fail) return Promise.reject(new Error('down'));
    return Promise.resolve(new Map(oids.filter((o) => o === 10).map((o) => [o, new Map([[1, { schema: 'public', table: 'users', name: 'email' }]])])));
  }
  columnsByName(): Promise<CatalogColumn[] | undefined> {
    this.calls++;
    return this.fail ? Promise.reject(new Error('down')) : Promise.resolve([{ schema: 'public', table: 'users', name: 'email' }]);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('column catalog', () => {
  it('resolves table OID and attribute number to schema.table.column, and computed columns by name', async () => {
    let now = 0;
    const source = new FakeSource();
    const c = new ColumnCatalog(source, () => now, 1000);
    expect(c.missing([0, 10, 10, 11])).toEqual([10, 11]);
    await c.load([10, 11]);
    expect(c.missing([10, 11])).toEqual([]);
    expect(c.column(10, 1, 'alias', 'text')).toEqual({ schema: 'public', table: 'users', name: 'email', format: 'text' });
    expect(c.column(0, 0, 'upper', 'binary')).toEqual({ name: 'upper', format: 'binary' });
    // A table the catalog does not show (dropped, no privilege): fail closed.
    expect(c.column(11, 1, 'x', 'text')).toBe('unavailable');
    expect(c.column(10, 9, 'x', 'text')).toBe('unavailable');
    now = 1001;
    expect(c.missing([10])).toEqual([10]);
  });

  it('caches a failed lookup as unavailable instead of guessing', async () => {
    const source = new FakeSource();
    source.fail = true;
    const c = new ColumnCatalog(source, () => 0);
    await c.load([10]);
    expect(c.column(10, 1, 'email', 'text')).toBe('unavailable');
    await c.loadRelation(undefined, 'users');
    expect(c.relation(undefined, 'users')).toBe('unavailable');
    expect(c.relationMissing(undefined, 'users')).toBe(false);
  });
});
