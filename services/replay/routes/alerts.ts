import type { FastifyInstance } from 'fastify';
import type { Store } from '../../core/store/port.js';
import { requireAuditor, requireTicket } from '../auth.js';
import type { RouteContext } from '../route-context.js';
import { isoFromMicros, timeParam } from '../session-search.js';
import { WhereClause } from '../where-clause.js';

interface AlertRow {
  alert_id: string;
  rule_id: string;
  severity: string;
  title: string;
  subject: string;
  session_id: string;
  seq: string | null;
  t: string;
  offset_us: string | null;
  details_json: string;
}

const alertsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    severity: { type: 'string', enum: ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
    rule: { type: 'string', maxLength: 256 },
    subject: { type: 'string', maxLength: 512 },
    session: { type: 'string', maxLength: 256 },
    from: { type: 'string', maxLength: 40 },
    to: { type: 'string', maxLength: 40 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

const ticketSchema: Record<string, unknown> = { tags: ['alerts'], summary: 'A 60-second ticket for the alert stream (EventSource cannot send headers)' };

type AlertFilter = { severity?: string; rule?: string; subject?: string; session?: string; from?: string; to?: string; limit: number; afterUs?: number };

/** offset_us: where in its session the alert fired, so the UI opens the recording at that moment. */
const ALERT_SELECT = `SELECT a.alert_id, a.rule_id, a.severity, a.title, a.subject, a.session_id, a.seq, toUnixTimestamp64Micro(a.ts) AS t,
  if(s.session_id = '', NULL, toUnixTimestamp64Micro(a.ts) - toUnixTimestamp64Micro(s.started_at)) AS offset_us, a.details_json
  FROM alerts AS a FINAL LEFT JOIN (SELECT session_id, started_at FROM sessions FINAL) AS s ON s.session_id = a.session_id`;

function alertSql(f: AlertFilter): { sql: string; params: Record<string, unknown> } {
  const w = new WhereClause({ limit: f.limit })
    .when(f.severity, 'a.severity = {severity:String}', 'severity')
    .when(f.rule, 'a.rule_id = {rule:String}', 'rule')
    .when(f.subject, 'a.subject = {subject:String}', 'subject')
    .when(f.session, 'a.session_id = {session:String}', 'session')
    .when(f.from === undefined ? undefined : timeParam(f.from, 'from'), "a.ts >= fromUnixTimestamp64Micro({fromUs:Int64}, 'UTC')", 'fromUs')
    .when(f.to === undefined ? undefined : timeParam(f.to, 'to'), "a.ts < fromUnixTimestamp64Micro({toUs:Int64}, 'UTC')", 'toUs')
    .when(f.afterUs, "a.ts > fromUnixTimestamp64Micro({afterUs:Int64}, 'UTC')", 'afterUs');
  const order = f.afterUs === undefined ? 'a.ts DESC, a.alert_id DESC' : 'a.ts ASC, a.alert_id ASC';
  return { sql: `${ALERT_SELECT} ${w.toString()} ORDER BY ${order} LIMIT {limit:UInt32}`, params: w.params };
}

const alertView = (r: AlertRow) => ({
  id: r.alert_id, rule: r.rule_id, severity: r.severity, title: r.title, subject: r.subject, sessionId: r.session_id,
  seq: r.seq === null ? null : Number(r.seq), at: isoFromMicros(r.t), tsUs: Number(r.t),
  offsetSec: r.offset_us === null ? null : Math.max(0, Number(r.offset_us) / 1e6), details: r.details_json,
});

async function readAlerts(store: Store, f: AlertFilter) {
  const { sql, params } = alertSql(f);
  return (await store.query<AlertRow>(sql, params)).map(alertView);
}

/** Alerts: list, stream tickets, and the live stream (server-sent events). */
export function alertRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const openStreams = new Set<(why: string) => void>();
  app.addHook('onClose', (_instance, done) => {
    for (const close of [...openStreams]) close('server stopping');
    done();
  });

  app.get('/api/alerts', { schema: { querystring: alertsQuery, tags: ['alerts'], summary: 'Alerts, newest first' } }, async (request) => {
    const f = request.query as AlertFilter;
    await ctx.auditedRead(request, f.session ?? '', JSON.stringify(f));
    return { alerts: await readAlerts(ctx.deps.store, f) };
  });

  app.post('/api/stream-tickets', { schema: ticketSchema }, async (request) => {
    const identity = await requireAuditor(ctx.deps, request);
    return ctx.tickets.issue(identity, 'alerts', ctx.deps.clock.nowMs());
  });

  app.get('/api/alerts/stream', { schema: { querystring: { type: 'object', properties: { ticket: { type: 'string', maxLength: 4096 } } }, tags: ['alerts'], summary: 'New alerts as server-sent events (?ticket=)' } }, async (request, reply) => {
    const identity = requireTicket(ctx.deps, ctx.tickets, (request.query as { ticket?: string }).ticket, 'alerts');
    await ctx.deps.audit.record({ identity, route: 'GET /api/alerts/stream', sessionId: '', detail: '', clientAddress: request.ip });
    const raw = reply.hijack().raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
    raw.write(': tollgate alert stream\n\n');
    let afterUs = ctx.deps.clock.nowMs() * 1000;
    let busy = false;
    const poll = async () => {
      if (busy) return;
      busy = true;
      try {
        if (ctx.deps.clock.nowMs() >= identity.expiresAt) return close('token expired');
        const fresh = await readAlerts(ctx.deps.store, { limit: 500, afterUs });
        for (const a of fresh) {
          raw.write(`id: ${a.tsUs}\nevent: alert\ndata: ${JSON.stringify(a)}\n\n`);
          afterUs = Math.max(afterUs, a.tsUs);
        }
        if (fresh.length === 0) raw.write(': keep-alive\n\n');
      } catch (err) {
        request.log.warn({ err }, 'alert stream poll failed');
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void poll(), ctx.deps.alertPollMs ?? 1000);
    const close = (why: string) => {
      clearInterval(timer);
      openStreams.delete(close);
      if (!raw.writableEnded) raw.end(`event: end\ndata: ${JSON.stringify(why)}\n\n`);
    };
    openStreams.add(close);
    request.raw.on('close', () => {
      clearInterval(timer);
      openStreams.delete(close);
    });
  });
}
