import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { openStore } from './open.js';
import type { Store } from './port.js';

interface Seen {
  params: URLSearchParams;
  body: Buffer;
}

/**
 * A loopback stand-in for a ClickHouse server: records each request and answers like one. It checks
 * what the HTTP adapter puts on the wire; the adapter's behaviour against a real server is the
 * contract suite's job (clickhouse.contract.test.ts, CLICKHOUSE_URL).
 */
function fakeServer(seen: Seen[]): Server {
  return createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URL(req.url ?? '/', 'http://x').searchParams;
      const body = Buffer.concat(chunks);
      seen.push({ params, body });
      const sql = `${params.get('query') ?? ''}${body.toString('utf8')}`;
      if (sql.includes('system.columns')) {
        res.end('{"name":"topic","type":"LowCardinality(String)","default_kind":""}\n{"name":"raw","type":"String","default_kind":""}\n');
      } else if (sql.includes('boom')) {
        res.statusCode = 500;
        res.setHeader('X-ClickHouse-Exception-Code', '164');
        res.end('Code: 164. DB::Exception: default: Cannot execute query in readonly mode. (READONLY)');
      } else {
        res.end('{"v":"ok"}\n');
      }
    });
  });
}

describe('clickhouse adapter on the wire', () => {
  const seen: Seen[] = [];
  const server = fakeServer(seen);
  let store: Store;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    store = await openStore({ kind: 'clickhouse', url: `http://127.0.0.1:${port}`, database: 'audit', password: 'pw' });
  });
  afterAll(async () => {
    await store.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends parameters as param_* and limits and readonly as request settings, never in the SQL', async () => {
    const hostile = "'; DROP TABLE frames; --";
    expect(await store.query('SELECT {v:String} AS v', { v: hostile }, { readOnly: true, maxResultRows: 5, maxExecutionSeconds: 2 })).toEqual([
      { v: 'ok' },
    ]);
    const req = seen.at(-1);
    // The client escapes the value for the server's parameter parser; it travels beside the SQL.
    expect(req?.params.get('param_v')).toContain('DROP TABLE frames');
    expect(req?.params.get('readonly')).toBe('1');
    expect(req?.params.get('max_result_rows')).toBe('5');
    expect(req?.params.get('result_overflow_mode')).toBe('throw');
    expect(req?.params.get('max_execution_time')).toBe('2');
    expect(req?.params.get('database')).toBe('audit');
    expect(`${req?.params.get('query') ?? ''}${req?.body.toString() ?? ''}`).not.toContain('DROP');
  });

  it('inserts one TabSeparated batch with its columns and the dedup token as a setting', async () => {
    await store.insert('dead_letters', [{ topic: 't', raw: Buffer.from([0x00, 0x09, 0xff]) }, { topic: 'u\tv' }], { dedupToken: 'frames/0/10-19' });
    const req = seen.at(-1);
    expect(req?.params.get('query')).toMatch(/^INSERT INTO dead_letters \(topic, raw\) FORMAT TabSeparated/);
    expect(req?.params.get('insert_deduplication_token')).toBe('frames/0/10-19');
    expect(req?.params.get('input_format_tsv_empty_as_default')).toBe('1');
    expect([...(req?.body ?? [])]).toEqual([...Buffer.from('t\t\\0\\t'), 0xff, ...Buffer.from('\nu\\tv\t\n')]);
  });

  it('maps engine errors to TollgateErrors and refuses guarded statements before sending', async () => {
    const before = seen.length;
    await expect(store.query("SELECT file('/etc/passwd')", undefined, { readOnly: true })).rejects.toMatchObject({ code: 'TG_ERR_READ_ONLY' });
    expect(seen.length).toBe(before);
    const err: unknown = await store.query('SELECT boom').catch((e: unknown) => e);
    expect(isTollgateError(err, 'TG_ERR_READ_ONLY')).toBe(true);
  });
});
