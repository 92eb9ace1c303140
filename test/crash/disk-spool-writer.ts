/**
 * Child process of the spool crash test: appends to a DiskSpool and now and then drains it, until
 * killed. Prints `ack <key> <seq>` after an append resolved and `dlv <key> <seq>` inside deliver,
 * before it resolves (stdout on a pipe is synchronous on Linux: a line read was printed pre-kill).
 *
 * Usage: node --import tsx test/crash/disk-spool-writer.ts <dir> <run-id>
 */
import { DiskSpool } from '../../services/core/recording/disk-spool.js';

async function main(): Promise<void> {
  const [dir, runId] = process.argv.slice(2);
  if (!dir || !runId) throw new Error('usage: disk-spool-writer.ts <dir> <run-id>');
  const spool = await DiskSpool.open({ dir, maxBytes: 256 * 1024 * 1024 });
  process.stdout.write('ready\n');
  const keys = [`${runId}-a`, `${runId}-b`];
  const next = [0, 0];
  for (let round = 0; ; round++) {
    const records = [];
    const acks: string[] = [];
    for (let i = 0; i < 1 + (round % 3); i++) {
      const k = (round + i) % 2;
      const key = keys[k] as string;
      const seq = next[k] as number;
      next[k] = seq + 1;
      records.push({ key, value: Buffer.from(`${key}:${seq}:`.padEnd(150 + (seq % 7) * 40, 'x')) });
      acks.push(`ack ${key} ${seq}\n`);
    }
    await spool.append(records);
    process.stdout.write(acks.join(''));
    if (round % 4 === 3) {
      await spool.drain((batch) => {
        process.stdout.write(batch.map((r) => `dlv ${r.key} ${r.value.toString().split(':')[1] ?? '?'}\n`).join(''));
        return Promise.resolve();
      });
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`spool writer failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
