import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { drainPending, Session } from 'chdb';
import { TollgateError } from '../errors.js';
import type { ChdbStoreConfig } from './config.js';
import { storeError } from './engine-errors.js';
import { encodeFor, InsertPlans, insertSettings, isEncoded } from './insert-plan.js';
import { parseJsonEachRow } from './json-rows.js';
import { OpQueue } from './op-queue.js';
import type { EncodedRows, InsertOptions, QueryOptions, QueryParams, Store } from './port.js';
import { checkStatement, querySettings } from './query-settings.js';
import { migrateToCurrent } from './retention.js';

// libchdb binds one data directory per process. Stores at the same path share it (chDB lets
// connections to one path coexist); a store at another path must wait until every store here closed.
let bound: { path: string; stores: number } | undefined;
// Set while the last store's connections drain; an open waits for it rather than race it.
let releasing: Promise<void> | undefined;

/**
 * Opens the in-process ClickHouse engine at `config.path`. Writes (inserts, DDL, migrations) run one
 * at a time on one connection; each read gets its own short-lived connection carrying its limits
 * and readonly=1 as connection settings, so nothing a query does can outlive it.
 */
export async function openChdbStore(config: ChdbStoreConfig): Promise<Store> {
  const path = resolve(config.path);
  if (releasing !== undefined) await releasing;
  if (bound !== undefined && bound.path !== path) {
    throw new TollgateError(
      'TG_ERR_STORE_BOUND',
      `chDB is bound to ${bound.path} in this process; close every store there before opening ${path} ` +
        '(libchdb holds one data directory per process)',
      { context: { boundPath: bound.path, path } },
    );
  }
  bound = { path, stores: (bound?.stores ?? 0) + 1 };
  try {
    await mkdir(path, { recursive: true });
    return new ChdbStore(path, config, new Session(path));
  } catch (cause) {
    await release();
    // chDB locks the directory (its status file) against other processes; the addon's message
    // does not say so.
    throw storeError(cause, `opening chDB at ${path} (is another process using this data directory?)`, { path });
  }
}

async function release(): Promise<void> {
  if (bound === undefined || --bound.stores > 0) return;
  // A connection closed while an operation still runs stays counted by libchdb; wait it out.
  releasing = drainPending().finally(() => {
    releasing = undefined;
    if (bound?.stores === 0) bound = undefined;
  });
  await releasing;
}

class ChdbStore implements Store {
  private readonly writes = new OpQueue(1);
  private readonly reads: OpQueue;
  private readonly plans = new InsertPlans((sql, params) => this.query(sql, params));
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly config: ChdbStoreConfig,
    private readonly writer: Session,
  ) {
    this.reads = new OpQueue(config.maxConcurrentReads);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams, options?: QueryOptions): Promise<T[]> {
    this.assertOpen();
    checkStatement(sql, options);
    const connectionArgs = Object.entries(querySettings(options)).map(([k, v]) => `--${k}=${v}`);
    return this.reads.run(async () => {
      const session = new Session(this.path, { connectionArgs });
      try {
        const result = params === undefined
          ? await session.queryAsync(sql, { format: 'JSONEachRow' })
          : await session.queryBindAsync(sql, params, { format: 'JSONEachRow' });
        return parseJsonEachRow<T>(result.text());
      } catch (err) {
        throw storeError(err, 'query', { sql: sql.slice(0, 200) });
      } finally {
        session.close();
      }
    });
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    this.assertOpen();
    await this.writes.run(async () => {
      try {
        if (params === undefined) await this.writer.queryAsync(sql);
        else await this.writer.queryBindAsync(sql, params);
      } catch (err) {
        throw storeError(err, 'command', { sql: sql.slice(0, 200) });
      }
    });
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
    await this.writes.run(async () => {
      try {
        await this.writer.insert({ table: encoded.table, columns: encoded.columns, format: 'TabSeparated', values: encoded.payload, settings });
      } catch (err) {
        throw storeError(err, `insert into ${encoded.table}`, { table: encoded.table, rows: encoded.rows });
      }
    });
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
    await Promise.all([this.writes.idle(), this.reads.idle()]);
    this.writer.close();
    await release();
  }

  private assertOpen(): void {
    if (this.closed) throw new TollgateError('TG_ERR_STORE', `the store at ${this.path} is closed`);
  }
}
