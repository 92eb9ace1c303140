import type { Store } from '../../core/store/port.js';
import { SCREEN_RESETS, parseSize, type CastFrame, type CastMarker, type TerminalSize } from './asciicast.js';

/** Frames that matter to a terminal recording; everything else in the session is skipped by the engine. */
const TERMINAL_TYPES = ['ssh.data', 'ssh.pty', 'ssh.resize', 'k8s.stream'];
/** SQL conditions (conventions in asciicast.ts) for terminal output and for size changes. */
const IS_OUTPUT = "((event_type = 'ssh.data' AND direction IN ('UPSTREAM_TO_GATEWAY', 'GATEWAY_TO_CLIENT')) OR (event_type = 'k8s.stream' AND channel IN (1, 2)))";
const IS_SIZE = "(event_type IN ('ssh.pty', 'ssh.resize') OR (event_type = 'k8s.stream' AND channel = 4))";

interface FrameRow {
  seq: string;
  t: string;
  event_type: string;
  direction: string;
  channel: number | null;
  p: string;
}

const toFrame = (r: FrameRow): CastFrame => ({
  seq: Number(r.seq),
  tsUs: Number(r.t),
  eventType: r.event_type,
  direction: r.direction,
  channel: r.channel,
  payload: Buffer.from(r.p, 'base64'),
});

/**
 * Reads a session's terminal frames by key range. Every read is bounded by (session_id, seq) or by a
 * LIMIT, so a seek costs the segment read, not the whole recording (frames is ORDER BY session_id, seq).
 */
export class RecordingReader {
  constructor(
    private readonly store: Store,
    readonly sessionId: string,
  ) {}

  /** The first frame's time and seq, or undefined when the session has no frames. */
  async first(): Promise<{ tsUs: number; seq: number } | undefined> {
    const rows = await this.store.query<{ t: string; seq: string }>(
      'SELECT toUnixTimestamp64Micro(ts) AS t, seq FROM frames WHERE session_id = {id:String} ORDER BY seq LIMIT 1',
      { id: this.sessionId },
    );
    const r = rows[0];
    return r === undefined ? undefined : { tsUs: Number(r.t), seq: Number(r.seq) };
  }

  /** The last frame's time (any type: the session may end after its last output). */
  async lastTsUs(): Promise<number | undefined> {
    const rows = await this.store.query<{ t: string }>(
      'SELECT toUnixTimestamp64Micro(ts) AS t FROM frames WHERE session_id = {id:String} ORDER BY seq DESC LIMIT 1',
      { id: this.sessionId },
    );
    return rows[0] === undefined ? undefined : Number(rows[0].t);
  }

  /**
   * Every `every`-th terminal frame (seq and time), starting with the first: segment boundaries.
   * Reads only the seq, ts and event_type columns of the session's range, never payloads.
   */
  async checkpoints(every: number): Promise<Array<{ seq: number; tsUs: number }>> {
    const rows = await this.store.query<{ seq: string; t: string }>(
      `SELECT seq, t FROM (
         SELECT seq, toUnixTimestamp64Micro(ts) AS t, row_number() OVER (ORDER BY seq) AS rn FROM frames
         WHERE session_id = {id:String} AND event_type IN {types:Array(String)}
       ) WHERE (rn - 1) % {every:UInt32} = 0 ORDER BY seq`,
      { id: this.sessionId, types: TERMINAL_TYPES, every },
    );
    return rows.map((r) => ({ seq: Number(r.seq), tsUs: Number(r.t) }));
  }

  /** Terminal frames from seq on that are stamped before endUs, at most limit. */
  async framesBefore(seq: number, endUs: number, limit: number): Promise<CastFrame[]> {
    const rows = await this.store.query<FrameRow>(
      `SELECT seq, toUnixTimestamp64Micro(ts) AS t, event_type, direction, channel, base64Encode(payload) AS p FROM frames
       WHERE session_id = {id:String} AND seq >= {seq:UInt64} AND ts < fromUnixTimestamp64Micro({end:Int64}, 'UTC')
       AND event_type IN {types:Array(String)} ORDER BY seq LIMIT {limit:UInt32}`,
      { id: this.sessionId, seq, end: endUs, types: TERMINAL_TYPES, limit },
    );
    return rows.map(toFrame);
  }

  /** The first terminal frame at or after tsUs (its seq), or undefined past the end. */
  async seqAt(tsUs: number): Promise<number | undefined> {
    const rows = await this.store.query<{ seq: string }>(
      `SELECT seq FROM frames WHERE session_id = {id:String} AND ts >= fromUnixTimestamp64Micro({t:Int64}, 'UTC')
       AND event_type IN {types:Array(String)} ORDER BY seq LIMIT 1`,
      { id: this.sessionId, t: tsUs, types: TERMINAL_TYPES },
    );
    return rows[0] === undefined ? undefined : Number(rows[0].seq);
  }

  /** The terminal size in force just before seq (the last pty or resize), if any. */
  async sizeBefore(seq: number): Promise<TerminalSize | undefined> {
    const rows = await this.store.query<{ p: string }>(
      `SELECT base64Encode(payload) AS p FROM frames WHERE session_id = {id:String} AND seq < {seq:UInt64}
       AND ${IS_SIZE} ORDER BY seq DESC LIMIT 1`,
      { id: this.sessionId, seq },
    );
    return rows[0] === undefined ? undefined : parseSize(Buffer.from(rows[0].p, 'base64'));
  }

  /** The size and terminal type of the session's first ssh.pty, if recorded. */
  async initialSize(): Promise<TerminalSize | undefined> {
    const rows = await this.store.query<{ p: string }>(
      `SELECT base64Encode(payload) AS p FROM frames WHERE session_id = {id:String} AND ${IS_SIZE} ORDER BY seq LIMIT 1`,
      { id: this.sessionId },
    );
    return rows[0] === undefined ? undefined : parseSize(Buffer.from(rows[0].p, 'base64'));
  }

  /**
   * Where replaying output must start so the screen at seq is rebuilt: the last output frame within
   * `lookback` frames before seq that resets the screen (clear, reset, alternate screen). `exact` is
   * false when no reset was found and the window does not reach the session's start.
   */
  async rebuildStart(seq: number, firstSeq: number, lookback: number): Promise<{ from: number; exact: boolean }> {
    const floor = Math.max(firstSeq, seq - lookback);
    const rows = await this.store.query<{ seq: string }>(
      `SELECT seq FROM frames WHERE session_id = {id:String} AND seq >= {floor:UInt64} AND seq < {seq:UInt64}
       AND ${IS_OUTPUT} AND multiSearchAny(payload, {resets:Array(String)})
       ORDER BY seq DESC LIMIT 1`,
      { id: this.sessionId, floor, seq, resets: SCREEN_RESETS },
    );
    const found = rows[0];
    if (found !== undefined) return { from: Number(found.seq), exact: true };
    return { from: floor, exact: floor <= firstSeq };
  }

  /** Output frames in [fromSeq, toSeq), newest last, capped at maxBytes from the end. */
  async outputBetween(fromSeq: number, toSeq: number, maxBytes: number): Promise<Buffer[]> {
    const rows = await this.store.query<{ p: string }>(
      `SELECT base64Encode(payload) AS p FROM frames WHERE session_id = {id:String} AND seq >= {from:UInt64} AND seq < {to:UInt64}
       AND ${IS_OUTPUT} ORDER BY seq`,
      { id: this.sessionId, from: fromSeq, to: toSeq },
    );
    const out = rows.map((r) => Buffer.from(r.p, 'base64'));
    let total = 0;
    for (let i = out.length - 1; i >= 0; i--) {
      total += out[i]?.length ?? 0;
      if (total > maxBytes) return out.slice(i + 1);
    }
    return out;
  }

  /** Up to limit terminal frames from seq on. */
  async framesFrom(seq: number, limit: number): Promise<CastFrame[]> {
    const rows = await this.store.query<FrameRow>(
      `SELECT seq, toUnixTimestamp64Micro(ts) AS t, event_type, direction, channel, base64Encode(payload) AS p FROM frames
       WHERE session_id = {id:String} AND seq >= {seq:UInt64} AND event_type IN {types:Array(String)} ORDER BY seq LIMIT {limit:UInt32}`,
      { id: this.sessionId, seq, types: TERMINAL_TYPES, limit },
    );
    return rows.map(toFrame);
  }
}

/** Markers of a session (commands, blocked actions, alerts), oldest first, for casts and the UI. */
export interface SessionMarker extends CastMarker {
  kind: 'command' | 'block' | 'alert';
  seq: number | null;
}

/** Reads the markers of one session from commands, decision frames and alerts. */
export async function readMarkers(store: Store, sessionId: string, limit = 5000): Promise<SessionMarker[]> {
  const rows = await store.query<{ kind: SessionMarker['kind']; t: string; seq: string | null; label: string }>(
    `SELECT * FROM (
       SELECT 'command' AS kind, toUnixTimestamp64Micro(ts) AS t, toNullable(seq) AS seq, concat('$ ', command) AS label
         FROM commands FINAL WHERE session_id = {id:String}
       UNION ALL
       SELECT 'block', toUnixTimestamp64Micro(ts), toNullable(seq), concat('blocked: ', decision_rule, if(decision_reason = '', '', concat(' (', decision_reason, ')')))
         FROM frames WHERE session_id = {id:String} AND decision_action = 'BLOCK'
       UNION ALL
       SELECT 'alert', toUnixTimestamp64Micro(ts), seq, concat('alert ', severity, ': ', title)
         FROM alerts FINAL WHERE session_id = {id:String}
     ) ORDER BY t, indexOf(['command', 'block', 'alert'], kind) LIMIT {limit:UInt32}`,
    { id: sessionId, limit },
  );
  return rows.map((r) => ({ kind: r.kind, tsUs: Number(r.t), seq: r.seq === null ? null : Number(r.seq), label: r.label.slice(0, 200) }));
}
