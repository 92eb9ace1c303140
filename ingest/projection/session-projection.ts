import { peerHost } from '../../services/core/peer-address.js';
import type { StoredFrame } from '../model/stored-frame.js';
import { CommandTracker, type CommandSink } from './commands.js';
import { PgQueryTracker, type QuerySink } from './queries.js';
import type { Fact, SessionRow } from './rows.js';
import { UNKNOWN_SESSION, parseSessionStart, tokenIdOf, type SessionInfo } from './session-info.js';

/** What one frame produced: row changes go to the sinks, rule facts to `fact`. */
export interface ProjectionSinks {
  query: QuerySink;
  command: CommandSink;
  fact(fact: Fact): void;
}

const TO_CLIENT = new Set(['GATEWAY_TO_CLIENT', 'UPSTREAM_TO_GATEWAY']);

/**
 * One session's projection state, folded frame by frame in seq order: the sessions row (counters,
 * outcome) and the query and command trackers. Pure: the same frames give the same rows, whether
 * they arrive live or are read back from the store.
 */
export class SessionProjection {
  info: SessionInfo = { ...UNKNOWN_SESSION };
  startedAt = 0;
  endedAt: number | null = null;
  lastSeq = -1;
  frames = 0;
  bytesFromClient = 0;
  bytesToClient = 0;
  blocked = 0;
  /** Ids of the alerts raised on this session (a set: re-raising after a crash counts once). */
  readonly alertIds = new Set<string>();
  outcome = 'active';
  endReason = '';
  error = '';
  private tokenId = '';
  readonly queries: PgQueryTracker;
  readonly commands: CommandTracker;

  constructor(readonly sessionId: string) {
    this.queries = new PgQueryTracker(() => ({ session_id: sessionId, subject: this.info.subject, connection: this.info.connection }));
    this.commands = new CommandTracker(() => ({ session_id: sessionId, subject: this.info.subject, connection: this.info.connection, protocol: this.info.protocol }));
  }

  /** Folds one frame; frames at or below the last seq folded are ignored (redelivered). */
  apply(f: StoredFrame, out: ProjectionSinks): boolean {
    if (f.seq <= this.lastSeq) return false;
    this.lastSeq = f.seq;
    this.frames++;
    if (this.startedAt === 0) this.startedAt = f.tsMicros;
    if (f.decisionAction === '' && f.eventType !== 'session.start' && f.eventType !== 'session.end') {
      if (f.direction === 'CLIENT_TO_GATEWAY') this.bytesFromClient += f.originalLength;
      else if (TO_CLIENT.has(f.direction)) this.bytesToClient += f.originalLength;
    }
    switch (f.eventType) {
      case 'session.start':
        this.info = parseSessionStart(f.payload);
        this.tokenId = tokenIdOf(this.info);
        this.startedAt = f.tsMicros;
        out.fact(this.fact('session.start', f, {}));
        return true;
      case 'session.end':
        this.end(f);
        this.queries.end(out.query);
        out.fact(this.fact('session.end', f, { duration_us: this.durationUs(), reason: this.endReason, error: this.error, blocked: this.blocked, frames: this.frames, outcome: this.outcome }));
        return true;
      default:
    }
    if (f.decisionAction !== '') this.decision(f, out);
    if (f.protocol === 'POSTGRES') this.queries.apply(f, out.query);
    else this.commands.apply(f, out.command);
    return true;
  }

  private decision(f: StoredFrame, out: ProjectionSinks): void {
    if (f.decisionAction === 'BLOCK') this.blocked++;
    if (f.decisionAction === 'AUTH_FAIL') this.outcome = 'denied';
    out.fact(this.fact('decision', f, { action: f.decisionAction, rule: f.decisionRule, reason: f.decisionReason, event_type: f.eventType, ref_seq: f.decisionRefSeq }));
  }

  private end(f: StoredFrame): void {
    this.endedAt = f.tsMicros;
    let body: { reason?: string; error?: string | null; bytesFromClient?: number; bytesToClient?: number } = {};
    try {
      body = JSON.parse(f.payload.toString('utf8')) as typeof body;
    } catch {
      // a broken end body still ends the session
    }
    this.endReason = body.reason ?? '';
    this.error = body.error ?? '';
    if ((body.bytesFromClient ?? 0) > 0) this.bytesFromClient = body.bytesFromClient!;
    if ((body.bytesToClient ?? 0) > 0) this.bytesToClient = body.bytesToClient!;
    if (this.outcome === 'active') this.outcome = this.error !== '' ? 'error' : 'closed';
  }

  durationUs(): number {
    return this.endedAt === null ? 0 : Math.max(0, this.endedAt - this.startedAt);
  }

  /** A rule fact carrying the session's identity fields beside the event's own. */
  fact(kind: Fact['kind'], f: { seq: number; tsMicros: number }, fields: Record<string, unknown>): Fact {
    const i = this.info;
    return {
      kind,
      sessionId: this.sessionId,
      seq: f.seq,
      tsMicros: f.tsMicros,
      fields: {
        subject: i.subject, issuer: i.issuer, groups: i.groups, roles: i.roles, connection: i.connection, protocol: i.protocol,
        client_address: i.clientAddress, client_ip: peerHost(i.clientAddress), target_host: i.targetHost, target_database: i.targetDatabase, target_user: i.targetUser,
        gateway_node: i.gatewayNode, grant: i.grant, token_id: this.tokenId, session_id: this.sessionId, seq: f.seq,
        session_blocked: this.blocked, session_frames: this.frames,
        ...fields,
      },
    };
  }

  /** The sessions row as of the last frame folded; `version` is that frame's seq. */
  row(): SessionRow {
    const i = this.info;
    return {
      session_id: this.sessionId, version: Math.max(0, this.lastSeq), started_at: this.startedAt, ended_at: this.endedAt,
      subject: i.subject, issuer: i.issuer, groups: i.groups, roles: i.roles, grant: i.grant, connection: i.connection,
      protocol: i.protocol, target_host: i.targetHost, target_port: i.targetPort >= 0 && i.targetPort <= 65535 ? i.targetPort : 0, target_database: i.targetDatabase,
      target_user: i.targetUser, client_address: i.clientAddress, gateway_node: i.gatewayNode, recording_policy: i.recordingPolicy,
      guardrails: i.guardrails, masking_profiles: i.maskingProfiles, bytes_from_client: this.bytesFromClient,
      bytes_to_client: this.bytesToClient, frames: this.frames, queries: this.queries.count, commands: this.commands.count,
      blocked: this.blocked, alerts: this.alertIds.size, outcome: this.outcome, end_reason: this.endReason, error: this.error,
    };
  }
}
