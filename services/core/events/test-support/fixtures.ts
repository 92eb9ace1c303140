import { decisionBody, sessionEndBody, sessionStartBody, wireBody } from '../bodies.js';
import { EventTypes } from '../codes.js';
import type { Alert, Frame, FrameBody } from '../types.js';

/** µs timestamp of 2026-01-01T00:00:00Z: well above 2^32, as real ones are. */
export const T0 = Date.UTC(2026, 0, 1) * 1000;

/** A frame around body with every header field set away from its default. */
export function frameWith<B extends FrameBody>(body: B, seq = 7): Frame<B> {
  return {
    sessionId: 'session-000042',
    seq,
    tsMicros: T0 + seq,
    protocol: 'POSTGRES',
    direction: 'CLIENT_TO_GATEWAY',
    eventType: 'db.query',
    eventCode: EventTypes['db.query'],
    messageType: 'Query',
    channel: 3,
    body,
  };
}

/** One fully populated frame of each body kind: no field left at its default. */
export function fullFrames(): Frame[] {
  return [
    frameWith(wireBody(Buffer.from('Q\0\0\0\x0dselect 1;\0', 'binary'), { maskedInline: true, truncated: true, originalLength: 900 })),
    frameWith(
      sessionStartBody({
        identity: { subject: 'ci@example.com', issuer: 'https://issuer.example', groups: ['ci', 'dev'], roles: ['reader'], claimsJson: '{"sub":"ci"}' },
        target: { connection: 'orders', protocol: 'POSTGRES', host: 'db.internal', port: 5432, database: 'orders', user: 'gateway' },
        clientAddress: '10.1.2.3:51234',
        gatewayNode: 'gw-1',
        grant: 'reader/orders',
        guardrails: ['read-only'],
        maskingProfiles: ['pii', 'cards'],
        recordingPolicy: 'BUFFERED',
        tokenExpiresAtMs: Date.UTC(2026, 0, 1, 1),
      }),
      0,
    ),
    frameWith(sessionEndBody('client_closed', { error: 'connection reset', bytesFromClient: 1234, bytesToClient: 2 ** 40, frames: 99 }), 99),
    frameWith(decisionBody('BLOCK', { rule: 'read-only/write', reason: 'DELETE is a write', subject: 'DELETE FROM orders', refSeq: 6, details: { statement: 'DeleteStmt', 'ü-key': 'välue' } }), 8),
  ];
}

/** An alert with every field set away from its default. */
export function fullAlert(): Alert {
  return {
    alertId: 'alert-1',
    ruleId: 'bulk-read',
    severity: 'HIGH',
    title: 'Bulk read of a PII table',
    subject: 'ci@example.com',
    sessionId: 'session-000042',
    seq: 12,
    tsMicros: T0 + 12,
    detailsJson: '{"rows":100000}',
  };
}
