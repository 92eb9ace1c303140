import type { FastifyInstance } from 'fastify';
import { isTollgateError } from '../../core/errors.js';
import type { RouteContext } from '../route-context.js';

const sqlBody = {
  type: 'object',
  required: ['sql'],
  additionalProperties: false,
  properties: { sql: { type: 'string', minLength: 1, maxLength: 100_000 } },
} as const;

const DEFAULT_LIMITS = { maxResultRows: 10_000, maxExecutionSeconds: 30 };

/**
 * POST /api/sql: read-only SQL for compliance. Read-only is enforced by the engine (readonly=1 and
 * result/time limits per query) and by the store's statement guard; this route only reports refusals
 * as 400s the user can act on. The SQL text itself is recorded as the audit detail.
 */
export function sqlRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/api/sql', { bodyLimit: 256 * 1024, schema: { body: sqlBody, tags: ['sql'], summary: 'Run one read-only SQL statement against the store' } }, async (request, reply) => {
    const { sql } = request.body as { sql: string };
    await ctx.auditedRead(request, '', sql);
    const limits = ctx.deps.sqlLimits ?? DEFAULT_LIMITS;
    try {
      const rows = await ctx.deps.store.query(sql, {}, { readOnly: true, ...limits });
      const columns = rows[0] === undefined ? [] : Object.keys(rows[0]);
      return { columns, rows: rows.map((r) => columns.map((c) => r[c] ?? null)), rowCount: rows.length, limits };
    } catch (err) {
      // The user's SQL is the input here: engine refusals (readonly, limits, syntax) are their 400s.
      if (isTollgateError(err, 'TG_ERR_READ_ONLY') || isTollgateError(err, 'TG_ERR_STORE') || isTollgateError(err, 'TG_ERR_TIMEOUT')) {
        return reply.status(400).send({ error: { code: err.code, message: err.message } });
      }
      throw err;
    }
  });
}
