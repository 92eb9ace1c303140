import { openChdbStore } from './chdb-store.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { normaliseStoreConfig, type StoreConfigInput } from './config.js';
import type { Store } from './port.js';

/**
 * Opens the store a configuration names: chDB in process (`{ kind: 'chdb', path }`) or a ClickHouse
 * server (`{ kind: 'clickhouse', url, ... }`). The configuration is validated and defaulted here, once.
 * Migrations are not run: call migrate() where the process owns the schema.
 */
export async function openStore(config: StoreConfigInput): Promise<Store> {
  const normalised = normaliseStoreConfig(config);
  return normalised.kind === 'chdb' ? openChdbStore(normalised) : openClickHouseStore(normalised);
}
