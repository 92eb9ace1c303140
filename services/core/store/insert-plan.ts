import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { TollgateError } from '../errors.js';
import { compileColumns, encodeRows, type ColumnInfo } from './column-codecs.js';
import type { EncodedRows, QueryParams } from './port.js';
import { assertStoreTable, type StoreTable } from './tables.js';

/** A table's insertable columns and their encoders, read once from the engine. */
export interface InsertPlan {
  table: StoreTable;
  columns: string[];
  /** TabSeparated payload for `rows`, columns in `columns` order. */
  encode(rows: readonly Record<string, unknown>[]): Buffer;
}

type Query = <T>(sql: string, params?: QueryParams) => Promise<T[]>;

interface ColumnRow extends ColumnInfo {
  default_kind: string;
}

/**
 * Caches insert plans per table. The columns come from system.columns so the DDL stays the only
 * description of the schema; migrate() clears the cache.
 */
export class InsertPlans {
  private readonly plans = new Map<StoreTable, Promise<InsertPlan>>();

  constructor(private readonly query: Query) {}

  /** The plan for `table`, which must be on the allowlist. */
  get(name: string): Promise<InsertPlan> {
    const table = assertStoreTable(name);
    let plan = this.plans.get(table);
    if (plan === undefined) {
      plan = this.load(table);
      this.plans.set(table, plan);
      plan.catch(() => this.plans.delete(table));
    }
    return plan;
  }

  clear(): void {
    this.plans.clear();
  }

  private async load(table: StoreTable): Promise<InsertPlan> {
    const rows = await this.query<ColumnRow>(
      'SELECT name, type, default_kind FROM system.columns WHERE database = currentDatabase() AND table = {table:String} ORDER BY position',
      { table },
    );
    // MATERIALIZED, ALIAS and EPHEMERAL columns cannot be written.
    const insertable = rows.filter((r) => r.default_kind === '' || r.default_kind === 'DEFAULT');
    if (insertable.length === 0) {
      throw new TollgateError('TG_ERR_STORE', `table ${table} does not exist yet; run migrations first`, { context: { table } });
    }
    const compiled = compileColumns(insertable);
    return { table, columns: insertable.map((c) => c.name), encode: (batch) => encodeRows(table, compiled, batch) };
  }
}

/** Rows encoded between yields to the event loop: about 2-4 ms of work for frame rows. */
const ENCODE_SLICE_ROWS = 1000;

/**
 * Encodes a batch slice by slice, yielding to the event loop in between, so a 5,000-row batch
 * never holds the loop (which in embedded mode also carries the gateway's traffic) for its whole
 * encoding time.
 */
export async function encodeBatch(plan: InsertPlan, rows: readonly Record<string, unknown>[]): Promise<Buffer> {
  if (rows.length <= ENCODE_SLICE_ROWS) return plan.encode(rows);
  const parts: Buffer[] = [];
  for (let from = 0; from < rows.length; from += ENCODE_SLICE_ROWS) {
    if (from > 0) await yieldToEventLoop();
    parts.push(plan.encode(rows.slice(from, from + ENCODE_SLICE_ROWS)));
  }
  return Buffer.concat(parts);
}

/** Encodes `rows` for `table` with its plan (the allowlist and every value are checked here). */
export async function encodeFor(plans: InsertPlans, table: string, rows: readonly Record<string, unknown>[]): Promise<EncodedRows> {
  const plan = await plans.get(table);
  return { table: plan.table, columns: plan.columns, rows: rows.length, payload: rows.length === 0 ? Buffer.alloc(0) : await encodeBatch(plan, rows) };
}

/** What an adapter's insert() got: rows to encode now, or rows encode() already encoded. */
export function isEncoded(rows: readonly Record<string, unknown>[] | EncodedRows): rows is EncodedRows {
  return !Array.isArray(rows);
}

/** Settings every batch insert carries: dedup token, and empty TSV fields meaning "column default". */
export function insertSettings(dedupToken: string | undefined): Record<string, string | number> {
  if (dedupToken !== undefined && (dedupToken.length === 0 || dedupToken.length > 1024)) {
    throw new TollgateError('TG_ERR_STORE', 'a dedup token must be 1 to 1024 characters long', {
      context: { length: dedupToken.length },
    });
  }
  return {
    input_format_tsv_empty_as_default: 1,
    insert_deduplicate: 1,
    ...(dedupToken === undefined ? {} : { insert_deduplication_token: dedupToken }),
  };
}
