import { describe, expect, it } from 'vitest';
import type { Frame } from '../../core/events/types.js';
import type { EncodableFrontendMessage } from './protocol/index.js';
import { useHarness, type Harness } from './testing/harness.js';
import { RawSession, summary } from './testing/raw-session.js';
import { storedFrameOf } from '../../../ingest/model/stored-frame.js';
import { PgQueryTracker } from '../../../ingest/projection/queries.js';
import type { QueryRow } from '../../../ingest/projection/rows.js';

// End to end: messages the PostgreSQL server ignores (everything after an extended error until Sync,
// a simple Query included; Syncs during COPY FROM STDIN) must leave nothing awaited behind them: the
// refSeq of later masking decisions names the right message, the session becomes idle (the idle
// timeout ends it), and the queries projection gives later statements their own rows.
// The two sequences are those of gateway.portal-masking.test.ts.
let h: Harness;
useHarness((started) => (h = started), { limits: { idleTimeout: '3s' } });

const parse = (statement: string, query: string): EncodableFrontendMessage => ({ kind: 'Parse', statement, query, parameterTypes: [] });
const bind = (portal: string, statement: string): EncodableFrontendMessage => ({ kind: 'Bind', portal, statement, parameterFormats: [], parameters: [], resultFormats: [] });
const query = (sql: string): EncodableFrontendMessage => ({ kind: 'Query', sql });
const SYNC: EncodableFrontendMessage = { kind: 'Sync' };
const PLAIN = 'SELECT name FROM customers ORDER BY id';
const SECRET = 'SELECT email FROM customers ORDER BY id';
const LEAK_PROBE = [parse('a', PLAIN), bind('pa', 'a'), { kind: 'Describe', target: 'P', name: 'pa' }, parse('b', SECRET), bind('pb', 'b'), { kind: 'Execute', portal: 'pb', maxRows: 0 }, SYNC] as const;

/** Runs steps then LEAK_PROBE, waits for the idle timeout to end the session, and returns its frames. */
async function session(subject: string, steps: (s: RawSession) => Promise<void>): Promise<Frame[]> {
  const s = await RawSession.login(h.port, 'app', await h.token(subject, ['masked']));
  try {
    await steps(s);
    s.send(LEAK_PROBE);
    await s.readyFor();
    // Nothing is awaited any more: the session is idle, and the idle timeout (3 s) ends it.
    expect(summary(await s.until((m) => m.kind === 'ErrorResponse', 20_000))).toContain('Error:57P05');
  } finally {
    s.close();
  }
  for (const end = Date.now() + 5000; h.gateway.sessionCount > 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  const all = await h.frames();
  const id = all.find((f) => f.body.kind === 'SessionStart' && f.body.identity.subject === subject)?.sessionId;
  return all.filter((f) => f.sessionId === id);
}

/** The message each masking decision names (refSeq): its type and, for a Query, its text. */
function maskedOrigins(frames: Frame[]): string[] {
  const bySeq = new Map(frames.map((f) => [f.seq, f]));
  return frames
    .filter((f) => f.eventType === 'mask.applied' || f.eventType === 'mask.withheld')
    .map((f) => {
      const named = f.body.kind === 'Decision' && f.body.refSeq !== null ? bySeq.get(f.body.refSeq) : undefined;
      if (named?.body.kind !== 'Wire') return 'none';
      return named.messageType === 'Query' ? `Query ${named.body.payload.subarray(5, -1).toString()}` : named.messageType;
    });
}

function project(frames: Frame[]): QueryRow[] {
  const rows = new Map<number, QueryRow>();
  const tracker = new PgQueryTracker(() => ({ session_id: frames[0]!.sessionId, subject: 's', connection: 'app' }));
  const sink = { row: (r: QueryRow) => rows.set(r.seq, { ...r }), finished: () => undefined };
  frames.forEach((f, i) => tracker.apply(storedFrameOf(f, 0, i), sink));
  tracker.end(sink);
  return [...rows.values()].sort((a, b) => a.seq - b.seq);
}

const brief = (r: QueryRow) => [r.statement, r.rows, r.outcome];

describe('messages the server ignores leave nothing awaited', () => {
  it('Queries sent after an extended error and before its Sync (skipped, unanswered)', async () => {
    const frames = await session('iggy', async (s) => {
      s.send([parse('', 'SELEC bad')]);
      await s.until((m) => m.kind === 'ErrorResponse');
      s.send([query('SELECT 1'), query('SELECT 2'), SYNC]);
      expect(summary(await s.readyFor())).toEqual(['Ready:I']);
      s.send([query(SECRET)]);
      await s.readyFor();
    });
    // The SECRET Query's masking names that Query; the LEAK_PROBE's names its Execute.
    expect(maskedOrigins(frames)).toEqual([`Query ${SECRET}`, 'Execute']);
    expect(project(frames).map(brief)).toEqual([
      ['SELEC bad', 0, 'error'],
      ['SELECT 1', 0, 'skipped'],
      ['SELECT 2', 0, 'skipped'],
      [SECRET, 2, 'ok'],
      [SECRET, 2, 'ok'],
    ]);
  }, 60_000);

  it('Syncs sent during COPY FROM STDIN (ignored in copy-in), pipelined before the data or sent after CopyInResponse', async () => {
    for (const waitForCopyIn of [false, true]) {
      const frames = await session(`copy${waitForCopyIn ? 'w' : 'p'}`, async (s) => {
        s.send([query('CREATE TEMP TABLE t (x int)')]);
        await s.readyFor();
        s.send([query('COPY t FROM STDIN')]);
        if (waitForCopyIn) await s.until((m) => m.kind === 'CopyInResponse');
        s.send([SYNC, { kind: 'CopyDone' }, SYNC]);
        await s.readyFor(2);
        s.send([query(SECRET)]);
        await s.readyFor();
      });
      expect(maskedOrigins(frames)).toEqual([`Query ${SECRET}`, 'Execute']);
      expect(project(frames).map(brief)).toEqual([
        ['CREATE TEMP TABLE t (x int)', 0, 'ok'],
        ['COPY t FROM STDIN', 0, 'ok'],
        [SECRET, 2, 'ok'],
        [SECRET, 2, 'ok'],
      ]);
    }
  }, 90_000);
});
