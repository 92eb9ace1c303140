/**
 * Store: the port to ClickHouse. Adapters: chdb (the engine in process) and clickhouse (HTTP server
 * through @clickhouse/client). Both run the same DDL (migrations/) and the same SQL.
 *
 * Parameters are always bound server-side with `{name:Type}` placeholders, never concatenated.
 */

export type QueryParams = Record<string, unknown>;

export interface InsertOptions {
  /**
   * Deduplication token: a retried insert with the same token is a no-op in effect. Ingest derives it
   * from log offsets (topic/partition/first-last offset), so a restarted consumer writes rows once.
   */
  dedupToken?: string;
}

/**
 * Rows encoded for one table by {@link Store.encode}: the CPU part of an insert done ahead, so that
 * {@link Store.insert} only waits on the engine. Valid until the next migrate().
 */
export interface EncodedRows {
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: number;
  /** One TabSeparated payload, columns in `columns` order. */
  readonly payload: Buffer;
}

export interface QueryOptions {
  /** Engine-level read-only (ClickHouse `readonly=1`): writes and settings changes are refused. */
  readOnly?: boolean;
  /** Engine-enforced limits for compliance queries. */
  maxResultRows?: number;
  maxExecutionSeconds?: number;
}

export interface Store {
  /** Runs a SELECT and returns rows as objects (JSONEachRow semantics: 64-bit ints as strings). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams, options?: QueryOptions): Promise<T[]>;
  /** Runs a statement that returns no rows (DDL, OPTIMIZE, ...). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Encodes rows for a later insert into `table` (checks the table and every value now). */
  encode(table: string, rows: readonly Record<string, unknown>[]): Promise<EncodedRows>;
  /** Inserts rows (or rows encoded by encode()) in one batch. */
  insert(table: string, rows: readonly Record<string, unknown>[] | EncodedRows, options?: InsertOptions): Promise<void>;
  /** Applies pending versioned migrations; idempotent. Returns the versions applied now. */
  migrate(): Promise<number[]>;
  close(): Promise<void>;
}
