import { hostname } from 'node:os';
import { z } from 'zod';
import { byteSize, duration } from './duration.js';
import { secretRef } from './secret.js';

/** Names used as map keys (connections, roles, profiles): no dots, spaces or prototype names. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
export const name = z.string().regex(NAME, 'expected a name of letters, digits, "-" or "_" (max 63, starting with a letter or digit)');

const port = z.number().int().min(1).max(65535);
export const portSchema = port;

export const nodeSchema = z
  .strictObject({
    /** Identifies this gateway in frames and logs; defaults to the host name. */
    name: z.string().min(1).max(128).default(() => hostname()),
  })
  .prefault({});

export const logSchema = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    pretty: z.boolean().default(false),
  })
  .prefault({});

const embeddedLog = z.strictObject({
  kind: z.literal('embedded'),
  /** Default: <dataDir>/log. */
  dir: z.string().min(1).optional(),
  /** always: fsync every append batch; interval: every fsyncIntervalMs; never: leave it to the OS. */
  fsync: z.enum(['always', 'interval', 'never']).default('always'),
  fsyncInterval: duration.default(100),
  /**
   * How long a write round waits to gather more appends before its write and fsync. Gateways do
   * not hold a session's traffic for the log, so this delays only the log (and ingest), and saves
   * fsyncs and thread-pool round trips: 5 ms took the PostgreSQL gateway from about 78-86 to 63-67
   * µs CPU per pgbench transaction (0 ms: the next event-loop turn; see docs/configuration.md).
   */
  linger: duration.refine((ms) => ms <= 1000, 'expected at most 1s').default(5),
  /**
   * One by default: embedded mode has one ingest consumer, and every partition a commit round
   * touches costs an fsync (measured on the PostgreSQL gateway: 62 vs 77-105 µs CPU per pgbench
   * transaction). Per-session order holds with any count.
   */
  partitions: z.number().int().min(1).max(1024).default(1),
  segmentBytes: byteSize.default(64 * 1024 * 1024),
  retention: z
    .strictObject({ maxAge: duration.prefault('7d'), maxBytes: byteSize.optional() })
    .prefault({}),
});

const tlsClient = z.strictObject({
  caPath: z.string().min(1).optional(),
  certPath: z.string().min(1).optional(),
  keyPath: z.string().min(1).optional(),
  rejectUnauthorized: z.boolean().default(true),
});

const kafkaLog = z.strictObject({
  kind: z.literal('kafka'),
  brokers: z.array(z.string().min(1)).min(1),
  clientId: z.string().min(1).default('tollgate'),
  ssl: z.union([z.boolean(), tlsClient]).default(false),
  sasl: z
    .strictObject({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string().min(1),
      password: secretRef,
    })
    .optional(),
  partitions: z.number().int().min(1).max(1024).default(8),
  replicationFactor: z.number().int().min(1).default(3),
});

export const eventLogSchema = z.discriminatedUnion('kind', [embeddedLog, kafkaLog]).prefault({ kind: 'embedded' });

const chdbStore = z.strictObject({
  kind: z.literal('chdb'),
  /** Default: <dataDir>/chdb. chDB locks it: one process per path. */
  path: z.string().min(1).optional(),
});

const clickhouseStore = z.strictObject({
  kind: z.literal('clickhouse'),
  url: z.url(),
  username: z.string().min(1).default('default'),
  password: secretRef.optional(),
  database: z.string().min(1).default('tollgate'),
});

export const storeSchema = z.discriminatedUnion('kind', [chdbStore, clickhouseStore]).prefault({ kind: 'chdb' });

export const schemaRegistrySchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('local') }),
    z.strictObject({
      kind: z.literal('confluent'),
      url: z.url(),
      username: z.string().min(1).optional(),
      password: secretRef.optional(),
    }),
  ])
  .prefault({ kind: 'local' });
