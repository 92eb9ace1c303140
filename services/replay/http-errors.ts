import type { FastifyError, FastifyInstance } from 'fastify';
import { TollgateError, isTollgateError, type ErrorCode } from '../core/errors.js';

/** HTTP status per error code; anything not listed is a 500 whose details stay in the log. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  TG_ERR_AUTH_TOKEN: 401,
  TG_ERR_AUDIT_DENIED: 403,
  TG_ERR_NOT_FOUND: 404,
  TG_ERR_READ_ONLY: 400,
  TG_ERR_CONFIG: 400,
  TG_ERR_AUTH_ISSUER: 503,
  TG_ERR_LOG_UNAVAILABLE: 503,
  TG_ERR_LOG_BACKPRESSURE: 503,
  TG_ERR_TIMEOUT: 504,
};

/** Every error answers `{ error: { code, message } }`; 5xx messages are generic, the log has the rest. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | TollgateError, request, reply) => {
    if (isTollgateError(err)) {
      const status = STATUS[err.code] ?? 500;
      if (status >= 500) request.log.error({ err }, 'replay request failed');
      if (status === 401) void reply.header('www-authenticate', 'Bearer realm="tollgate-replay"');
      const message = status === 500 ? 'internal error; see the replay service log' : err.message;
      return reply.status(status).send({ error: { code: err.code, message } });
    }
    const fe = err;
    if (fe.validation !== undefined || (fe.statusCode !== undefined && fe.statusCode < 500)) {
      return reply.status(fe.statusCode ?? 400).send({ error: { code: 'TG_ERR_BAD_REQUEST', message: fe.message } });
    }
    request.log.error({ err }, 'replay request failed');
    return reply.status(500).send({ error: { code: 'TG_ERR_INTERNAL', message: 'internal error; see the replay service log' } });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: { code: 'TG_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` } }));
}

/** A 404 for a session id that has no recording. */
export function noSession(id: string): TollgateError {
  return new TollgateError('TG_ERR_NOT_FOUND', `no recorded session ${JSON.stringify(id.slice(0, 200))}`);
}
