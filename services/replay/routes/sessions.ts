import type { FastifyInstance } from 'fastify';
import { readMarkers } from '../cast/recording-reader.js';
import { noSession } from '../http-errors.js';
import type { RouteContext } from '../route-context.js';
import { SESSION_COLUMNS, encodeCursor, isoFromMicros, sessionSearchSql, type SessionFilter } from '../session-search.js';

type SessionRow = Record<string, unknown> & { session_id: string; started_us: string; ended_us: string | null };

/** A stored session row as the API shows it. */
function sessionView(r: SessionRow): Record<string, unknown> {
  const { session_id, started_us, ended_us, ...rest } = r;
  const view: Record<string, unknown> = { id: session_id, startedAt: isoFromMicros(started_us), endedAt: isoFromMicros(ended_us), startedUs: Number(started_us) };
  for (const [k, v] of Object.entries(rest)) view[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
  for (const k of ['bytesFromClient', 'bytesToClient', 'frames', 'queries', 'commands', 'blocked', 'alerts']) view[k] = Number(view[k] ?? 0);
  return view;
}

export const searchQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    subject: { type: 'string', maxLength: 512 },
    connection: { type: 'string', maxLength: 256 },
    protocol: { type: 'string', enum: ['postgres', 'ssh', 'kubernetes', 'mysql', 'POSTGRES', 'SSH', 'KUBERNETES', 'MYSQL'] },
    from: { type: 'string', maxLength: 40 },
    to: { type: 'string', maxLength: 40 },
    text: { type: 'string', maxLength: 1000 },
    hasAlerts: { type: 'boolean' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 2000 },
  },
} as const;

export const sessionIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

/** GET /api/sessions (search) and GET /api/sessions/:id (detail with markers). */
export function sessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/sessions', { schema: { querystring: searchQuerySchema, tags: ['sessions'], summary: 'Search sessions, newest first' } }, async (request) => {
    const filter = request.query as SessionFilter;
    await ctx.auditedRead(request, '', JSON.stringify(filter));
    const { sql, params } = sessionSearchSql(filter);
    const rows = await ctx.deps.store.query<SessionRow>(sql, params);
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      sessions: page.map(sessionView),
      nextCursor: rows.length > filter.limit && last !== undefined ? encodeCursor(Number(last.started_us), last.session_id) : null,
    };
  });

  app.get('/api/sessions/:id', { schema: { params: sessionIdParams, tags: ['sessions'], summary: 'One session with its markers' } }, async (request) => {
    const { id } = request.params as { id: string };
    await ctx.auditedRead(request, id, '');
    const rows = await ctx.deps.store.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions FINAL WHERE session_id = {id:String} LIMIT 1`, { id });
    const row = rows[0];
    if (row === undefined) throw noSession(id);
    const markers = await readMarkers(ctx.deps.store, id);
    const start = Number(row.started_us);
    return {
      session: sessionView(row),
      markers: markers.map((m) => ({ kind: m.kind, seq: m.seq, label: m.label, at: isoFromMicros(m.tsUs), offsetSec: Math.max(0, (m.tsUs - start) / 1e6) })),
    };
  });
}
