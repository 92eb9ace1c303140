import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { TollgateError } from '../errors.js';
import type { ClickHouseStoreConfig } from './config.js';
import { storeError } from './engine-errors.js';
import { encodeFor, InsertPlans, insertSettings, isEncoded } from './insert-plan.js';
import type { EncodedRows, InsertOptions, QueryOptions, QueryParams, Store } from './port.js';
import { checkStatement, querySettings } from './query-settings.js';
import { migrateToCurrent } from './retention.js';

/**
 * Opens a store on a ClickHouse server over HTTP. Every request carries its own settings (limits,
 * readonly=1, dedup token) as URL parameters, and parameters travel as `param_*`, never in the SQL.
 * Nothing is sent until the first operation.
 */
export function openClickHouseStore(config: ClickHouseStoreConfig): Store {
  const client = createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
    request_timeout: config.requestTimeoutMs,
    application: 'tollgate',
    // Errors reach the caller as TollgateErrors and get logged there, once, through pino.
    log: { level: ClickHouseLogLevel.OFF },
  });
  return new ClickHouseStore(config, client);
}

class ClickHouseStore implements Store {
  private readonly plans = new InsertPlans((sql, params) => this.query(sql, params));
  private closed = false;

  constructor(
    private readonly config: ClickHouseStoreConfig,
    private readonly client: ClickHouseClient,
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams, options?: QueryOptions): Promise<T[]> {
    this.assertOpen();
    checkStatement(sql, options);
    try {
      const result = await this.client.query({
        query: sql,
        format: 'JSONEachRow',
        ...(params === undefined ? {} : { query_params: params }),
        clickhouse_settings: querySettings(options),
      });
      return await result.json<T>();
    } catch (err) {
      throw storeError(err, 'query', { sql: sql.slice(0, 200) });
    }
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    this.assertOpen();
    try {
      // wait_end_of_query: an error late in a DDL or mutation still fails the request.
      await this.client.command({
        query: sql,
        ...(params === undefined ? {} : { query_params: params }),
        clickhouse_settings: { wait_end_of_query: 1 },
      });
    } catch (err) {
      throw storeError(err, 'command', { sql: sql.slice(0, 200) });
    }
  }

  async encode(table: string, rows: readonly Record<string, unknown>[]): Promise<EncodedRows> {
    this.assertOpen();
    return encodeFor(this.plans, table, rows);
  }

  async insert(table: string, rows: readonly Record<string, unknown>[] | EncodedRows, options: InsertOptions = {}): Promise<void> {
    this.assertOpen();
    const settings = insertSettings(options.dedupToken);
    if ((isEncoded(rows) ? rows.rows : rows.length) === 0) return;
    const encoded = isEncoded(rows) ? rows : await encodeFor(this.plans, table, rows);
    if (encoded.table !== table) throw new TollgateError('TG_ERR_STORE', `rows encoded for ${encoded.table} cannot go into ${table}`);
    const [first, ...rest] = encoded.columns;
    if (first === undefined) return;
    try {
      await this.client.insert({
        table: encoded.table,
        columns: [first, ...rest],
        format: 'TabSeparated',
        values: Readable.from([encoded.payload], { objectMode: false }),
        clickhouse_settings: settings,
      });
    } catch (err) {
      throw storeError(err, `insert into ${encoded.table}`, { table: encoded.table, rows: encoded.rows });
    }
  }

  async migrate(): Promise<number[]> {
    this.assertOpen();
    const applied = await migrateToCurrent(this, this.config);
    this.plans.clear();
    return applied;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new TollgateError('TG_ERR_STORE', `the store at ${this.config.url} is closed`);
  }
}

