import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../route-context.js';
import { isoFromMicros } from '../session-search.js';
import { sessionIdParams } from './sessions.js';

interface FrameRow {
  seq: string;
  t: string;
  protocol: string;
  direction: string;
  event_type: string;
  message_type: string;
  channel: number | null;
  p: string;
  masked_inline: boolean;
  truncated: boolean;
  original_length: string;
  decision_action: string;
  decision_rule: string;
  decision_reason: string;
}

const framesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    fromSeq: { type: 'integer', minimum: 0, default: 0 },
    toSeq: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
  },
} as const;

/** GET /api/sessions/:id/frames: frames by seq range, paged, payloads base64. */
export function frameRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/sessions/:id/frames', { schema: { params: sessionIdParams, querystring: framesQuery, tags: ['sessions'], summary: 'Frames of a session by seq range (payload base64)' } }, async (request) => {
    const { id } = request.params as { id: string };
    const q = request.query as { fromSeq: number; toSeq?: number; limit: number };
    await ctx.auditedRead(request, id, JSON.stringify(q));
    const rows = await ctx.deps.store.query<FrameRow>(
      `SELECT seq, toUnixTimestamp64Micro(ts) AS t, protocol, direction, event_type, message_type, channel,
         base64Encode(payload) AS p, masked_inline, truncated, original_length, decision_action, decision_rule, decision_reason
       FROM frames WHERE session_id = {id:String} AND seq >= {from:UInt64} ${q.toSeq === undefined ? '' : 'AND seq <= {to:UInt64}'}
       ORDER BY seq LIMIT {limit:UInt32}`,
      { id, from: q.fromSeq, limit: q.limit + 1, ...(q.toSeq === undefined ? {} : { to: q.toSeq }) },
    );
    const page = rows.slice(0, q.limit);
    const next = rows[q.limit];
    return {
      frames: page.map((r) => ({
        seq: Number(r.seq), ts: isoFromMicros(r.t), tsUs: Number(r.t), protocol: r.protocol, direction: r.direction, eventType: r.event_type,
        messageType: r.message_type, channel: r.channel, payload: r.p, maskedInline: r.masked_inline, truncated: r.truncated,
        originalLength: Number(r.original_length),
        decision: r.decision_action === '' ? null : { action: r.decision_action, rule: r.decision_rule, reason: r.decision_reason },
      })),
      nextFromSeq: next === undefined ? null : Number(next.seq),
    };
  });
}
