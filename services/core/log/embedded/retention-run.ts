import { unlink } from 'node:fs/promises';
import { TollgateError } from '../../errors.js';
import type { ConsumerGroup } from './consumer-group.js';
import { fsyncDir } from './io.js';
import type { NormalizedOptions } from './options.js';
import type { PartitionLog } from './partition-log.js';
import { planRetention } from './retention.js';
import type { SegmentFacts } from './retention.js';
import type { Topic } from './topic.js';

/** Segments retention deleted from one partition. */
export interface RetentionReport {
  topic: string;
  partition: number;
  deletedBaseOffsets: number[];
  logStartOffset: number;
  overrodeGroups: boolean;
}

/** Lowest committed offset of the groups reading topic (a group that has not committed one: 0). */
function protectedFrom(groups: readonly ConsumerGroup[], part: PartitionLog): number {
  let min = Infinity;
  for (const g of groups) {
    if (!g.knows(part.topic)) continue;
    min = Math.min(min, g.committed(part.topic, part.partition) ?? 0);
  }
  return min;
}

/** Applies the retention policy to every partition; deletes files, never the active segment. */
export async function runRetention(
  topics: readonly Topic[], groups: readonly ConsumerGroup[], options: NormalizedOptions,
): Promise<RetentionReport[]> {
  const reports: RetentionReport[] = [];
  const now = options.clock.nowMs();
  for (const topic of topics) {
    for (const part of topic.partitions) {
      // Only segments the writer has closed are candidates; the first open one stands for "active".
      const firstOpen = part.segments.findIndex((s) => !s.closed);
      const facts: SegmentFacts[] = part.segments.slice(0, firstOpen + 1);
      const plan = planRetention(facts, options.retention, now, protectedFrom(groups, part));
      if (plan.count === 0) continue;
      const doomed = part.segments.splice(0, plan.count);
      for (const seg of doomed) {
        await unlink(seg.path);
        await unlink(seg.indexPath).catch(() => undefined);
      }
      await fsyncDir(options.io, part.dir);
      const report = {
        topic: part.topic, partition: part.partition, deletedBaseOffsets: doomed.map((s) => s.baseOffset),
        logStartOffset: part.logStartOffset, overrodeGroups: plan.overrodeGroups,
      };
      reports.push(report);
      if (plan.overrodeGroups) {
        options.onError(new TollgateError('TG_ERR_LOG_RETENTION',
          `retention hard limit (${options.retention.hardMaxBytes} bytes) reached on ${part.topic}/${part.partition}: ` +
          `deleted records some consumer group had not committed; log now starts at ${part.logStartOffset}`,
          { context: { ...report } }));
      }
    }
  }
  return reports;
}
