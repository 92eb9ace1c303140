import { describe, expect, it } from 'vitest';
import { CastEventWriter, castHeader, parseSize, prefixEvent, type CastFrame } from './asciicast.js';

const f = (seq: number, tsUs: number, eventType: string, direction: string, payload: string | Buffer, channel: number | null = 0): CastFrame => ({
  seq, tsUs, eventType, direction, channel, payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
});

describe('asciicast writer', () => {
  it('parses sizes and refuses garbage, oversized and non-integer dimensions', () => {
    expect(parseSize(Buffer.from('{"cols":100,"rows":30,"term":"xterm"}'))).toEqual({ cols: 100, rows: 30, term: 'xterm' });
    for (const bad of ['', 'null', '[]', '{"cols":0,"rows":1}', '{"cols":1.5,"rows":2}', '{"cols":"80","rows":24}', '{"cols":100000,"rows":2}', '\xff\xfe']) {
      expect(parseSize(Buffer.from(bad)), bad).toBeUndefined();
    }
    expect(parseSize(Buffer.from(`{"cols":80,"rows":24,"term":"${'x'.repeat(100)}"}`))).toEqual({ cols: 80, rows: 24 });
  });

  it('never lets time go backwards, even for frames stamped out of order', () => {
    const w = new CastEventWriter(1_000_000, [{ tsUs: 1_500_000, label: 'm1' }]);
    const lines = w.write([f(1, 3_000_000, 'ssh.data', 'UPSTREAM_TO_GATEWAY', 'a'), f(2, 2_000_000, 'ssh.data', 'UPSTREAM_TO_GATEWAY', 'b')]);
    const times = lines.map((l) => (JSON.parse(l) as [number])[0]);
    expect(times).toEqual([0.5, 2, 2]);
  });

  it('escapes control characters and quotes as JSON, and keeps invalid UTF-8 as replacement characters', () => {
    const w = new CastEventWriter(0);
    const lines = [...w.write([f(1, 0, 'ssh.data', 'UPSTREAM_TO_GATEWAY', Buffer.from([0x1b, 0x22, 0x0a, 0xff, 0x3c]))]), ...w.end()];
    for (const l of lines) expect(() => JSON.parse(l) as unknown).not.toThrow();
    expect((JSON.parse(lines[0] ?? '') as [number, string, string])[2]).toBe('\x1b"\n\ufffd<');
  });

  it('flushes a dangling partial UTF-8 sequence at the end', () => {
    const w = new CastEventWriter(0);
    const out = [...w.write([f(1, 0, 'ssh.data', 'UPSTREAM_TO_GATEWAY', Buffer.from([0x61, 0xe2, 0x82]))]), ...w.end()];
    expect(out.map((l) => (JSON.parse(l) as [number, string, string])[2]).join('')).toBe('a\ufffd');
  });

  it("plays the gateway's own notices (a refusal) as output, without breaking a character split around them", () => {
    const w = new CastEventWriter(0);
    const euro = Buffer.from('€');
    const lines = [...w.write([
      f(1, 0, 'ssh.data', 'UPSTREAM_TO_GATEWAY', euro.subarray(0, 1)),
      f(2, 0, 'ssh.data', 'GATEWAY_TO_CLIENT', '\x1b[31mtollgate: refused\x1b[0m\r\n'),
      f(3, 0, 'ssh.data', 'UPSTREAM_TO_GATEWAY', euro.subarray(1)),
    ]), ...w.end()];
    const events = lines.map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.map((e) => e[1])).toEqual(['o', 'o']);
    expect(events.map((e) => e[2]).join('')).toBe('\x1b[31mtollgate: refused\x1b[0m\r\n€');
  });

  it('ignores frames that are not terminal data and sizes that do not parse', () => {
    const w = new CastEventWriter(0);
    expect(w.write([f(1, 0, 'ssh.exec', 'CLIENT_TO_GATEWAY', 'ls'), f(2, 0, 'ssh.resize', 'CLIENT_TO_GATEWAY', 'garbage'), f(3, 0, 'db.query', 'CLIENT_TO_GATEWAY', 'x')])).toEqual([]);
  });

  it('maps Kubernetes exec streams: 1 and 2 output, 0 input, 4 resize; other channels ignored', () => {
    const w = new CastEventWriter(0);
    const lines = w.write([
      f(1, 0, 'k8s.stream', 'UPSTREAM_TO_GATEWAY', '{"Width":100,"Height":30}', 4),
      f(2, 1, 'k8s.stream', 'CLIENT_TO_GATEWAY', 'ls\r', 0),
      f(3, 2, 'k8s.stream', 'UPSTREAM_TO_GATEWAY', 'a.txt\r\n', 1),
      f(4, 3, 'k8s.stream', 'UPSTREAM_TO_GATEWAY', 'oops\r\n', 2),
      f(5, 4, 'k8s.stream', 'UPSTREAM_TO_GATEWAY', '{"status":"Success"}', 3),
    ]).map((l) => (JSON.parse(l) as [number, string, string]).slice(1));
    expect(lines).toEqual([['r', '100x30'], ['i', 'ls\r'], ['o', 'a.txt\r\n'], ['o', 'oops\r\n']]);
  });

  it('writes a header and a prefix event', () => {
    expect(JSON.parse(castHeader({ cols: 10, rows: 5 }, 2_500_000, 't'))).toEqual({ version: 2, width: 10, height: 5, timestamp: 2, title: 't' });
    expect(prefixEvent([])).toBeUndefined();
    expect(JSON.parse(prefixEvent([Buffer.from('a'), Buffer.from('b')]) ?? '')).toEqual([0, 'o', 'ab']);
  });
});
