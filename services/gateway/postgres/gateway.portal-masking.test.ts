import { describe, expect, it } from 'vitest';
import type { DecodedBackendMessage, EncodableFrontendMessage } from './protocol/index.js';
import { useHarness, type Harness } from './testing/harness.js';
import { RawSession } from './testing/raw-session.js';

// End to end: portals executed more than once, re-bound or replaced, through the real gateway to a
// real PostgreSQL, with the `masked` grant (customers.email redacted as ****, card numbers detected).
let h: Harness;
useHarness((started) => (h = started));

const EMAILS = /alice@example\.com|bob@example\.org/;
const parse = (statement: string, query: string): EncodableFrontendMessage => ({ kind: 'Parse', statement, query, parameterTypes: [] });
const bind = (portal: string, statement: string, resultFormats: number[] = []): EncodableFrontendMessage => ({ kind: 'Bind', portal, statement, parameterFormats: [], parameters: [], resultFormats });
const describeP = (name: string): EncodableFrontendMessage => ({ kind: 'Describe', target: 'P', name });
const describeS = (name: string): EncodableFrontendMessage => ({ kind: 'Describe', target: 'S', name });
const execute = (portal: string, maxRows = 0): EncodableFrontendMessage => ({ kind: 'Execute', portal, maxRows });
const SYNC: EncodableFrontendMessage = { kind: 'Sync' };

/** DataRow values as text (null for SQL NULL), and the kinds that end results, in order. */
function rowsOf(messages: readonly DecodedBackendMessage[]): (string | null)[][] {
  return messages.flatMap((m) => (m.kind === 'DataRow' ? [m.values.map((v) => (v === null ? null : v.toString('latin1')))] : []));
}
const ends = (messages: readonly DecodedBackendMessage[]) =>
  messages.filter((m) => m.kind === 'PortalSuspended' || m.kind === 'CommandComplete' || m.kind === 'ErrorResponse').map((m) => m.kind);

async function run(batches: number, messages: EncodableFrontendMessage[]): Promise<DecodedBackendMessage[]> {
  const s = await RawSession.login(h.port, 'app', await h.token('portia', ['masked']));
  try {
    s.send(messages);
    const got = await s.readyFor(batches);
    // Whatever the case, no email ever reaches the client in clear.
    expect(got.map((m) => m.raw.toString('latin1')).join('')).not.toMatch(EMAILS);
    return got;
  } finally {
    s.close();
  }
}

const SERIES = 'SELECT g::text, email FROM customers CROSS JOIN generate_series(1, 3) g WHERE id = 1 ORDER BY g';
const PLAIN = 'SELECT name FROM customers ORDER BY id';
const SECRET = 'SELECT email FROM customers ORDER BY id';

describe('a suspended portal executed again', () => {
  // Regression: the 2nd Execute of a portal (after PortalSuspended) came back [WITHHELD] when an
  // earlier pipelined batch's ReadyForQuery had cleared the queue of messages sent after it.
  it('masks every Execute with the portal\'s plan, after an earlier pipelined batch too', async () => {
    const portalRun = [parse('g', SERIES), bind('cur', 'g'), describeP('cur'), execute('cur', 1), execute('cur', 1), execute('cur', 0), SYNC];
    for (const [batches, before] of [[1, []], [2, [parse('', 'SELECT 1'), bind('', ''), execute(''), SYNC]]] as const) {
      const got = await run(batches, [...before, ...portalRun]);
      expect(rowsOf(got).slice(-3)).toEqual([['1', '****'], ['2', '****'], ['3', '****']]);
      expect(ends(got).slice(-3)).toEqual(['PortalSuspended', 'PortalSuspended', 'CommandComplete']);
    }
  });

  it('masks a resumed portal described only through its statement, in binary when bound binary', async () => {
    const got = await run(2, [parse('g', SERIES), describeS('g'), SYNC, bind('cur', 'g', [0, 1]), execute('cur', 2), execute('cur', 0), SYNC]);
    // Binary: the masked column is withheld as SQL NULL (type-correct), the other passes.
    expect(rowsOf(got)).toEqual([['1', null], ['2', null], ['3', null]]);
  });

  it('withholds a resumed portal whose columns the gateway cannot know (never described)', async () => {
    const got = await run(1, [parse('g', SERIES), bind('cur', 'g'), execute('cur', 1), execute('cur', 0), SYNC]);
    expect(rowsOf(got)).toEqual([['[WITHHELD]', '[WITHHELD]'], ['[WITHHELD]', '[WITHHELD]'], ['[WITHHELD]', '[WITHHELD]']]);
  });
});

describe('a portal name reused between Executes', () => {
  it('Close then re-Bind to another statement: the new portal\'s plan, never the old one\'s', async () => {
    const head = [parse('plain', PLAIN), parse('secret', SECRET), bind('P', 'plain'), describeP('P'), execute('P', 1), { kind: 'Close', target: 'P', name: 'P' } as const];
    const undescribed = await run(1, [...head, bind('P', 'secret'), execute('P', 1), execute('P', 0), SYNC]);
    expect(rowsOf(undescribed)).toEqual([['Alice'], ['[WITHHELD]'], ['[WITHHELD]']]);
    const described = await run(1, [...head, describeS('secret'), bind('P', 'secret'), execute('P', 1), execute('P', 0), SYNC]);
    expect(rowsOf(described)).toEqual([['Alice'], ['****'], ['****']]);
  });

  it('the unnamed portal, replaced by every Bind, takes the new statement and formats', async () => {
    const got = await run(1, [
      parse('plain', PLAIN), parse('secret', SECRET), describeS('secret'),
      bind('', 'plain'), describeP(''), execute('', 1),
      bind('', 'secret'), execute('', 1),
      bind('', 'secret', [1]), execute('', 1),
      bind('', 'plain'), execute('', 1),
      SYNC,
    ]);
    expect(rowsOf(got)).toEqual([['Alice'], ['****'], [null], ['[WITHHELD]']]);
  });

  it('a Describe of another portal in between lends it nothing', async () => {
    const got = await run(1, [
      parse('plain', PLAIN), parse('secret', SECRET),
      bind('A', 'secret'), bind('B', 'plain'), describeP('B'), execute('A', 1),
      describeP('A'), execute('A', 1), describeP('B'), execute('A', 0), execute('B', 0),
      SYNC,
    ]);
    expect(rowsOf(got)).toEqual([['[WITHHELD]'], ['****'], ['Alice'], ['Bob']]);
  });

  it('a re-Parse of the unnamed statement voids its old description', async () => {
    const got = await run(2, [parse('', PLAIN), describeS(''), SYNC, parse('', SECRET), bind('', ''), execute(''), SYNC]);
    expect(rowsOf(got)).toEqual([['[WITHHELD]'], ['[WITHHELD]']]);
  });

  it('pipelined batches keep their own answers: a later batch\'s Describe does not describe another portal\'s rows', async () => {
    const got = await run(2, [
      parse('', 'SELECT 1'), bind('', ''), execute(''), SYNC,
      parse('secret', SECRET), bind('pe', 'secret'), parse('plain', PLAIN), bind('pp', 'plain'), describeP('pp'), execute('pe'), SYNC,
    ]);
    expect(rowsOf(got)).toEqual([['[WITHHELD]'], ['[WITHHELD]'], ['[WITHHELD]']]);
  });

  it('a Bind the server skipped after an error does not describe the portal the server kept', async () => {
    const got = await run(4, [
      { kind: 'Query', sql: 'BEGIN' },
      parse('plain', PLAIN), parse('secret', SECRET), describeS('plain'), bind('c', 'secret'), SYNC,
      parse('bad', 'SELEC 1'), bind('c', 'plain'), SYNC,
      execute('c', 0), SYNC,
    ]);
    expect(rowsOf(got)).toEqual([]);
  });

  it('SQL that closes and declares a cursor of the same name leaves the old plan unused', async () => {
    const viaQuery = await run(4, [
      { kind: 'Query', sql: 'BEGIN' },
      parse('plain', PLAIN), bind('c', 'plain'), describeP('c'), execute('c', 1), SYNC,
      { kind: 'Query', sql: 'CLOSE c; DECLARE c CURSOR FOR SELECT email FROM customers ORDER BY id' },
      execute('c', 1), SYNC,
    ]);
    expect(rowsOf(viaQuery)).toEqual([['Alice'], ['[WITHHELD]']]);
    const viaExecute = await run(2, [
      { kind: 'Query', sql: 'BEGIN' },
      parse('plain', PLAIN), bind('c', 'plain'), describeP('c'), execute('c', 1),
      parse('x', 'CLOSE c'), bind('', 'x'), execute(''),
      parse('y', 'DECLARE c CURSOR FOR SELECT email FROM customers ORDER BY id'), bind('', 'y'), execute(''),
      execute('c', 1), SYNC,
    ]);
    expect(rowsOf(viaExecute)).toEqual([['Alice'], ['[WITHHELD]']]);
  });
});

// Review findings: messages the server never answers must not stay queued, or a later result lands on
// the wrong message and is masked by another result's plan (here: email rows passed as the name column).
describe('messages the server ignores leave no stale entries', () => {
  const LEAK_PROBE = [parse('a', PLAIN), bind('pa', 'a'), describeP('pa'), parse('b', SECRET), bind('pb', 'b'), execute('pb'), SYNC];
  const query = (sql: string): EncodableFrontendMessage => ({ kind: 'Query', sql });

  async function session(steps: (s: RawSession) => Promise<void>): Promise<DecodedBackendMessage[]> {
    const s = await RawSession.login(h.port, 'app', await h.token('portia', ['masked']));
    try {
      await steps(s);
      s.send(LEAK_PROBE);
      const got = await s.readyFor();
      expect(got.map((m) => m.raw.toString('latin1')).join('')).not.toMatch(EMAILS);
      return got;
    } finally {
      s.close();
    }
  }

  it('Queries sent after an extended error and before its Sync (the server skips them, unanswered)', async () => {
    const got = await session(async (s) => {
      s.send([parse('', 'SELEC bad')]);
      await s.until((m) => m.kind === 'ErrorResponse'); // flushed at once, before any Sync
      s.send([query('SELECT 1'), query('SELECT 1'), SYNC]);
      expect((await s.readyFor()).map((m) => m.kind)).toEqual(['ReadyForQuery']);
    });
    expect(rowsOf(got)).toHaveLength(2);
  });

  it('a Sync sent during COPY FROM STDIN (ignored in copy-in), pipelined before the data or sent after CopyInResponse', async () => {
    for (const waitForCopyIn of [false, true]) {
      const got = await session(async (s) => {
        s.send([query('CREATE TEMP TABLE t (x int)')]);
        await s.readyFor();
        s.send([query('COPY t FROM STDIN')]);
        if (waitForCopyIn) await s.until((m) => m.kind === 'CopyInResponse');
        s.send([SYNC, { kind: 'CopyDone' }, SYNC]);
        expect((await s.readyFor(2)).filter((m) => m.kind === 'ReadyForQuery')).toHaveLength(2);
        s.send([query(SECRET)]);
        expect(rowsOf(await s.readyFor())).toEqual([['****'], ['****']]);
      });
      expect(rowsOf(got)).toHaveLength(2);
    }
  });
});
