/**
 * Kafka's murmur2 (Utils.murmur2 in the Java client, also kafkajs' default partitioner), so a key
 * lands on the same partition number here as it would on a Kafka topic with the same count.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** murmur2 hash of bytes [start, end) of data, as a signed 32-bit int like Java's. */
export function murmur2(data: Uint8Array, start = 0, end = data.length): number {
  const length = end - start;
  let h = (SEED ^ length) | 0;
  const whole = start + (length & ~3);
  let i = start;
  for (; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= (data[i + 2] as number) << 16;
  if (rest >= 2) h ^= (data[i + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[i] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Partition for a key's UTF-8 bytes: Kafka's toPositive(murmur2(key)) % partitions. */
export function partitionForKeyBytes(data: Uint8Array, start: number, end: number, partitions: number): number {
  return (murmur2(data, start, end) & 0x7fffffff) % partitions;
}
