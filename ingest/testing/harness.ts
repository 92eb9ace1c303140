import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../services/core/clock.js';
import type { EventCodec } from '../../services/core/events/codec.js';
import { Topics, type AppendRecord, type LogRecord } from '../../services/core/log/port.js';
import type { MaskingProfile } from '../../services/core/masking/index.js';
import { openStore } from '../../services/core/store/open.js';
import type { Store } from '../../services/core/store/port.js';
import { MaskingPlans } from '../masking/profiles.js';
import { IngestPipeline } from '../pipeline/pipeline.js';
import { loadFingerprinter } from '../projection/fingerprint.js';
import { RuleEngine, type CompiledRule } from '../rules/engine.js';
import { loadRules } from '../rules/load.js';
import { warmRules } from '../rules/warm.js';

export interface Harness {
  dir: string;
  store: Store;
  close(): Promise<void>;
}

/** Opens chDB in a new temporary folder with the schema applied (one per test file: chDB binds one folder per process). */
export async function openTestStore(label: string): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), `tollgate-ingest-${label}-`));
  const store = await openStore({ kind: 'chdb', path: dir });
  await store.migrate();
  await loadFingerprinter();
  return {
    dir,
    store,
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Masking profiles tests use: `pii` (every detector) and `hr` (a column rule on salary). */
export const TEST_PROFILES: Record<string, MaskingProfile> = {
  pii: { detectors: ['all'], columns: [] },
  hr: { detectors: ['all'], columns: [{ column: 'salary', action: 'redact' }] },
};

/** A pipeline over the store with the built-in rules (or the given ones). */
export function testPipeline(store: Store, codec: EventCodec, rules: CompiledRule[] = loadRules()): IngestPipeline {
  return new IngestPipeline({
    codec,
    store,
    plans: new MaskingPlans({ profiles: TEST_PROFILES, byConnection: { 'hr-db': 'hr' } }),
    rules: new RuleEngine(rules),
    clock: new ManualClock(Date.now()),
  });
}

/** A pipeline as a restarted worker builds it: rule state warmed from the store first. */
export async function restartedPipeline(store: Store, codec: EventCodec): Promise<IngestPipeline> {
  const engine = new RuleEngine(loadRules());
  await warmRules(store, engine, Date.now() * 1000);
  return new IngestPipeline({ codec, store, plans: new MaskingPlans({ profiles: TEST_PROFILES, byConnection: { 'hr-db': 'hr' } }), rules: engine, clock: new ManualClock(Date.now()) });
}

/** Appended records as one partition's log records from `firstOffset`. */
export function asLogRecords(records: readonly AppendRecord[], firstOffset = 0, partition = 0): LogRecord[] {
  return records.map((r, i) => ({ topic: Topics.frames, partition, offset: firstOffset + i, key: r.key, value: r.value, timestampMs: 0 }));
}

/** Feeds records through a pipeline in batches of `size`, as one partition. */
export async function feed(pipeline: IngestPipeline, records: readonly AppendRecord[], size = 1000, firstOffset = 0): Promise<void> {
  const all = asLogRecords(records, firstOffset);
  for (let i = 0; i < all.length; i += size) {
    await pipeline.handle({ topic: Topics.frames, partition: 0, records: all.slice(i, i + size) });
  }
}
