import { z } from 'zod';
import { TollgateError } from '../errors.js';
import { defaultMigrationsDir } from './migrations.js';

/** Default retention of recorded frames, in days (README "Retention"). */
export const DefaultFrameRetentionDays = 90;

const common = {
  /** Days frames are kept (TTL on frames.ts); 0 keeps them forever. */
  frameRetentionDays: z.number().int().min(0).max(36_500).default(DefaultFrameRetentionDays),
  /** Folder of NNNN_name.sql migrations; tests point it elsewhere. */
  migrationsDir: z.string().min(1).default(defaultMigrationsDir),
};

const chdbSchema = z
  .object({
    kind: z.literal('chdb'),
    /** Data directory; chDB binds one per process. */
    path: z.string().min(1),
    /** Reads running at once; each holds a libuv worker thread while it runs. */
    maxConcurrentReads: z.number().int().min(1).max(16).default(2),
    ...common,
  })
  .strict();

const clickhouseSchema = z
  .object({
    kind: z.literal('clickhouse'),
    url: z.url({ protocol: /^https?$/ }),
    username: z.string().default('default'),
    password: z.string().default(''),
    database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('default'),
    requestTimeoutMs: z.number().int().min(1).default(30_000),
    ...common,
  })
  .strict();

const storeConfigSchema = z.discriminatedUnion('kind', [chdbSchema, clickhouseSchema]);

/** Store configuration as written by a user: optional fields may be left out. */
export type StoreConfigInput = z.input<typeof storeConfigSchema>;
/** Store configuration with every default filled in. */
export type StoreConfig = z.output<typeof storeConfigSchema>;
export type ChdbStoreConfig = z.output<typeof chdbSchema>;
export type ClickHouseStoreConfig = z.output<typeof clickhouseSchema>;

/** Validates and defaults a store configuration, naming every bad field in one TG_ERR_CONFIG. */
export function normaliseStoreConfig(input: unknown): StoreConfig {
  const parsed = storeConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'store'}: ${i.message}`);
  throw new TollgateError('TG_ERR_CONFIG', `store configuration is invalid: ${problems.join('; ')}`, {
    context: { fields: parsed.error.issues.map((i) => i.path.join('.')) },
  });
}
