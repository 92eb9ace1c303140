import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTollgateError } from '../../errors.js';
import type { SchemaRegistry } from './port.js';

/**
 * The three Confluent Schema Registry endpoints tollgate uses, served from any SchemaRegistry:
 *
 *   POST /subjects/{subject}/versions      {"schema": "..."} -> {"id": n}
 *   GET  /schemas/ids/{id}                 -> {"schema": "..."}
 *   GET  /subjects/{subject}/versions/latest -> {"subject", "id", "version", "schema"}
 *
 * Errors use Confluent's codes: 40401 subject not found, 40403 schema not found, 409 incompatible,
 * 42201 invalid schema. It lets Kafka tools read an embedded deployment's ids, and it is what the
 * confluent adapter's tests talk to.
 */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

const MAX_BODY_BYTES = 1 << 20;

/** Answers one request; pure apart from the registry call. */
export async function answerRegistryRequest(registry: SchemaRegistry, method: string, path: string, body: string): Promise<ApiAnswer> {
  const register = /^\/subjects\/([^/]+)\/versions\/?$/.exec(path);
  const latest = /^\/subjects\/([^/]+)\/versions\/latest\/?$/.exec(path);
  const byId = /^\/schemas\/ids\/(\d{1,10})\/?$/.exec(path);
  try {
    if (method === 'POST' && register?.[1] !== undefined) {
      const schema = parseSchemaField(body);
      if (schema === undefined) return fail(422, 42201, 'Body must be JSON with a string field "schema".');
      return { status: 200, body: { id: await registry.register(decodeURIComponent(register[1]), schema) } };
    }
    if (method === 'GET' && latest?.[1] !== undefined) {
      const found = await registry.latest(decodeURIComponent(latest[1]));
      return found === undefined ? fail(404, 40401, 'Subject not found.') : { status: 200, body: found };
    }
    if (method === 'GET' && byId?.[1] !== undefined) {
      return { status: 200, body: { schema: await registry.getById(Number(byId[1])) } };
    }
    return fail(404, 404, `No route for ${method} ${path}.`);
  } catch (err) {
    if (isTollgateError(err, 'TG_ERR_SCHEMA')) {
      if (byId !== null) return fail(404, 40403, 'Schema not found.');
      // The compatibility check names the direction that failed; anything else is an invalid schema.
      return err.context['direction'] !== undefined ? fail(409, 409, err.message) : fail(422, 42201, err.message);
    }
    return fail(500, 50001, err instanceof Error ? err.message : String(err));
  }
}

function parseSchemaField(body: string): string | undefined {
  try {
    const schema = (JSON.parse(body) as { schema?: unknown }).schema;
    return typeof schema === 'string' ? schema : undefined;
  } catch {
    return undefined;
  }
}

function fail(status: number, code: number, message: string): ApiAnswer {
  return { status, body: { error_code: code, message } };
}

export interface RunningRegistryApi {
  url: string;
  close(): Promise<void>;
}

/** Serves a registry over HTTP on host:port (port 0 picks a free one). */
export async function serveRegistryApi(registry: SchemaRegistry, host = '127.0.0.1', port = 0): Promise<RunningRegistryApi> {
  const server: Server = createServer((req, res) => {
    void readBody(req).then(
      async (body) => {
        const url = new URL(req.url ?? '/', 'http://registry');
        const answer = body === undefined ? fail(413, 41301, 'Body too large.') : await answerRegistryRequest(registry, req.method ?? 'GET', url.pathname, body);
        res.writeHead(answer.status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        res.end(JSON.stringify(answer.body));
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // fetch keeps connections alive; do not wait for them to idle out
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
