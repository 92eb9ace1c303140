import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { openStore } from './open.js';
import type { Store } from './port.js';

type Mode = 'ok' | 'http500' | 'reset';

/** A ClickHouse stand-in whose inserts can fail with a 500 or a dropped connection mid-body. */
function flakyServer(state: { mode: Mode; inserts: Array<{ token: string | null; body: Buffer }> }): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URL(req.url ?? '/', 'http://x').searchParams;
      const query = `${params.get('query') ?? ''}${Buffer.concat(chunks).toString('utf8')}`;
      if (query.includes('system.columns')) {
        res.end('{"name":"topic","type":"LowCardinality(String)","default_kind":""}\n{"name":"raw","type":"String","default_kind":""}\n');
        return;
      }
      state.inserts.push({ token: params.get('insert_deduplication_token'), body: Buffer.concat(chunks) });
      if (state.mode === 'http500') {
        res.statusCode = 500;
        res.setHeader('X-ClickHouse-Exception-Code', '210');
        res.end('Code: 210. DB::NetException: Connection reset by peer, while writing to socket. (NETWORK_ERROR)');
      } else if (state.mode === 'reset') {
        req.socket.destroy();
      } else {
        res.end('');
      }
    });
  });
}

describe('clickhouse adapter when an insert fails mid-way', () => {
  const state = { mode: 'ok' as Mode, inserts: [] as Array<{ token: string | null; body: Buffer }> };
  const server = flakyServer(state);
  let store: Store;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    store = await openStore({ kind: 'clickhouse', url: `http://127.0.0.1:${port}`, database: 'audit' });
  });
  afterAll(async () => {
    await store.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const rows = [{ topic: 't', raw: Buffer.from('a') }, { topic: 't', raw: Buffer.from('b') }];

  it.each(['http500', 'reset'] as const)('%s: the insert rejects (never claims success), and the caller\'s retry re-sends the same token and bytes', async (mode) => {
    state.inserts.length = 0;
    state.mode = mode;
    const err: unknown = await store.insert('dead_letters', rows, { dedupToken: 'frames/0/0-1' }).then(() => undefined, (e: unknown) => e);
    expect(isTollgateError(err, 'TG_ERR_STORE')).toBe(true);
    // The adapter does not retry on its own: ingest redelivers the batch and rebuilds the same token.
    expect(state.inserts.length).toBe(1);
    state.mode = 'ok';
    await store.insert('dead_letters', rows, { dedupToken: 'frames/0/0-1' });
    expect(state.inserts.map((i) => i.token)).toEqual(['frames/0/0-1', 'frames/0/0-1']);
    expect(state.inserts[1]?.body.equals(state.inserts[0]?.body ?? Buffer.alloc(0))).toBe(true);
  });
});
