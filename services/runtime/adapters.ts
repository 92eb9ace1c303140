import { join } from 'node:path';
import type { TollgateConfig } from '../core/config/index.js';
import { EventCodec } from '../core/events/codec.js';
import { ConfluentSchemaRegistry } from '../core/events/registry/confluent.js';
import { LocalSchemaRegistry } from '../core/events/registry/local.js';
import type { SchemaRegistry } from '../core/events/registry/port.js';
import { openStore } from '../core/store/open.js';
import type { Store } from '../core/store/port.js';

/** Opens the store the configuration names: chDB in process or a ClickHouse server. */
export function openConfiguredStore(config: TollgateConfig): Promise<Store> {
  const s = config.store;
  if (s.kind === 'chdb') return openStore({ kind: 'chdb', path: s.path });
  return openStore({
    kind: 'clickhouse',
    url: s.url,
    username: s.username,
    password: s.password?.reveal() ?? '',
    database: s.database,
  });
}

/** Opens the schema registry the configuration names: local (file in dataDir) or Confluent-compatible. */
export async function openConfiguredRegistry(config: TollgateConfig): Promise<SchemaRegistry> {
  const r = config.schemaRegistry;
  if (r.kind === 'local') return LocalSchemaRegistry.open(join(config.dataDir, 'schemas'));
  const headers: Record<string, string> = {};
  if (r.username !== undefined) {
    headers['authorization'] = `Basic ${Buffer.from(`${r.username}:${r.password?.reveal() ?? ''}`).toString('base64')}`;
  }
  return new ConfluentSchemaRegistry({ url: r.url, headers });
}

/** Registers the current event schemas and returns the codec every role encodes and decodes with. */
export async function openCodec(config: TollgateConfig): Promise<EventCodec> {
  return EventCodec.create(await openConfiguredRegistry(config));
}
