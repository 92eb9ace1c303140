import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { readMarkers, RecordingReader } from '../cast/recording-reader.js';
import { castSegment } from '../cast/segment.js';
import { SEGMENT_EVENTS, segmentPayload, segmentedIndex } from '../cast/segmented.js';
import { noSession } from '../http-errors.js';
import type { RouteContext } from '../route-context.js';
import { sessionIdParams } from './sessions.js';

const castQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'number', minimum: 0, default: 0 },
    maxEvents: { type: 'integer', minimum: 1, maximum: 200_000 },
    download: { type: 'boolean', default: false },
  },
} as const;

/**
 * GET /api/sessions/:id/cast: the terminal recording as asciicast v2. Without `from` and `maxEvents`
 * the whole recording, streamed page by page; with `from` (seconds) a segment that starts with the
 * screen rebuilt at that moment (cast/segment.ts). Response headers: X-Tollgate-Cast-Offset (segment
 * start, s), X-Tollgate-Cast-Exact (screen rebuilt exactly), X-Tollgate-Cast-Next (next segment, s).
 */
const segmentQuery = {
  type: 'object',
  required: ['fromSeq', 'start', 'duration'],
  additionalProperties: false,
  properties: {
    fromSeq: { type: 'integer', minimum: 0 },
    start: { type: 'number', minimum: 0 },
    end: { type: 'number', minimum: 0 },
    duration: { type: 'number', minimum: 0 },
  },
} as const;

export function castRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const base = (id: string) => `/api/sessions/${encodeURIComponent(id)}/recording`;

  app.get('/api/sessions/:id/recording', { schema: { params: sessionIdParams, tags: ['replay'], summary: 'Segmented recording index for asciinema-player (format: segmented)' } }, async (request) => {
    const { id } = request.params as { id: string };
    await ctx.auditedRead(request, id, 'segmented index');
    const markers = await readMarkers(ctx.deps.store, id);
    const index = await segmentedIndex(new RecordingReader(ctx.deps.store, id), markers, (fromSeq, start, end, duration) =>
      `${base(id)}/segment?fromSeq=${fromSeq}&start=${start}${end === undefined ? '' : `&end=${end}`}&duration=${duration}`);
    if (index === undefined) throw noSession(id);
    return index;
  });

  app.get('/api/sessions/:id/recording/segment', { schema: { params: sessionIdParams, querystring: segmentQuery, tags: ['replay'], summary: 'One segment: screen snapshot at its start and its events' } }, async (request) => {
    const { id } = request.params as { id: string };
    const q = request.query as { fromSeq: number; start: number; end?: number; duration: number };
    await ctx.auditedRead(request, id, JSON.stringify(q));
    const markers = await readMarkers(ctx.deps.store, id);
    const payload = await segmentPayload(new RecordingReader(ctx.deps.store, id), markers, { fromSeq: q.fromSeq, start: q.start, end: q.end, duration: q.duration }, SEGMENT_EVENTS * 4);
    if (payload === undefined) throw noSession(id);
    return payload;
  });

  app.get('/api/sessions/:id/cast', { schema: { params: sessionIdParams, querystring: castQuery, tags: ['replay'], summary: 'Terminal recording as asciicast v2 (seekable segments)' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const q = request.query as { from: number; maxEvents?: number; download: boolean };
    await ctx.auditedRead(request, id, JSON.stringify(q));
    const markers = await readMarkers(ctx.deps.store, id);
    const segment = await castSegment(new RecordingReader(ctx.deps.store, id), { fromSec: q.from, maxEvents: q.maxEvents, markers, title: id });
    if (segment === undefined) throw noSession(id);
    void reply.header('content-type', 'application/x-asciicast; charset=utf-8');
    void reply.header('x-tollgate-cast-offset', String(segment.offsetSec));
    void reply.header('x-tollgate-cast-exact', String(segment.exact));
    if (segment.nextSec !== undefined) void reply.header('x-tollgate-cast-next', String(segment.nextSec));
    if (q.download) void reply.header('content-disposition', `attachment; filename="${id.replace(/[^A-Za-z0-9._-]/g, '_')}.cast"`);
    const lines = segment.lines;
    return reply.send(Readable.from((async function* () {
      for await (const line of lines) yield `${line}\n`;
    })()));
  });
}
