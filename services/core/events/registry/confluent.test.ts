import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../../errors.js';
import { EventCodec } from '../codec.js';
import { Subjects } from '../schemas.js';
import { fullFrames } from '../test-support/fixtures.js';
import { ConfluentSchemaRegistry } from './confluent.js';
import { recordSchema, runSchemaRegistryContract } from '../test-support/registry-contract.js';
import { serveRegistryApi } from './http-api.js';
import type { RunningRegistryApi } from './http-api.js';
import { LocalSchemaRegistry } from './local.js';

// No Confluent Schema Registry can run here. The adapter talks to the Confluent REST API served by
// http-api.ts over a local registry: a fake of the real service, real HTTP on 127.0.0.1.
const servers: RunningRegistryApi[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function openOverHttp(): Promise<ConfluentSchemaRegistry> {
  const api = await serveRegistryApi(LocalSchemaRegistry.memory());
  servers.push(api);
  return new ConfluentSchemaRegistry({ url: `${api.url}/`, timeoutMs: 2000 });
}

runSchemaRegistryContract('confluent over HTTP', openOverHttp);

describe('ConfluentSchemaRegistry', () => {
  it('backs an EventCodec: frames written through one client are read through another', async () => {
    const api = await serveRegistryApi(LocalSchemaRegistry.memory());
    servers.push(api);
    const writer = await EventCodec.create(new ConfluentSchemaRegistry({ url: api.url }));
    const reader = await EventCodec.create(new ConfluentSchemaRegistry({ url: api.url }));
    const value = writer.encodeFrame(fullFrames()[0]!);
    await reader.loadWriterSchemas([value]);
    expect(reader.decodeFrame(value)).toEqual(fullFrames()[0]);
    const latest = await new ConfluentSchemaRegistry({ url: api.url }).latest(Subjects.frames);
    expect(latest?.id).toBe(writer.frameSchemaId);
  });

  describe('against a misbehaving server', () => {
    let url = '';
    let close: () => Promise<void> = () => Promise.resolve();
    const seen: { method: string | undefined; url: string | undefined; type: string | undefined; accept: string | undefined }[] = [];
    beforeAll(async () => {
      const server = createServer((req, res) => {
        seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], accept: req.headers.accept });
        if (req.url?.startsWith('/slow')) return; // never answers
        if (req.url?.startsWith('/schemas/ids/')) {
          res.writeHead(500).end('<html>oops</html>');
          return;
        }
        if (req.url?.includes('/versions/latest')) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"error_code":40401,"message":"Subject not found."}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"unexpected":true}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
    });
    afterAll(() => close());

    it('sends Confluent content types', async () => {
      await new ConfluentSchemaRegistry({ url }).register('h-value', recordSchema()).catch(() => undefined);
      const post = seen.find((s) => s.method === 'POST');
      expect(post).toMatchObject({ url: '/subjects/h-value/versions', type: 'application/vnd.schemaregistry.v1+json', accept: 'application/vnd.schemaregistry.v1+json' });
    });

    it('turns a server error into TG_ERR_SCHEMA_REGISTRY with the status', async () => {
      const err: unknown = await new ConfluentSchemaRegistry({ url }).getById(7).catch((e: unknown) => e);
      expect(isTollgateError(err, 'TG_ERR_SCHEMA_REGISTRY')).toBe(true);
      expect((err as Error).message).toMatch(/answered 500/);
    });

    it('refuses an answer without the expected fields', async () => {
      await expect(new ConfluentSchemaRegistry({ url }).register('h-value', recordSchema())).rejects.toThrow(/unexpected body/);
    });

    it('times out with TG_ERR_TIMEOUT', async () => {
      const err: unknown = await new ConfluentSchemaRegistry({ url: `${url}/slow`, timeoutMs: 100 }).getById(1).catch((e: unknown) => e);
      expect(isTollgateError(err, 'TG_ERR_TIMEOUT')).toBe(true);
    });

    it('reports an unreachable registry as TG_ERR_SCHEMA_REGISTRY', async () => {
      const err: unknown = await new ConfluentSchemaRegistry({ url: 'http://127.0.0.1:1' }).getById(1).catch((e: unknown) => e);
      expect(isTollgateError(err, 'TG_ERR_SCHEMA_REGISTRY')).toBe(true);
    });
  });
});
