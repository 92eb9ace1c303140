import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplayHarness, type ReplayHarness } from '../testing/harness.js';
import { seedTerminalSession, type SeededTerminal } from '../testing/seed.js';
import { RecordingReader, readMarkers } from './recording-reader.js';
import { segmentPayload, segmentedIndex, type SegmentedIndex } from './segmented.js';

let h: ReplayHarness;
let term: SeededTerminal;
beforeAll(async () => {
  h = await openReplayHarness();
  term = await seedTerminalSession(h.store, 'ssh-seg', Date.now() * 1000 - 60_000_000);
});
afterAll(() => h.close());

type Payload = { snapshot: { cols: number; rows: number; init: string }; events: Array<[number, string, string]> };

/** The checks asciinema-player 3.17 applies to a segmented recording (normalizeSegment, validateIndex). */
function assertPlayable(index: SegmentedIndex, payloads: Payload[]): void {
  expect(index.version).toBe(1);
  expect(index.segments[0]?.start).toBe(0);
  index.segments.forEach((s, i) => {
    if (i > 0) expect(s.start).toBeGreaterThan(index.segments[i - 1]?.start ?? 0);
    expect(s.start).toBeLessThan(index.duration);
    const p = payloads[i];
    const end = index.segments[i + 1]?.start ?? index.duration;
    expect(p?.events.length).toBeGreaterThan(0);
    if (i > 0) expect(p?.events[0]?.[0]).toBe(s.start);
    let prev = -1;
    for (const e of p?.events ?? []) {
      expect(e[0]).toBeGreaterThanOrEqual(Math.max(prev, s.start));
      if (i + 1 < index.segments.length) expect(e[0]).toBeLessThan(end);
      else expect(e[0]).toBeLessThanOrEqual(end);
      prev = e[0];
    }
  });
  expect(payloads[payloads.length - 1]?.events.at(-1)?.[0]).toBe(index.duration);
  for (let i = 1; i < index.markers.length; i++) expect(index.markers[i]?.[0]).toBeGreaterThanOrEqual(index.markers[i - 1]?.[0] ?? 0);
}

async function load(every: number) {
  const reader = new RecordingReader(h.store, 'ssh-seg');
  const markers = await readMarkers(h.store, 'ssh-seg');
  const ranges: Array<{ fromSeq: number; start: number; end: number | undefined; duration: number }> = [];
  const index = await segmentedIndex(reader, markers, (fromSeq, start, end, duration) => {
    ranges.push({ fromSeq, start, end, duration });
    return `u${ranges.length}`;
  }, every);
  if (index === undefined) throw new Error('no index');
  const payloads = await Promise.all(ranges.map(async (r) => (await segmentPayload(reader, markers, r, 1000)) as Payload));
  return { index, payloads };
}

describe('segmented recordings for asciinema-player', () => {
  it('one segment: the whole session, markers in the index, the final event at the duration', async () => {
    const { index, payloads } = await load(5000);
    expect(index.segments).toHaveLength(1);
    expect(index.term).toEqual({ cols: 80, rows: 24 });
    expect(index.markers.map((m) => m[1])).toEqual(['$ ls', '$ rm -rf /', 'blocked: ssh/destructive (rm -rf /)', expect.stringMatching(/^alert HIGH/)]);
    expect(index.duration).toBeCloseTo(7.1, 6);
    assertPlayable(index, payloads);
    expect(payloads[0]?.events.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).toBe(term.output);
  });

  it('many segments: each rebuilds the screen at its start and together they hold every output byte once', async () => {
    const { index, payloads } = await load(2);
    expect(index.segments.length).toBeGreaterThan(3);
    assertPlayable(index, payloads);
    expect(payloads.flatMap((p) => p.events.filter((e) => e[1] === 'o').map((e) => e[2])).join('')).toBe(term.output);
    const afterClear = payloads.find((p, i) => (index.segments[i]?.start ?? 0) >= 6);
    expect(afterClear?.snapshot.init.startsWith('\x1b[2J')).toBe(true);
    const afterResize = payloads.find((p, i) => (index.segments[i]?.start ?? 0) > 2);
    expect(afterResize?.snapshot).toMatchObject({ cols: 120, rows: 40 });
  });

  it('serves index and segments through the API with absolute segment URLs', async () => {
    const headers = { authorization: `Bearer ${h.auditorToken}` };
    const res = await h.app.inject({ method: 'GET', url: '/api/sessions/ssh-seg/recording', headers });
    const index = res.json<SegmentedIndex>();
    const payloads: Payload[] = [];
    for (const s of index.segments) {
      expect(s.url.startsWith('/api/sessions/ssh-seg/recording/segment?')).toBe(true);
      payloads.push((await h.app.inject({ method: 'GET', url: s.url, headers })).json<Payload>());
    }
    assertPlayable(index, payloads);
    expect((await h.app.inject({ method: 'GET', url: '/api/sessions/none/recording', headers })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/api/sessions/ssh-seg/recording/segment?fromSeq=-1&start=0&duration=1', headers })).statusCode).toBe(400);
  });
});
