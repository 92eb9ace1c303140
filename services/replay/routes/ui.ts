import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Browser app files: names only, no folders, so a request can never leave the UI folder. */
const SAFE_NAME = /^[a-z0-9][a-z0-9-]*\.(html|js|css|svg)$/;
/** The player's ES module files in node_modules/asciinema-player/dist (hashed chunk names included). */
const PLAYER_NAME = /^[A-Za-z0-9_-]+\.js$/;

function playerDist(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('asciinema-player'));
}

/**
 * Serves replay-ui/ (plain ES modules, no build step) and asciinema-player's dist from node_modules
 * (not copied into the repository). The UI is public code; the data it shows needs a token.
 */
export function uiRoutes(app: FastifyInstance, uiDir: string): void {
  const vendorDir = playerDist();
  const send = async (file: string, reply: FastifyReply) => {
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return reply.status(404).send({ error: { code: 'TG_ERR_NOT_FOUND', message: 'no such file' } });
    }
    const ext = file.slice(file.lastIndexOf('.'));
    return reply.header('content-type', TYPES[ext] ?? 'application/octet-stream').header('cache-control', 'no-cache').send(body);
  };
  app.get('/', async (_request, reply) => send(join(uiDir, 'index.html'), reply));
  app.get('/ui/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    if (!SAFE_NAME.test(file)) return reply.status(404).send({ error: { code: 'TG_ERR_NOT_FOUND', message: 'no such file' } });
    return send(join(uiDir, file), reply);
  });
  app.get('/vendor/asciinema-player/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    if (!PLAYER_NAME.test(file)) return reply.status(404).send({ error: { code: 'TG_ERR_NOT_FOUND', message: 'no such file' } });
    return send(join(vendorDir, file), reply);
  });
}
