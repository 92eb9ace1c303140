import { z } from 'zod';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { TollgateError } from '../../errors.js';
import type { LogIo } from './io.js';
import { nodeIo } from './io.js';

const MiB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

const positiveInt = z.number().int().positive();

const schema = z.object({
  dir: z.string().min(1),
  partitions: positiveInt.max(1024).default(4),
  topicPartitions: z.record(z.string(), positiveInt.max(1024)).default({}),
  /** always: ack after an fsync covering the record (group commit); interval: ack after write. */
  fsync: z.enum(['always', 'interval', 'never']).default('always'),
  fsyncIntervalMs: positiveInt.default(1000),
  /** Extra wait before a write round, to gather more appends; 0 = next event-loop turn. */
  lingerMs: z.number().int().min(0).max(1000).default(0),
  segmentBytes: positiveInt.min(1024).max(1024 * MiB).default(64 * MiB),
  indexIntervalBytes: positiveInt.default(4096),
  /** Largest record value an append accepts (keys: at most 65535 UTF-8 bytes). */
  maxRecordBytes: positiveInt.max(256 * MiB).default(8 * MiB),
  maxPendingBytes: positiveInt.min(1024).default(32 * MiB),
  backpressure: z.enum(['block', 'refuse']).default('block'),
  retention: z.object({
    /** Closed segments whose newest record is older than this go; 0 = no age limit. */
    maxAgeMs: z.number().int().min(0).default(7 * DAY_MS),
    /** Per partition; oldest closed segments go while the partition is bigger; 0 = no limit. */
    maxBytes: z.number().int().min(0).default(0),
    /** Per partition; beyond it segments go even if a consumer group still needs them; 0 = never. */
    hardMaxBytes: z.number().int().min(0).default(0),
    checkIntervalMs: positiveInt.default(60_000),
  }).strict().prefault({}),
  consumer: z.object({
    maxBatchRecords: positiveInt.default(500),
    maxBatchBytes: positiveInt.default(MiB),
    retryDelayMs: z.number().int().min(0).default(500),
  }).strict().prefault({}),
}).strict();

type SchemaInput = z.input<typeof schema>;

/** What openEmbeddedLog accepts; every field but dir has a default. */
export interface EmbeddedLogOptions extends SchemaInput {
  clock?: Clock;
  /** File operations; tests inject counters or gates here. */
  io?: LogIo;
  /** Receives problems that have no caller to reject (consumer read errors, retention, commits). */
  onError?: (err: TollgateError) => void;
}

/** Options after defaults, validated once at open. */
export interface NormalizedOptions extends z.output<typeof schema> {
  clock: Clock;
  io: LogIo;
  onError: (err: TollgateError) => void;
}

function defaultOnError(err: TollgateError): void {
  process.emitWarning(`${err.code}: ${err.message}`, { code: err.code });
}

/** Validates options and fills every default; reports all bad fields in one TG_ERR_CONFIG. */
export function normalizeOptions(options: EmbeddedLogOptions): NormalizedOptions {
  const { clock, io, onError, ...plain } = options;
  const parsed = schema.safeParse(plain);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TollgateError('TG_ERR_CONFIG', `embedded event log options are invalid: ${fields.join('; ')}`, {
      context: { fields },
    });
  }
  const o = parsed.data;
  if (o.retention.hardMaxBytes > 0 && o.retention.hardMaxBytes < o.retention.maxBytes) {
    throw new TollgateError('TG_ERR_CONFIG', 'embedded event log options are invalid: ' +
      'retention.hardMaxBytes must be at least retention.maxBytes');
  }
  return { ...o, clock: clock ?? systemClock, io: io ?? nodeIo, onError: onError ?? defaultOnError };
}

/** Partition count for a topic created now; an existing topic keeps the count stored with it. */
export function partitionsFor(options: NormalizedOptions, topic: string): number {
  return options.topicPartitions[topic] ?? options.partitions;
}
