import { join } from 'node:path';
import { EventCodec } from '../../services/core/events/codec.js';
import { LocalSchemaRegistry } from '../../services/core/events/registry/local.js';
import type { Frame } from '../../services/core/events/types.js';
import { openEmbeddedLog } from '../../services/core/log/embedded/index.js';
import { Topics } from '../../services/core/log/port.js';

/** The config's default partition count (eventLog.partitions), which the gateway's log was made with. */
const PARTITIONS = 8;

/**
 * Every frame a stopped gateway recorded in the embedded log under dataDir, decoded with the
 * schemas it registered; per partition in log order (one session's frames share a partition).
 */
export async function readRecordedFrames(dataDir: string): Promise<Frame[]> {
  const codec = await EventCodec.create(await LocalSchemaRegistry.open(join(dataDir, 'schemas')));
  const log = await openEmbeddedLog({ dir: join(dataDir, 'log'), partitions: PARTITIONS, fsync: 'never' });
  const values: Buffer[] = [];
  const started = Date.now();
  let last = started;
  try {
    const consumer = await log.consume({ group: `read-${process.pid}-${Date.now()}`, topics: [Topics.frames], start: 'earliest' }, (batch) => {
      for (const r of batch.records) values.push(r.value);
      last = Date.now();
      return Promise.resolve();
    });
    // The consumer has no "caught up" signal: stop once batches stopped coming for a while (and,
    // on a slow machine, not before the first one had a fair chance to arrive).
    const caughtUp = () => Date.now() - last >= 500 && (values.length > 0 || Date.now() - started >= 10_000);
    while (!caughtUp()) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop();
  } finally {
    await log.close();
  }
  return values.map((v) => codec.decodeFrame(v));
}
