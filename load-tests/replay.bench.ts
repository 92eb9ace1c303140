/**
 * Replay service: how fast an investigator sees a long terminal recording and jumps around in it,
 * and how the session search API answers on a store of a million frames. Through the real app
 * (fastify inject, chDB store, token verification and audit recording on every request).
 *
 *   first-frame  segmented index + first segment (what the UI player loads) vs the peer: the whole
 *                recording as one asciicast (what a player without seeking must load first)
 *   seek         one segment in the middle of the recording, snapshot included, vs the same peer
 *   search       GET /api/sessions with typical filters: p50 and p99 over repeated requests
 *
 * Data is generated inside chDB (INSERT ... SELECT FROM numbers()), so generation is not measured.
 * Run: node --import tsx load-tests/replay.bench.ts [outputEvents] [searchFrames]
 */
import { pathToFileURL } from 'node:url';
import type { Store } from '../services/core/store/port.js';
import { openReplayHarness, type ReplayHarness } from '../services/replay/testing/harness.js';

const FRAME_COLUMNS = `session_id, seq, ts, protocol, direction, event_type, event_code, message_type, channel, payload,
  masked_inline, truncated, original_length, decision_action, decision_rule, decision_reason, decision_subject,
  decision_ref_seq, log_partition, log_offset`;

/** One SSH session with `events` output frames, 20 ms apart, a screen clear every 10,000. */
async function generateTerminal(store: Store, id: string, events: number, baseUs: number): Promise<void> {
  await store.insert('frames', [
    { session_id: id, seq: 0, ts: baseUs, protocol: 'SSH', direction: 'GATEWAY', event_type: 'session.start', payload: '{}', log_offset: 0 },
    { session_id: id, seq: 1, ts: baseUs + 1, protocol: 'SSH', direction: 'CLIENT_TO_GATEWAY', event_type: 'ssh.pty', payload: '{"cols":120,"rows":40,"term":"xterm"}', log_offset: 1 },
  ]);
  await store.command(
    `INSERT INTO frames (${FRAME_COLUMNS})
     SELECT {id:String}, number + 2, fromUnixTimestamp64Micro(toInt64({base:Int64} + 1000 + number * 20000), 'UTC'), 'SSH',
       if(number % 50 = 7, 'CLIENT_TO_GATEWAY', 'UPSTREAM_TO_GATEWAY'), 'ssh.data', 3006, '', 0,
       concat(if(number % 10000 = 0, '\\x1b[2J\\x1b[H', ''), 'line ', toString(number), ' ', repeat('x', 60), '\\r\\n'),
       false, false, 80, '', '', '', '', NULL, 0, number + 2
     FROM numbers({n:UInt64})`,
    { id, base: baseUs, n: events },
  );
  await store.command(
    `INSERT INTO commands (session_id, seq, ts, subject, connection, protocol, kind, command, exit_status, outcome, decision_action, decision_rule)
     SELECT {id:String}, number * 5000 + 9, fromUnixTimestamp64Micro(toInt64({base:Int64} + 1000 + (number * 5000 + 7) * 20000), 'UTC'),
       'bench', 'bench-ssh', 'SSH', 'shell', concat('make step-', toString(number)), NULL, 'ok', 'ALLOW', ''
     FROM numbers({n:UInt64})`,
    { id, base: baseUs, n: Math.floor(events / 5000) },
  );
}

/** `frames` frames over sessions of 100 frames each, with session, query and alert rows. */
async function generateSearchStore(store: Store, frames: number, baseUs: number): Promise<number> {
  const sessions = Math.floor(frames / 100);
  await store.command(
    `INSERT INTO frames (${FRAME_COLUMNS})
     SELECT concat('s-', toString(intDiv(number, 100))), number % 100, fromUnixTimestamp64Micro(toInt64({base:Int64} + number * 1000), 'UTC'),
       'POSTGRES', if(number % 2 = 0, 'CLIENT_TO_GATEWAY', 'UPSTREAM_TO_GATEWAY'), if(number % 2 = 0, 'db.query', 'db.row'), 2002, '', NULL,
       concat('SELECT * FROM orders WHERE id = ', toString(number)), false, false, 40, '', '', '', '', NULL, 0, number
     FROM numbers({n:UInt64})`,
    { base: baseUs, n: frames },
  );
  await store.command(
    `INSERT INTO sessions (session_id, version, started_at, subject, issuer, connection, protocol, frames, queries, alerts, outcome)
     SELECT concat('s-', toString(number)), 1, fromUnixTimestamp64Micro(toInt64({base:Int64} + number * 100000), 'UTC'),
       concat('agent-', toString(number % 500)), 'tollgate-dev', concat('db-', toString(number % 20)), 'POSTGRES', 100, 50, if(number % 97 = 0, 1, 0), 'ok'
     FROM numbers({n:UInt64})`,
    { base: baseUs, n: sessions },
  );
  await store.command(
    `INSERT INTO queries (session_id, seq, ts, subject, connection, statement, fingerprint, duration_us, rows, outcome, guardrail_action)
     SELECT concat('s-', toString(intDiv(number, 50))), (number % 50) * 2, fromUnixTimestamp64Micro(toInt64({base:Int64} + number * 2000), 'UTC'),
       concat('agent-', toString(intDiv(number, 50) % 500)), 'db-1',
       if(number % 9973 = 0, 'DELETE FROM customers WHERE churned', concat('SELECT * FROM orders WHERE id = ', toString(number))), 'fp', 900, 1, 'ok', 'ALLOW'
     FROM numbers({n:UInt64})`,
    { base: baseUs, n: sessions * 50 },
  );
  return sessions;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const round = (x: number) => Math.round(x * 100) / 100;

async function get(h: ReplayHarness, url: string): Promise<string> {
  const res = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${h.auditorToken}` } });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  return res.body;
}

export async function run(outputEvents = 200_000, searchFrames = 1_000_000): Promise<object> {
  const h = await openReplayHarness();
  try {
    const now = Date.now() * 1000;
    const genStart = Date.now();
    await generateTerminal(h.store, 'bench-ssh', outputEvents, now - 6 * 3_600_000_000);
    const sessions = await generateSearchStore(h.store, searchFrames, now - 5 * 86_400_000_000);
    process.stderr.write(`generated ${outputEvents} output events and ${searchFrames} frames / ${sessions} sessions in ${((Date.now() - genStart) / 1000).toFixed(1)} s\n`);

    type Index = { duration: number; segments: Array<{ start: number; url: string }> };
    let index: Index | undefined;
    const firstFrame: number[] = [];
    const wholeCast: number[] = [];
    const seek: number[] = [];
    for (let i = 0; i < 5; i++) {
      firstFrame.push(await timed(async () => {
        index = JSON.parse(await get(h, '/api/sessions/bench-ssh/recording')) as Index;
        await get(h, index.segments[0]?.url ?? '');
      }));
    }
    for (let i = 0; i < 2; i++) wholeCast.push(await timed(async () => void (await get(h, '/api/sessions/bench-ssh/cast'))));
    const segments = index?.segments ?? [];
    for (let i = 0; i < 10; i++) {
      const s = segments[Math.floor(((i + 0.5) / 10) * segments.length)];
      seek.push(await timed(async () => void (await get(h, s?.url ?? ''))));
    }
    const castSeek: number[] = [];
    for (let i = 0; i < 5; i++) castSeek.push(await timed(async () => void (await get(h, `/api/sessions/bench-ssh/cast?from=${(index?.duration ?? 0) * (i + 0.5) / 5}&maxEvents=5000`))));

    const searches: Record<string, string> = {
      newest: '/api/sessions?limit=50',
      bySubject: '/api/sessions?subject=agent-42',
      byConnectionAndTime: `/api/sessions?connection=db-3&from=${new Date((now - 3 * 86_400_000_000) / 1000).toISOString()}`,
      byText: '/api/sessions?text=delete%20from%20customers',
      hasAlerts: '/api/sessions?hasAlerts=true',
      page5: '/api/sessions?limit=50',
    };
    const search: Record<string, { p50Ms: number; p99Ms: number; n: number }> = {};
    for (const [name, url] of Object.entries(searches)) {
      const times: number[] = [];
      let cursorUrl = url;
      for (let i = 0; i < 40; i++) {
        times.push(await timed(async () => {
          const body = JSON.parse(await get(h, cursorUrl)) as { nextCursor: string | null };
          if (name === 'page5' && body.nextCursor !== null && i % 5 !== 4) cursorUrl = `${url}&cursor=${body.nextCursor}`;
          else cursorUrl = url;
        }));
      }
      search[name] = { p50Ms: round(pct(times, 50)), p99Ms: round(pct(times, 99)), n: times.length };
    }
    return {
      terminal: { outputEvents, segments: segments.length, durationSec: index?.duration },
      firstFrameMs: { segmentedP50: round(pct(firstFrame, 50)), wholeCastP50: round(pct(wholeCast, 50)), ratioWholeToSegmented: round(pct(wholeCast, 50) / pct(firstFrame, 50)) },
      seekMs: { segmentP50: round(pct(seek, 50)), segmentMax: round(Math.max(...seek)), castFromP50: round(pct(castSeek, 50)) },
      search: { frames: searchFrames, sessions, ...search },
    };
  } finally {
    await h.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [events, frames] = process.argv.slice(2).map(Number);
  process.stdout.write(`${JSON.stringify(await run(events || undefined, frames || undefined), null, 2)}\n`);
}
