import type { FastifyInstance } from 'fastify';
import { buildPreviews } from '../query-preview.js';
import type { RouteContext } from '../route-context.js';
import { isoFromMicros } from '../session-search.js';
import { sessionIdParams } from './sessions.js';

interface QueryRow {
  seq: string;
  t: string;
  statement: string;
  fingerprint: string;
  duration_us: string;
  rows: string;
  outcome: string;
  error: string;
  guardrail_action: string;
  guardrail_rule: string;
  masking: string[];
}

const timelineQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    fromSeq: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
  },
} as const;

/** Result frames read per page for previews; later statements of a page with huge results show none. */
const PREVIEW_FRAME_BUDGET = 20_000;

/** GET /api/sessions/:id/queries: the statement timeline of a database session. */
export function queryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/sessions/:id/queries', { schema: { params: sessionIdParams, querystring: timelineQuery, tags: ['sessions'], summary: 'Query timeline of a database session' } }, async (request) => {
    const { id } = request.params as { id: string };
    const q = request.query as { fromSeq: number; limit: number };
    await ctx.auditedRead(request, id, JSON.stringify(q));
    const store = ctx.deps.store;
    const rows = await store.query<QueryRow>(
      `SELECT seq, toUnixTimestamp64Micro(ts) AS t, statement, fingerprint, duration_us, rows, outcome, error, guardrail_action, guardrail_rule, masking
       FROM queries FINAL WHERE session_id = {id:String} AND seq >= {from:UInt64} ORDER BY seq LIMIT {limit:UInt32}`,
      { id, from: q.fromSeq, limit: q.limit + 1 },
    );
    const page = rows.slice(0, q.limit);
    const seqs = page.map((r) => Number(r.seq));
    const first = seqs[0];
    const end = rows[q.limit] === undefined ? Number.MAX_SAFE_INTEGER : Number(rows[q.limit]?.seq);
    const decisions = first === undefined ? [] : await store.query<{ ref: string; action: string; rule: string; reason: string }>(
      `SELECT decision_ref_seq AS ref, decision_action AS action, decision_rule AS rule, decision_reason AS reason FROM frames
       WHERE session_id = {id:String} AND seq >= {first:UInt64} AND seq < {end:UInt64} AND decision_action != '' AND decision_ref_seq IS NOT NULL ORDER BY seq`,
      { id, first, end },
    );
    const results = first === undefined ? [] : await store.query<{ seq: string; direction: string; p: string }>(
      `SELECT seq, direction, base64Encode(payload) AS p FROM frames WHERE session_id = {id:String} AND seq > {first:UInt64} AND seq < {end:UInt64}
       AND event_type IN ('db.describe', 'db.row') ORDER BY seq LIMIT {budget:UInt32}`,
      { id, first, end, budget: PREVIEW_FRAME_BUDGET },
    );
    const previews = buildPreviews(seqs, results.map((r) => ({ seq: Number(r.seq), payload: Buffer.from(r.p, 'base64'), toClient: r.direction === 'GATEWAY_TO_CLIENT' })));
    const byRef = new Map<number, Array<{ action: string; rule: string; reason: string }>>();
    for (const d of decisions) {
      const list = byRef.get(Number(d.ref)) ?? [];
      list.push({ action: d.action, rule: d.rule, reason: d.reason });
      byRef.set(Number(d.ref), list);
    }
    return {
      queries: page.map((r) => ({
        seq: Number(r.seq), startedAt: isoFromMicros(r.t), startedUs: Number(r.t), statement: r.statement, fingerprint: r.fingerprint,
        durationMs: Number(r.duration_us) / 1000, rows: Number(r.rows), outcome: r.outcome, error: r.error,
        guardrail: { action: r.guardrail_action, rule: r.guardrail_rule }, masking: r.masking,
        decisions: byRef.get(Number(r.seq)) ?? [], preview: previews.get(Number(r.seq)) ?? null,
      })),
      nextFromSeq: rows[q.limit] === undefined ? null : Number(rows[q.limit]?.seq),
    };
  });
}
