import { TollgateError } from '../errors.js';

/**
 * The tables callers may insert into: the allowlist every interpolated table name is checked
 * against (names cannot be bound parameters). schema_migrations is written by the migrator only.
 */
export const StoreTables = ['frames', 'sessions', 'queries', 'commands', 'alerts', 'dead_letters'] as const;

export type StoreTable = (typeof StoreTables)[number];

const allowed: ReadonlySet<string> = new Set(StoreTables);

/** Returns `name` as a StoreTable, or throws TG_ERR_STORE naming the tables that exist. */
export function assertStoreTable(name: string): StoreTable {
  if (!allowed.has(name)) {
    throw new TollgateError('TG_ERR_STORE', `unknown table ${JSON.stringify(name)}; expected one of ${StoreTables.join(', ')}`, {
      context: { table: name },
    });
  }
  return name as StoreTable;
}

/** Name of the table recording applied migrations. */
export const MigrationsTable = 'schema_migrations';
