import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingReader } from './recording-reader.js';
import { openReplayHarness, type ReplayHarness } from '../testing/harness.js';
import { seedTerminalSession, type SeededTerminal } from '../testing/seed.js';

let h: ReplayHarness;
let term: SeededTerminal;
let dir: string;

beforeAll(async () => {
  h = await openReplayHarness();
  dir = await mkdtemp(join(tmpdir(), 'tollgate-cast-'));
  term = await seedTerminalSession(h.store, 'ssh-cast', Date.now() * 1000 - 60_000_000);
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

type Event = [number, string, string];

async function cast(qs = ''): Promise<{ header: Record<string, unknown>; events: Event[]; raw: string; headers: Record<string, unknown> }> {
  const res = await h.app.inject({ method: 'GET', url: `/api/sessions/ssh-cast/cast${qs}`, headers: { authorization: `Bearer ${h.auditorToken}` } });
  expect(res.statusCode).toBe(200);
  const lines = res.body.trimEnd().split('\n');
  return { header: JSON.parse(lines[0] ?? '') as Record<string, unknown>, events: lines.slice(1).map((l) => JSON.parse(l) as Event), raw: res.body, headers: res.headers };
}

const outputOf = (events: Event[]) => events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');

describe('asciicast v2 export', () => {
  it('has a v2 header with the pty size, terminal type and session start', async () => {
    const { header, headers } = await cast();
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, env: { TERM: 'xterm-256color' } });
    expect(header['timestamp']).toBe(Math.floor(term.startUs / 1e6));
    expect(headers['content-type']).toMatch(/application\/x-asciicast/);
  });

  it('orders events by time, maps output, input, resize and markers, joins split UTF-8', async () => {
    const { events } = await cast();
    for (let i = 1; i < events.length; i++) expect(events[i]?.[0]).toBeGreaterThanOrEqual(events[i - 1]?.[0] ?? 0);
    expect(outputOf(events)).toBe(term.output);
    expect(events.filter((e) => e[1] === 'i').map((e) => e[2])).toEqual(['ls\r', 'rm -rf /\r']);
    expect(events.filter((e) => e[1] === 'r').map((e) => e[2])).toEqual(['80x24', '120x40']);
    const markers = events.filter((e) => e[1] === 'm');
    expect(markers.map((m) => m[2])).toEqual(['$ ls', '$ rm -rf /', 'blocked: ssh/destructive (rm -rf /)', expect.stringMatching(/^alert HIGH: Destructive command/)]);
    expect(markers[0]?.[0]).toBeCloseTo(term.commandOffsets[0] ?? 0, 5);
    expect(events.find((e) => e[2].includes('€'))).toBeDefined();
  });

  it('plays in the asciinema CLI: `asciinema cat` reproduces the recorded output', async () => {
    const { raw } = await cast('?download=true');
    const file = join(dir, 'session.cast');
    await writeFile(file, raw);
    // asciinema cat writes to /dev/tty's terminal: give it a pseudo-terminal with script(1).
    const { stdout } = await promisify(execFile)('script', ['-qec', `asciinema cat ${file}`, '/dev/null'], { encoding: 'utf8' });
    expect(stdout.replace(/\r\n/g, '\n')).toBe(term.output.replace(/\r\n/g, '\n'));
  });
});

describe('seeking', () => {
  it('starts a segment with the screen rebuilt from the last clear before the seek point', async () => {
    const { events, headers } = await cast('?from=5.5&maxEvents=100');
    expect(headers['x-tollgate-cast-offset']).toBe('5.5');
    expect(headers['x-tollgate-cast-exact']).toBe('true');
    expect(events[0]).toEqual([0, 'o', '\x1b[2J\x1b[Hcleared screen\r\n$ ']);
    expect(events[1]?.[0]).toBeCloseTo(0.5, 5);
    expect(events[1]?.[2]).toBe('after clear\r\n$ ');
  });

  it('carries the size in force at the seek point into the header', async () => {
    const { header } = await cast('?from=2.5&maxEvents=100');
    expect(header).toMatchObject({ width: 120, height: 40 });
  });

  it('without a clear in reach, replays from the session start (exact) and keeps markers after the seek point only', async () => {
    const { events, headers } = await cast('?from=2.5&maxEvents=100');
    expect(headers['x-tollgate-cast-exact']).toBe('true');
    expect(events[0]?.[2]).toContain('Welcome to demo-host');
    expect(events.filter((e) => e[1] === 'm').map((e) => e[2])).toHaveLength(3);
  });

  it('cuts a segment at maxEvents and names where the next one starts', async () => {
    const { events, headers } = await cast('?from=0&maxEvents=3');
    expect(events.filter((e) => e[1] !== 'm').length).toBeLessThanOrEqual(3);
    const next = Number(headers['x-tollgate-cast-next']);
    expect(next).toBeGreaterThan(0);
    const rest = await cast(`?from=${next}&maxEvents=1000`);
    expect(outputOf(rest.events)).toContain('after clear');
  });

  it('seeks past the end to an empty segment and refuses bad positions', async () => {
    const { events } = await cast('?from=999&maxEvents=10');
    expect(events.filter((e) => e[1] !== 'o')).toEqual([]);
    for (const qs of ['?from=-1', '?from=abc', '?maxEvents=0', '?maxEvents=999999999']) {
      const res = await h.app.inject({ method: 'GET', url: `/api/sessions/ssh-cast/cast${qs}`, headers: { authorization: `Bearer ${h.auditorToken}` } });
      expect(res.statusCode, qs).toBe(400);
    }
  });

  it('reports an approximate rebuild when neither a clear nor the session start is in the lookback window', async () => {
    const reader = new RecordingReader(h.store, 'ssh-cast');
    expect(await reader.rebuildStart(6, 0, 2)).toEqual({ from: 4, exact: false });
    expect(await reader.rebuildStart(13, 0, 5)).toEqual({ from: 11, exact: true });
    expect(await reader.rebuildStart(3, 0, 100)).toEqual({ from: 0, exact: true });
  });

  it('answers 404 for a session without frames', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/sessions/none/cast', headers: { authorization: `Bearer ${h.auditorToken}` } });
    expect(res.statusCode).toBe(404);
  });
});
