import { join } from 'node:path';
import type { TollgateConfig } from '../core/config/index.js';
import { EventCodec } from '../core/events/codec.js';
import { ConfluentSchemaRegistry } from '../core/events/registry/confluent.js';
import { LocalSchemaRegistry } from '../core/events/registry/local.js';
import type { SchemaRegistry } from '../core/events/registry/port.js';
import { openStore } from '../core/store/open.js';
import type { Store } from '../core/store/port.js';
import { readFileSync } from 'node:fs';
import type { Logger } from '../core/logger.js';
import { openEmbeddedLog } from '../core/log/embedded/index.js';
import { createKafkaEventLog } from '../core/log/kafka/event-log.js';
import type { EventLog } from '../core/log/port.js';

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

/** Opens the event log the configuration names: the embedded log (segment files) or Kafka. */
export async function openConfiguredLog(config: TollgateConfig, logger: Logger): Promise<EventLog> {
  const l = config.eventLog;
  if (l.kind === 'embedded') {
    return openEmbeddedLog({
      dir: l.dir,
      partitions: l.partitions,
      fsync: l.fsync,
      fsyncIntervalMs: Math.max(1, l.fsyncInterval),
      lingerMs: l.linger,
      segmentBytes: l.segmentBytes,
      retention: { maxAgeMs: l.retention.maxAge, maxBytes: l.retention.maxBytes ?? 0 },
      onError: (err) => logger.error({ err }, 'event log'),
    });
  }
  const ssl = l.ssl === true || l.ssl === false ? l.ssl : {
    ...(l.ssl.caPath === undefined ? {} : { ca: readFileSync(l.ssl.caPath) }),
    ...(l.ssl.certPath === undefined ? {} : { cert: readFileSync(l.ssl.certPath) }),
    ...(l.ssl.keyPath === undefined ? {} : { key: readFileSync(l.ssl.keyPath) }),
    rejectUnauthorized: l.ssl.rejectUnauthorized,
  };
  return createKafkaEventLog({
    brokers: l.brokers,
    clientId: l.clientId,
    ssl,
    ...(l.sasl === undefined ? {} : { sasl: { mechanism: l.sasl.mechanism, username: l.sasl.username, password: l.sasl.password.reveal() } }),
    createTopics: { partitions: l.partitions, replicationFactor: l.replicationFactor },
    // A pino logger is a LogSink; kafkajs' chatter is one level down from ours.
    logger: logger.child({ component: 'kafka' }),
  });
}
