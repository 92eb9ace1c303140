import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../errors.js';
import type { AppendRecord } from '../port.js';
import { checkGroup, checkTopic, fromKafkaMessage, toKafkaMessages } from './records.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isTollgateError(err) ? err.code : `not a TollgateError: ${String(err)}`;
  }
};

describe('topic and group names', () => {
  it('accepts what Kafka accepts', () => {
    for (const topic of ['tollgate.frames.v1', 'a', 'A-b_c.9', 'x'.repeat(249)]) expect(code(() => checkTopic(topic))).toBeUndefined();
    expect(code(() => checkGroup('ingest.frames-1'))).toBeUndefined();
  });

  it('refuses garbage, path tricks and oversized names with TG_ERR_CONFIG', () => {
    const bad: unknown[] = ['', '.', '..', '../x', 'a/b', 'a b', 'ü', 'x'.repeat(250), 'nul\u0000', 42, null, undefined, {}];
    for (const topic of bad) expect(code(() => checkTopic(topic)), JSON.stringify(topic)).toBe('TG_ERR_CONFIG');
    for (const group of ['', 'a b', 'x'.repeat(256), 7]) expect(code(() => checkGroup(group))).toBe('TG_ERR_CONFIG');
  });
});

describe('toKafkaMessages', () => {
  it('keeps keys, values and timestamps, stamping now when absent', () => {
    const out = toKafkaMessages('t', [
      { key: 's1', value: Buffer.from('a'), timestampMs: 1_700_000_000_000 },
      { key: 's2', value: Buffer.alloc(0) },
    ], 1024, 42);
    expect(out.messages.map((m) => [m.key, m.timestamp])).toEqual([['s1', '1700000000000'], ['s2', '42']]);
    expect(out.bytes).toBeGreaterThanOrEqual(1 + 4);
  });

  it('refuses garbage records with TG_ERR_CONFIG naming the record', () => {
    const garbage: unknown[] = [
      null, undefined, 'text', { key: 1, value: Buffer.from('a') }, { key: 'k', value: 'not a buffer' },
      { key: 'k', value: new Uint8Array(2) }, { key: 'k', value: Buffer.from('a'), timestampMs: Number.NaN },
      { key: 'k', value: Buffer.from('a'), timestampMs: -1 }, { key: 'k', value: Buffer.from('a'), timestampMs: 1.5 },
      { key: 'k', value: Buffer.from('a'), timestampMs: '1' },
    ];
    for (const record of garbage) {
      const records = [{ key: 'ok', value: Buffer.from('x') }, record] as AppendRecord[];
      expect(code(() => toKafkaMessages('t', records, 1024, 0)), JSON.stringify(record)).toBe('TG_ERR_CONFIG');
    }
    expect(code(() => toKafkaMessages('t', 'nope' as unknown as AppendRecord[], 1024, 0))).toBe('TG_ERR_CONFIG');
  });

  it('refuses a value over maxRecordBytes with TG_ERR_MESSAGE_TOO_LARGE, and accepts one at the limit', () => {
    expect(code(() => toKafkaMessages('t', [{ key: 'k', value: Buffer.alloc(1025) }], 1024, 0))).toBe('TG_ERR_MESSAGE_TOO_LARGE');
    expect(code(() => toKafkaMessages('t', [{ key: 'k', value: Buffer.alloc(1024) }], 1024, 0))).toBeUndefined();
  });

  it('counts a multi-byte key at no less than its UTF-8 size', () => {
    const key = '🙂ü'.repeat(10);
    const out = toKafkaMessages('t', [{ key, value: Buffer.alloc(0) }], 1024, 0);
    expect(out.bytes).toBeGreaterThanOrEqual(Buffer.byteLength(key));
  });
});

describe('fromKafkaMessage', () => {
  const base = { attributes: 0, headers: {}, size: 0 } as const;

  it('converts offsets and timestamps to numbers and decodes the key as UTF-8', () => {
    const m = { ...base, key: Buffer.from('sess-ü'), value: Buffer.from('v'), offset: '41', timestamp: '1700000000000' };
    expect(fromKafkaMessage('t', 3, m as KafkaMessage)).toEqual({
      topic: 't', partition: 3, offset: 41, key: 'sess-ü', value: Buffer.from('v'), timestampMs: 1_700_000_000_000,
    });
  });

  it('reads a null key or value (tombstone, foreign producer) as empty', () => {
    const m = { ...base, key: null, value: null, offset: '0', timestamp: '0' };
    const r = fromKafkaMessage('t', 0, m as KafkaMessage);
    expect(r.key).toBe('');
    expect(r.value.length).toBe(0);
  });
});
