import type { KafkaMessage, Message } from 'kafkajs';
import { TollgateError } from '../../errors.js';
import type { AppendRecord, LogRecord } from '../port.js';

// Kafka's own rule for topic names (and ours for group ids, minus the length limit).
const legalName = /^[a-zA-Z0-9._-]+$/;
const emptyValue = Buffer.alloc(0);

/** Refuses topic names Kafka would reject, before any request is made. */
export function checkTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > 249 || !legalName.test(topic) ||
    topic === '.' || topic === '..') {
    throw new TollgateError('TG_ERR_CONFIG',
      `invalid topic name ${JSON.stringify(topic)}: use 1-249 characters from [a-zA-Z0-9._-], not "." or ".."`);
  }
}

/** Refuses empty or non-string consumer group ids. */
export function checkGroup(group: unknown): asserts group is string {
  if (typeof group !== 'string' || group.length === 0 || group.length > 255 || !legalName.test(group)) {
    throw new TollgateError('TG_ERR_CONFIG',
      `invalid consumer group ${JSON.stringify(group)}: use 1-255 characters from [a-zA-Z0-9._-]`);
  }
}

export interface EncodedAppend {
  messages: Message[];
  /** Keys plus values, the figure request size limits are checked against. */
  bytes: number;
}

/** Validates an append and converts it to kafkajs messages; throws before anything is queued. */
export function toKafkaMessages(topic: string, records: readonly AppendRecord[], maxRecordBytes: number,
  nowMs: number): EncodedAppend {
  if (!Array.isArray(records)) throw new TollgateError('TG_ERR_CONFIG', 'append expects an array of records');
  const messages = new Array<Message>(records.length);
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as AppendRecord | null | undefined;
    if (typeof r !== 'object' || r === null || typeof r.key !== 'string' || !Buffer.isBuffer(r.value)) {
      throw new TollgateError('TG_ERR_CONFIG', `record ${i} for ${topic} needs a string key and a Buffer value`);
    }
    const ts = r.timestampMs ?? nowMs;
    if (!Number.isSafeInteger(ts) || ts < 0) {
      throw new TollgateError('TG_ERR_CONFIG', `record ${i} for ${topic} has an invalid timestampMs: ${String(ts)}`);
    }
    if (r.value.length > maxRecordBytes) {
      throw new TollgateError('TG_ERR_MESSAGE_TOO_LARGE',
        `record ${i} for ${topic} is ${r.value.length} bytes; the Kafka log accepts at most ${maxRecordBytes}`,
        { context: { topic, bytes: r.value.length, maxRecordBytes } });
    }
    bytes += r.key.length * 3 + r.value.length; // UTF-16 length times 3 bounds the UTF-8 size
    messages[i] = { key: r.key, value: r.value, timestamp: String(ts) };
  }
  return { messages, bytes };
}

/** Converts one consumed kafkajs message; a null key or value (tombstones, foreign producers) reads as empty. */
export function fromKafkaMessage(topic: string, partition: number, m: KafkaMessage): LogRecord {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key === null ? '' : m.key.toString('utf8'),
    value: m.value ?? emptyValue,
    timestampMs: Number(m.timestamp),
  };
}
