import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkajsLevel, kafkajsLogCreator, type LogSink } from './logger.js';

function recordingSink(level?: string): LogSink & { lines: Array<[string, Record<string, unknown>, string | undefined]> } {
  const lines: Array<[string, Record<string, unknown>, string | undefined]> = [];
  const at = (name: string) => (obj: Record<string, unknown>, msg?: string): void => { lines.push([name, obj, msg]); };
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), ...(level ? { level } : {}) };
}

const entry = (level: logLevel, message: string) => ({
  namespace: 'Consumer', level, label: 'x', log: { timestamp: 't', logger: 'kafkajs', message, groupId: 'g' },
});

describe('kafkajs logging', () => {
  it('is silent without a sink', () => {
    expect(kafkajsLevel(undefined)).toBe(logLevel.NOTHING);
    expect(() => kafkajsLogCreator(undefined)(logLevel.INFO)(entry(logLevel.ERROR, 'boom'))).not.toThrow();
  });

  it('follows the sink level so kafkajs builds no entries that would be dropped', () => {
    expect(kafkajsLevel(recordingSink('warn'))).toBe(logLevel.WARN);
    expect(kafkajsLevel(recordingSink('silent'))).toBe(logLevel.NOTHING);
    expect(kafkajsLevel(recordingSink('trace'))).toBe(logLevel.DEBUG);
    expect(kafkajsLevel(recordingSink('made-up'))).toBe(logLevel.INFO);
  });

  it('routes each level to the matching method, tagged with component and namespace', () => {
    const sink = recordingSink('debug');
    const log = kafkajsLogCreator(sink)(logLevel.DEBUG);
    log(entry(logLevel.ERROR, 'e'));
    log(entry(logLevel.WARN, 'w'));
    log(entry(logLevel.INFO, 'i'));
    log(entry(logLevel.DEBUG, 'd'));
    expect(sink.lines.map(([level, , msg]) => [level, msg])).toEqual([['error', 'e'], ['warn', 'w'], ['info', 'i'], ['debug', 'd']]);
    expect(sink.lines[0]?.[1]).toMatchObject({ component: 'kafkajs', namespace: 'Consumer', groupId: 'g' });
  });
});
