/**
 * Child process of the crash test: appends to an embedded log with the default fsync policy until
 * it is killed. After each append resolves it prints `ack <key> <seq>` lines; stdout on a pipe is
 * synchronous on Linux, so a line the parent reads was acknowledged before the kill.
 *
 * Usage: node --import tsx test/crash/embedded-log-writer.ts <dir> <topic> <segment-bytes> <run-id> [producers]
 */
import { openEmbeddedLog } from '../../services/core/log/embedded/index.js';

async function main(): Promise<void> {
  const [dir, topic, segmentBytes, runId, producersArg] = process.argv.slice(2);
  if (!dir || !topic || !segmentBytes || !runId) {
    throw new Error('usage: embedded-log-writer.ts <dir> <topic> <segment-bytes> <run-id> [producers]');
  }
  const producers = Number(producersArg ?? '8');
  const log = await openEmbeddedLog({ dir, segmentBytes: Number(segmentBytes) });
  process.stdout.write('ready\n');
  // Each producer owns its keys and waits for each append, so per key, seq n+1 is only appended
  // after seq n was acknowledged: what is on disk for a key must be 0..m without gaps.
  await Promise.all(Array.from({ length: producers }, async (_, p) => {
    const keys = [`${runId}-p${p}-a`, `${runId}-p${p}-b`];
    const next = [0, 0];
    for (let round = 0; ; round++) {
      const batch = 1 + (round % 3);
      const records = [];
      const acked: string[] = [];
      for (let i = 0; i < batch; i++) {
        const k = (round + i) % 2;
        const key = keys[k] as string;
        const seq = next[k] as number;
        next[k] = seq + 1;
        records.push({ key, value: Buffer.from(`${key}:${seq}:`.padEnd(200, 'x')) });
        acked.push(`ack ${key} ${seq}\n`);
      }
      await log.append(topic, records);
      process.stdout.write(acked.join(''));
    }
  }));
}

main().catch((err: unknown) => {
  process.stderr.write(`writer failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
