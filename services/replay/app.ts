import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { findPackageRoot } from '../core/package-root.js';
import type { ReplayDeps } from './deps.js';
import { installErrorHandler } from './http-errors.js';
import { collectOpenApi } from './openapi.js';
import { routeContext } from './route-context.js';
import { alertRoutes } from './routes/alerts.js';
import { castRoutes } from './routes/cast.js';
import { frameRoutes } from './routes/frames.js';
import { queryRoutes } from './routes/queries.js';
import { sessionRoutes } from './routes/sessions.js';
import { sqlRoutes } from './routes/sql.js';
import { uiRoutes } from './routes/ui.js';
import { StreamTickets } from './stream-ticket.js';

/**
 * Strict CSP: scripts and styles only from this origin (no inline), WebAssembly for the player's
 * terminal emulator, no framing, no plugins. Recorded data is attacker-controlled; the UI renders it
 * with textContent only, and this header is the second wall.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Builds the replay API and UI app; the caller listens (or uses inject() in tests). */
export function buildReplayApp(deps: ReplayDeps): FastifyInstance {
  const options: Record<string, unknown> = {
    loggerInstance: deps.logger?.child({ role: 'replay' }),
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true } },
    bodyLimit: 256 * 1024,
  };
  if (deps.https !== undefined) options['https'] = deps.https;
  if (deps.logger === undefined) delete options['loggerInstance'];
  const app = Fastify(options) as unknown as FastifyInstance;
  installErrorHandler(app);
  const openapi = collectOpenApi(app);
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('x-frame-options', 'DENY');
    if (reply.getHeader('cache-control') === undefined) void reply.header('cache-control', 'no-store');
  });
  const ctx = routeContext(deps, new StreamTickets(deps.ticketKey));
  sessionRoutes(app, ctx);
  frameRoutes(app, ctx);
  castRoutes(app, ctx);
  queryRoutes(app, ctx);
  alertRoutes(app, ctx);
  sqlRoutes(app, ctx);
  uiRoutes(app, deps.uiDir ?? join(findPackageRoot(), 'replay-ui'));
  app.get('/openapi.json', (_request, reply) => reply.send(openapi()));
  app.get('/healthz', (_request, reply) => reply.send({ ok: true }));
  return app;
}
