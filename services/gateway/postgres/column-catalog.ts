import type { ColumnRef } from '../../core/masking/index.js';

/** A column as the upstream catalog names it. */
export interface CatalogColumn {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
}

/** Loads catalog rows from the upstream database; the only part that does I/O. */
export interface CatalogSource {
  /** Columns (attnum > 0, not dropped) of the given table OIDs, keyed by OID then attnum. */
  columnsByOid(oids: readonly number[]): Promise<Map<number, Map<number, CatalogColumn>>>;
  /** Columns of a relation by name, in attnum order; undefined when there is no such relation. */
  columnsByName(schema: string | undefined, table: string): Promise<CatalogColumn[] | undefined>;
  close(): Promise<void>;
}

/** The cache's answer for a table: its columns, or 'unavailable' when the lookup failed (fail closed). */
type Entry = { readonly at: number; readonly columns: Map<number, CatalogColumn> | 'unavailable' };

/**
 * Resolves RowDescription columns (table OID + attribute number) to schema.table.column, cached per
 * upstream database. Entries expire after `ttlMs` so a dropped and recreated table (new OID, or an
 * OID reused) is looked up again; a failed lookup is cached briefly as 'unavailable' and the
 * masking path withholds those columns instead of guessing.
 */
export class ColumnCatalog {
  private readonly byOid = new Map<number, Entry>();
  private readonly byName = new Map<string, { at: number; columns: CatalogColumn[] | undefined | 'unavailable' }>();
  /** Bumped whenever a table's entry changes: column plans computed from the cache are valid while it stays. */
  version = 0;

  constructor(
    private readonly source: CatalogSource,
    private readonly now: () => number,
    private readonly ttlMs = 60_000,
  ) {}

  /** Table OIDs not (or no longer) in the cache. */
  missing(oids: readonly number[]): number[] {
    const out: number[] = [];
    const now = this.now();
    for (const oid of oids) {
      if (oid === 0 || out.includes(oid)) continue;
      const e = this.byOid.get(oid);
      if (e === undefined || now - e.at > this.ttlMs) out.push(oid);
    }
    return out;
  }

  /** Loads the given OIDs; never rejects (a failure is cached as unavailable). */
  async load(oids: readonly number[]): Promise<void> {
    let result: Map<number, Map<number, CatalogColumn>> | undefined;
    try {
      result = await this.source.columnsByOid(oids);
    } catch {
      result = undefined;
    }
    const at = this.now();
    for (const oid of oids) this.byOid.set(oid, { at, columns: result?.get(oid) ?? (result === undefined ? 'unavailable' : new Map()) });
    this.version++;
  }

  /**
   * The column for a RowDescription field: a ref with schema and table when resolved, a ref by
   * name only for computed columns (table OID 0), 'unavailable' when the catalog could not say.
   */
  column(tableOid: number, attnum: number, fieldName: string, format: 'text' | 'binary'): ColumnRef | 'unavailable' {
    if (tableOid === 0 || attnum <= 0) return { name: fieldName, format };
    const e = this.byOid.get(tableOid);
    if (e === undefined || e.columns === 'unavailable') return 'unavailable';
    const c = e.columns.get(attnum);
    // A table we can read but whose attribute we cannot see: treat like a failed lookup.
    return c === undefined ? 'unavailable' : { schema: c.schema, table: c.table, name: c.name, format };
  }

  /** Whether a relation by name still needs loading. */
  relationMissing(schema: string | undefined, table: string): boolean {
    const e = this.byName.get(`${schema ?? ''}.${table}`);
    return e === undefined || this.now() - e.at > this.ttlMs;
  }

  /** Loads a relation's columns by name; never rejects. */
  async loadRelation(schema: string | undefined, table: string): Promise<void> {
    let columns: CatalogColumn[] | undefined | 'unavailable';
    try {
      columns = await this.source.columnsByName(schema, table);
    } catch {
      columns = 'unavailable';
    }
    this.byName.set(`${schema ?? ''}.${table}`, { at: this.now(), columns });
  }

  /** A relation's columns by name, from the cache. */
  relation(schema: string | undefined, table: string): CatalogColumn[] | undefined | 'unavailable' {
    return this.byName.get(`${schema ?? ''}.${table}`)?.columns ?? 'unavailable';
  }
}
