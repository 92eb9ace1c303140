// Child process of pipeline/crash.test.ts: runs ingest over an embedded log and chDB in the folder
// given as argv[2] until killed (SIGKILL) or, with FINAL=1, until the log stays idle.
import { join } from 'node:path';
import { ManualClock } from '../../services/core/clock.js';
import { EventCodec } from '../../services/core/events/codec.js';
import { LocalSchemaRegistry } from '../../services/core/events/registry/local.js';
import { openEmbeddedLog } from '../../services/core/log/embedded/index.js';
import { Topics } from '../../services/core/log/port.js';
import { openStore } from '../../services/core/store/open.js';
import { MaskingPlans } from '../masking/profiles.js';
import { IngestPipeline } from '../pipeline/pipeline.js';
import { setWriteHook } from '../pipeline/writer.js';
import { loadFingerprinter } from '../projection/fingerprint.js';
import { RuleEngine } from '../rules/engine.js';
import { loadRules } from '../rules/load.js';
import { warmRules } from '../rules/warm.js';
import { orderFree } from './expected.js';
import { TEST_PROFILES } from './harness.js';

const dir = process.argv[2]!;
const final = process.env['FINAL'] === '1';
const store = await openStore({ kind: 'chdb', path: join(dir, 'chdb') });
await store.migrate();
await loadFingerprinter();
const codec = await EventCodec.create(await LocalSchemaRegistry.open(join(dir, 'schemas')));
const log = await openEmbeddedLog({ dir: join(dir, 'log'), partitions: 2, fsync: 'never' });
const engine = new RuleEngine(orderFree(loadRules()));
const clock = new ManualClock(Date.now());
await warmRules(store, engine, Number(clock.nowMicros()));
const pipeline = new IngestPipeline({ codec, store, plans: new MaskingPlans({ profiles: TEST_PROFILES }), rules: engine, clock });
// Pauses between the inserts of a batch so a kill lands between tables as often as inside one.
setWriteHook(() => new Promise((r) => setTimeout(r, Math.random() * 4)));
let last = Date.now();
const consumer = await log.consume({ group: 'tollgate-ingest', topics: [Topics.frames], maxBatchRecords: 40 }, async (batch) => {
  process.stdout.write(`batch ${batch.partition}:${batch.records[0]!.offset}\n`);
  // As the ingest role runs it: the writes are the batch's tail, overlapping the next batch's staging.
  const tail = await pipeline.stage(batch);
  last = Date.now();
  return tail === undefined ? undefined : async () => {
    await tail();
    last = Date.now();
  };
});
process.stdout.write('ready\n');
if (final) {
  const timer = setInterval(() => {
    if (Date.now() - last < 1500) return;
    clearInterval(timer);
    void consumer
      .stop()
      .then(() => log.close())
      .then(() => store.close())
      .then(() => {
        process.stdout.write('done\n');
        process.exit(0);
      });
  }, 200);
}
