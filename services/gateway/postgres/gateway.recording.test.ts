import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../core/events/types.js';
import { writeStartupMessage } from './protocol/frontend-startup.js';
import { BackendDecoder, encodeFrontendMessage, Writer, type DecodedBackendMessage } from './protocol/index.js';
import { pgClient, psql, rawSocket } from './testing/clients.js';
import { freePort, startHarness, type Harness } from './testing/harness.js';
import { RawSession } from './testing/raw-session.js';
import { storedFrameOf } from '../../../ingest/model/stored-frame.js';
import { PgQueryTracker } from '../../../ingest/projection/queries.js';
import type { QueryRow } from '../../../ingest/projection/rows.js';

/**
 * A TCP relay in front of PostgreSQL that keeps the secret keys of the BackendKeyData messages the
 * server sends, so a test can look for the upstream's cancel key in the log.
 */
class KeySpy {
  readonly upstreamSecrets: Buffer[] = [];
  target = 0;
  private server: Server | undefined;

  async listen(): Promise<number> {
    const port = await freePort();
    this.server = createServer((client) => {
      const server = connect({ host: '127.0.0.1', port: this.target });
      let pending = Buffer.alloc(0);
      let startup = true;
      server.on('data', (c: Buffer) => {
        client.write(c);
        pending = Buffer.concat([pending, c]);
        // The first byte is the answer to SSLRequest only when one was sent; the gateway's upstream TLS is off here.
        if (startup && pending.length > 0 && pending[0] === 0x4e) pending = pending.subarray(1);
        startup = false;
        while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
          const len = pending.readInt32BE(1);
          if (pending[0] === 0x4b) this.upstreamSecrets.push(Buffer.from(pending.subarray(9, 1 + len)));
          pending = pending.subarray(1 + len);
        }
      });
      client.on('data', (c: Buffer) => server.write(c));
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
      client.on('error', () => undefined);
      server.on('error', () => undefined);
    });
    await new Promise<void>((r) => this.server?.listen(port, '127.0.0.1', r));
    return port;
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server === undefined ? r() : this.server.close(() => r())));
  }
}

let h: Harness;
const spy = new KeySpy();
beforeAll(async () => {
  const spyPort = await spy.listen();
  h = await startHarness({
    connections: (pgPort) => {
      spy.target = pgPort;
      return {
        spied: {
          protocol: 'postgres', host: '127.0.0.1', port: spyPort, database: 'shop',
          upstream: { user: 'app', password: { env: 'PW_APP' }, tls: { mode: 'disable' } },
        },
      };
    },
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await spy.close();
});

const bySession = (frames: Frame[]) => {
  const m = new Map<string, Frame[]>();
  for (const f of frames) m.set(f.sessionId, [...(m.get(f.sessionId) ?? []), f]);
  return m;
};

const sessionOf = (frames: Frame[], subject: string): Frame[] => {
  const fs = [...bySession(frames).values()].find((l) => l[0]?.body.kind === 'SessionStart' && l[0].body.identity.subject === subject);
  return fs ?? [];
};

const payloadOf = (f: Frame): Buffer => (f.body.kind === 'Wire' ? Buffer.from(f.body.payload) : Buffer.alloc(0));

const until = async (cond: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
};

describe('recording', () => {
  it('records every frame of a session in order, from session.start to session.end, without the token', async () => {
    const token = await h.token('rita', ['dev']);
    const r = await psql(h.port, 'app', token, 'SELECT 41 + 1');
    expect(r.stdout.trim()).toBe('42');
    await until(() => h.gateway.sessionCount === 0);
    const sessions = bySession(await h.frames());
    const frames = [...sessions.values()].find((fs) => fs[0]?.body.kind === 'SessionStart' && fs[0].body.identity.subject === 'rita');
    expect(frames).toBeDefined();
    const list = frames ?? [];
    expect(list.map((f) => f.seq)).toEqual(list.map((_, i) => i));
    expect(list[0]?.eventType).toBe('session.start');
    expect(list.at(-1)?.eventType).toBe('session.end');
    expect(list[0]?.body).toMatchObject({ kind: 'SessionStart', target: { connection: 'app', database: 'shop', user: 'app' }, recordingPolicy: 'STRICT' });
    const types = list.map((f) => `${f.direction}:${f.eventType}:${f.messageType}`);
    expect(types).toContain('CLIENT_TO_GATEWAY:db.startup:StartupMessage');
    expect(types).toContain('CLIENT_TO_GATEWAY:db.frame:PasswordMessage');
    expect(types).toContain('GATEWAY_TO_UPSTREAM:db.startup:StartupMessage');
    expect(types).toContain('CLIENT_TO_GATEWAY:db.query:Query');
    expect(types).toContain('UPSTREAM_TO_GATEWAY:db.row:DataRow');
    expect(types).toContain('UPSTREAM_TO_GATEWAY:db.complete:CommandComplete');
    const query = list.find((f) => f.eventType === 'db.query');
    expect(query?.body.kind === 'Wire' && query.body.payload.toString('utf8')).toContain('SELECT 41 + 1');
    const everything = list.map((f) => JSON.stringify(f.body, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v))).join('\n');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain('app-secret');
    const end = list.at(-1)?.body;
    expect(end).toMatchObject({ kind: 'SessionEnd', frames: list.length });
    expect(end?.kind === 'SessionEnd' && end.bytesFromClient).toBeGreaterThan(0);
  });

  it('records the upstream BackendKeyData as an upstream frame, redacted', async () => {
    const c = await pgClient(h.port, 'spied', await h.token('kim', ['dev']));
    await c.query('SELECT 1');
    await c.end();
    await until(() => h.gateway.sessionCount === 0);
    const list = sessionOf(await h.frames(), 'kim');
    const keys = list.filter((f) => f.messageType === 'BackendKeyData');
    const upstream = keys.filter((f) => f.direction === 'UPSTREAM_TO_GATEWAY');
    expect(upstream).toHaveLength(1);
    expect(upstream[0]?.body).toMatchObject({ kind: 'Wire', originalLength: 13 });
    expect(payloadOf(upstream[0]!).toString()).toBe('[redacted]');
    expect(keys.filter((f) => f.direction === 'CLIENT_TO_GATEWAY')).toEqual([]);
  });

  it('never records the upstream\'s or the client-facing cancel key', async () => {
    const before = spy.upstreamSecrets.length;
    const c = await pgClient(h.port, 'spied', await h.token('kit', ['dev']));
    const gatewaySecret = Buffer.alloc(4);
    const fromClient = (c as unknown as { secretKey: number }).secretKey;
    gatewaySecret.writeInt32BE(fromClient);
    await c.query('SELECT 2');
    await c.end();
    await until(() => h.gateway.sessionCount === 0);
    const upstreamSecret = spy.upstreamSecrets[before];
    expect(upstreamSecret?.length).toBe(4);
    const list = sessionOf(await h.frames(), 'kit');
    expect(list.length).toBeGreaterThan(5);
    for (const f of list) {
      const bytes = Buffer.concat([payloadOf(f), Buffer.from(JSON.stringify(f.body, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v)), 'latin1')]);
      expect(bytes.includes(upstreamSecret!), `upstream secret in seq ${f.seq} ${f.messageType}`).toBe(false);
      expect(bytes.includes(gatewaySecret), `gateway secret in seq ${f.seq} ${f.messageType}`).toBe(false);
    }
  });

  it('records what the gateway writes to the client after login, in order, as GATEWAY_TO_CLIENT', async () => {
    const token = await h.token('lou', ['dev']);
    const raw = await rawSocket(h.port);
    raw.socket.write(writeStartupMessage(new Writer(64), { majorVersion: 3, minorVersion: 0, parameters: new Map([['user', 'lou'], ['database', 'app']]) }).finish());
    raw.socket.write(encodeFrontendMessage({ kind: 'PasswordMessage', password: token }));
    const received: DecodedBackendMessage[] = [];
    await until(() => {
      const d = new BackendDecoder();
      d.push(raw.received());
      received.length = 0;
      for (let m = d.next(); m !== undefined; m = d.next()) received.push(m);
      return received.some((m) => m.kind === 'ReadyForQuery');
    });
    raw.socket.end(encodeFrontendMessage({ kind: 'Terminate' }));
    await raw.closed;
    await until(() => h.gateway.sessionCount === 0);
    const login = received.slice(received.findIndex((m) => m.kind === 'AuthenticationOk'));
    const key = login.find((m) => m.kind === 'BackendKeyData');
    expect(key).toBeDefined();
    const list = sessionOf(await h.frames(), 'lou');
    const toClient = list.filter((f) => f.direction === 'GATEWAY_TO_CLIENT');
    expect(toClient.map((f) => f.messageType)).toEqual(login.map((m) => m.kind));
    toClient.forEach((f, i) => {
      if (f.messageType === 'BackendKeyData') {
        expect(payloadOf(f).toString()).toBe('[redacted]');
        expect(f.body).toMatchObject({ originalLength: login[i]!.raw.length });
      } else expect(payloadOf(f).equals(login[i]!.raw)).toBe(true);
    });
    const secret = key?.kind === 'BackendKeyData' ? Buffer.from(key.secretKey) : Buffer.alloc(0);
    expect(secret.length).toBe(4);
    for (const f of list) expect(payloadOf(f).includes(secret)).toBe(false);
  });

  it('gives a masking decision the seq of the Execute whose result it masked, so pipelined Executes project right', async () => {
    const s = await RawSession.login(h.port, 'app', await h.token('max', ['masked']));
    try {
      s.send([
        { kind: 'Parse', statement: 'a', query: 'SELECT email FROM customers WHERE id = 1', parameterTypes: [] },
        { kind: 'Bind', portal: 'pa', statement: 'a', parameterFormats: [], parameters: [], resultFormats: [] },
        { kind: 'Describe', target: 'P', name: 'pa' },
        { kind: 'Execute', portal: 'pa', maxRows: 0 },
        { kind: 'Parse', statement: 'b', query: 'SELECT 2 AS n', parameterTypes: [] },
        { kind: 'Bind', portal: 'pb', statement: 'b', parameterFormats: [], parameters: [], resultFormats: [] },
        { kind: 'Describe', target: 'P', name: 'pb' },
        { kind: 'Execute', portal: 'pb', maxRows: 0 },
        { kind: 'Sync' },
      ]);
      const got = await s.readyFor(1);
      const rows = got.filter((m) => m.kind === 'DataRow');
      expect(rows).toHaveLength(2);
    } finally {
      s.close();
    }
    await until(() => h.gateway.sessionCount === 0);
    const list = sessionOf(await h.frames(), 'max');
    const executes = list.filter((f) => f.messageType === 'Execute').map((f) => f.seq);
    expect(executes).toHaveLength(2);
    const masks = list.filter((f) => f.eventType === 'mask.applied' || f.eventType === 'mask.withheld');
    expect(masks.map((f) => (f.body.kind === 'Decision' ? f.body.refSeq : undefined))).toEqual([executes[0]]);
    const projected = new Map<number, QueryRow>();
    const tracker = new PgQueryTracker(() => ({ session_id: list[0]!.sessionId, subject: 'max', connection: 'app' }));
    const sink = { row: (r: QueryRow) => projected.set(r.seq, { ...r, masking: [...r.masking] }), finished: () => undefined };
    list.forEach((f, i) => tracker.apply(storedFrameOf(f, 0, i), sink));
    expect(projected.get(executes[0]!)).toMatchObject({ statement: 'SELECT email FROM customers WHERE id = 1', masking: ['public.customers.email:redact'] });
    expect(projected.get(executes[1]!)).toMatchObject({ statement: 'SELECT 2 AS n', masking: [] });
  });

  it('records a block as a Decision frame pointing at the message it judged', async () => {
    const c = await pgClient(h.port, 'app', await h.token('will', ['writer']));
    try {
      await expect(c.query('DROP TABLE customers')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await c.end();
    }
    const frames = await h.frames();
    const block = frames.find((f) => f.eventType === 'policy.block');
    expect(block?.body).toMatchObject({ kind: 'Decision', action: 'BLOCK', rule: 'no-ddl/ddl' });
    const ref = block?.body.kind === 'Decision' ? block.body.refSeq : null;
    const judged = frames.find((f) => f.sessionId === block?.sessionId && f.seq === ref);
    expect(judged?.eventType).toBe('db.query');
  });

  it('records a refused login as auth.fail', async () => {
    await psql(h.port, 'legacy', await h.token('eve', ['analyst']), 'SELECT 1');
    const frames = await h.frames();
    const fail = frames.find((f) => f.eventType === 'auth.fail' && f.body.kind === 'Decision' && f.body.subject === 'eve');
    expect(fail?.body).toMatchObject({ action: 'AUTH_FAIL', details: { connection: 'legacy', sqlstate: '28000' } });
  });

  it('ends strict sessions when the log goes down, refuses new ones, and admits them again once it is back', async () => {
    const token = await h.token('sam', ['dev']);
    const c = await pgClient(h.port, 'app', token);
    h.log.up = false;
    // The sink learns the log is down from its next append; the running session is then ended.
    const err = await c.query('SELECT pg_sleep(2)').then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/recording is unavailable \(event log degraded\)/);
    await expect(pgClient(h.port, 'app', token)).rejects.toMatchObject({ code: '57P03' });
    await expect(pgClient(h.port, 'relaxed', token)).rejects.toMatchObject({ code: '57P03' });
    h.log.up = true;
    await until(() => h.sink.state === 'healthy');
    const again = await pgClient(h.port, 'app', token);
    expect((await again.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    await again.end();
  });
});
