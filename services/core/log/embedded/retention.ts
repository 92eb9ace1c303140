/** What retention needs to know about one segment of a partition (oldest first, last = active). */
export interface SegmentFacts {
  baseOffset: number;
  size: number;
  maxTimestampMs: number;
}

export interface RetentionPolicy {
  maxAgeMs: number;
  maxBytes: number;
  hardMaxBytes: number;
}

export interface RetentionPlan {
  /** Delete this many of the oldest segments. */
  count: number;
  /** Some of them held records a registered group had not committed (hard limit reached). */
  overrodeGroups: boolean;
}

/**
 * Decides which of a partition's oldest segments to delete. Pure, so each rule is tested alone:
 * - only whole closed segments go, oldest first, never the active (last) one;
 * - a segment goes when its newest record is older than maxAgeMs, or while the partition is over
 *   maxBytes, but not while a registered group still needs it (it ends after protectedFrom, the
 *   lowest committed offset of the groups that read this topic);
 * - past hardMaxBytes, segments go even then: a stuck group must not fill the disk. That group
 *   later resumes at the new log start and is told what it lost (TG_ERR_LOG_RETENTION).
 */
export function planRetention(
  segments: readonly SegmentFacts[], policy: RetentionPolicy, nowMs: number, protectedFrom: number,
): RetentionPlan {
  let total = 0;
  for (const s of segments) total += s.size;
  const closed = segments.length - 1;
  let count = 0;
  while (count < closed) {
    const seg = segments[count] as SegmentFacts;
    const endOffset = (segments[count + 1] as SegmentFacts).baseOffset;
    const expired = policy.maxAgeMs > 0 && seg.maxTimestampMs < nowMs - policy.maxAgeMs;
    const oversize = policy.maxBytes > 0 && total > policy.maxBytes;
    if ((!expired && !oversize) || endOffset > protectedFrom) break;
    total -= seg.size;
    count++;
  }
  let overrodeGroups = false;
  while (policy.hardMaxBytes > 0 && total > policy.hardMaxBytes && count < closed) {
    const seg = segments[count] as SegmentFacts;
    if ((segments[count + 1] as SegmentFacts).baseOffset > protectedFrom) overrodeGroups = true;
    total -= seg.size;
    count++;
  }
  return { count, overrodeGroups };
}
