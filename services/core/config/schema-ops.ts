import { z } from 'zod';
import { byteSize, duration } from './duration.js';
import { name } from './schema-runtime.js';
import { secretRef } from './secret.js';

const webhook = z.strictObject({
  name,
  url: z.url(),
  /** HMAC key for the X-Tollgate-Signature header; receivers use it to reject forged alerts. */
  secret: secretRef.optional(),
  minSeverity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('medium'),
  timeout: duration.prefault('5s'),
  /** Body shape: tollgate's alert JSON, or an OCSF Detection Finding (class 2004). */
  format: z.enum(['tollgate', 'ocsf']).default('tollgate'),
  /** Deliveries tried per alert (exponential backoff between them) before a dead-letter row. */
  maxAttempts: z.number().int().min(1).max(20).default(6),
});

export const ingestSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Extra anomaly rule files; default: <dataDir>/rules (built-in rules always load). */
    rulesDir: z.string().min(1).optional(),
    webhooks: z.array(webhook).default([]),
    consumerGroup: z.string().min(1).default('tollgate-ingest'),
    /** Most records ingest takes per batch when behind (each batch costs an insert per table). */
    batchRecords: z.number().int().min(1).max(1_000_000).default(20_000),
    /** Masking profile applied at rest per connection name; others use defaultMaskingProfile. */
    maskingByConnection: z.record(name, name).default({}),
    /** Masking profile at rest for connections not listed (the built-in "pii" runs every detector). */
    defaultMaskingProfile: name.default('pii'),
  })
  .prefault({});

export const limitsSchema = z
  .strictObject({
    /** Sessions with no traffic for this long are closed. */
    idleTimeout: duration.prefault('30m'),
    /** Per statement or command; 0 disables. */
    statementTimeout: duration.prefault('5m'),
    /** Sessions are ended this long after their token's exp; 0 ends them at exp. */
    tokenExpiryGrace: duration.prefault('5m'),
    /** Largest single protocol message accepted from a client or upstream. */
    maxMessageSize: byteSize.default(16 * 1024 * 1024),
    /** Open sessions per gateway node; new ones are refused beyond it. */
    maxSessions: z.number().int().min(1).default(1000),
  })
  .prefault({});
