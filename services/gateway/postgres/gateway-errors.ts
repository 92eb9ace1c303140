import { encodeBackendMessage, noticeFields, READY_FOR_QUERY } from './protocol/index.js';
import type { TransactionStatus } from './protocol/index.js';

/** SQLSTATEs the gateway itself answers with (PostgreSQL's own codes for the same situations). */
export const GatewaySqlState = {
  invalidAuthorization: '28000',
  invalidPassword: '28P01',
  protocolViolation: '08P01',
  connectionFailure: '08006',
  cannotConnectNow: '57P03',
  adminShutdown: '57P01',
  idleSessionTimeout: '57P05',
  featureNotSupported: '0A000',
  tooManyConnections: '53300',
  insufficientPrivilege: '42501',
  internalError: 'XX000',
} as const;

export type Severity = 'ERROR' | 'FATAL';

/** An ErrorResponse written by the gateway (not relayed), with an optional DETAIL and HINT. */
export function gatewayError(severity: Severity, code: string, message: string, extra: { detail?: string; hint?: string } = {}): Buffer {
  return encodeBackendMessage({
    kind: 'ErrorResponse',
    fields: noticeFields({ severity, code, message, ...extra }),
  });
}

/** An ERROR followed by ReadyForQuery, as a server answers a refused simple Query. */
export function errorAndReady(code: string, message: string, status: TransactionStatus): Buffer {
  return Buffer.concat([gatewayError('ERROR', code, message), READY_FOR_QUERY[status]]);
}
