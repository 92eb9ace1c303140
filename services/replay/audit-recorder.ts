import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { TollgateError } from '../core/errors.js';
import { decisionBody, eventOf, type EventCodec } from '../core/events/index.js';
import type { VerifiedIdentity } from '../core/identity/index.js';
import { Topics, type EventLog } from '../core/log/port.js';

/** One read of recorded data by an auditor: who, what, through which route. */
export interface AuditRead {
  identity: VerifiedIdentity;
  /** e.g. "GET /api/sessions/:id/cast" */
  route: string;
  /** The recorded session read, or '' for reads across sessions (search, SQL). */
  sessionId: string;
  /** Query parameters or SQL text, for the record (bounded). */
  detail: string;
  clientAddress: string;
}

/** Where reads of recordings are recorded. */
export interface AuditRecorder {
  /** Resolves once the read is durably recorded; rejects if it cannot be (the read is then refused). */
  record(read: AuditRead): Promise<void>;
}

/** Messages longer than this are cut: the record says what was asked, not a copy of a huge SQL text. */
const MAX_DETAIL = 4096;

/** The rule every audit-read decision frame carries. */
export const AUDIT_READ_RULE = 'audit/read';

/**
 * Records each read as a Decision frame (action ALLOW, rule `audit/read`) on the frames topic, under
 * its own session id `audit-<uuid>`: the read is part of the same event-sourced trail as what it read,
 * ingest stores it in `frames`, and compliance finds it with
 * `SELECT * FROM frames WHERE decision_rule = 'audit/read'`.
 */
export function logAuditRecorder(log: EventLog, codec: EventCodec, clock: Clock, nodeName: string): AuditRecorder {
  return {
    async record(read) {
      const sessionId = `audit-${randomUUID()}`;
      const value = codec.encodeFrame({
        sessionId,
        seq: 0,
        tsMicros: Number(clock.nowMicros()),
        protocol: 'GATEWAY',
        direction: 'GATEWAY',
        ...eventOf('policy.allow'),
        messageType: 'audit.read',
        channel: null,
        body: decisionBody('ALLOW', {
          rule: AUDIT_READ_RULE,
          reason: read.route,
          subject: read.identity.subject,
          details: {
            issuer: read.identity.issuer,
            session: read.sessionId,
            detail: read.detail.slice(0, MAX_DETAIL),
            client: read.clientAddress,
            node: nodeName,
          },
        }),
      });
      try {
        await log.append(Topics.frames, [{ key: sessionId, value }]);
      } catch (err) {
        throw new TollgateError('TG_ERR_LOG_UNAVAILABLE', 'the read could not be recorded in the audit trail, so it was refused; retry when the event log is available', { cause: err });
      }
    },
  };
}
