import { TollgateError } from '../../../core/errors.js';
import { BackendCode, FrontendCode } from './message-codes.js';
import { describeTypeByte, protocolError } from './protocol-error.js';

/**
 * Default cap on a server message's length field. DataRows carry whole column values, so this is the
 * biggest value a row may hold through the gateway; PostgreSQL itself allows up to 1 GiB.
 */
export const DEFAULT_MAX_BACKEND_MESSAGE = 64 * 1024 * 1024;

/**
 * Default cap on a client message's length field: statements, Bind parameters and COPY FROM chunks.
 * Smaller than the backend cap because it bounds what an unauthenticated or hostile client can make
 * the gateway buffer; raise it for workloads that bind huge values.
 */
export const DEFAULT_MAX_FRONTEND_MESSAGE = 16 * 1024 * 1024;

/** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT, applied to the client messages PostgreSQL applies it to. */
export const SMALL_MESSAGE_LIMIT = 10000;

/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH for 'p' messages; room for a large JWT. */
export const AUTH_MESSAGE_LIMIT = 65535;

/**
 * A 256-entry table of the largest length field allowed per type byte; 0 marks an unknown type.
 * One lookup both validates the type byte and bounds the frame.
 */
export type LimitTable = Int32Array;

/** Builds the limit table for server messages. */
export function backendLimits(maxMessageSize: number): LimitTable {
  checkMax(maxMessageSize);
  const t = new Int32Array(256);
  for (const code of Object.values(BackendCode)) t[code] = maxMessageSize;
  return t;
}

/** Builds the limit table for client messages after startup. */
export function frontendLimits(maxMessageSize: number): LimitTable {
  checkMax(maxMessageSize);
  const t = new Int32Array(256);
  for (const code of Object.values(FrontendCode)) t[code] = maxMessageSize;
  for (const code of [FrontendCode.Close, FrontendCode.CopyDone, FrontendCode.CopyFail, FrontendCode.Describe,
    FrontendCode.Execute, FrontendCode.Flush, FrontendCode.Sync, FrontendCode.Terminate]) {
    t[code] = Math.min(SMALL_MESSAGE_LIMIT, maxMessageSize);
  }
  t[FrontendCode.AuthenticationResponse] = Math.min(AUTH_MESSAGE_LIMIT, maxMessageSize);
  return t;
}

function checkMax(max: number): void {
  if (!Number.isInteger(max) || max < 8 || max > 0x7fffffff) {
    throw new TollgateError('TG_ERR_CONFIG', `maxMessageSize must be an integer between 8 and 2147483647, got ${max}`);
  }
}

/** The error for a type byte the table does not know. */
export function unknownTypeError(side: 'frontend' | 'backend', code: number): TollgateError {
  return protocolError(`unknown ${side} message type ${describeTypeByte(code)}`, { typeByte: code });
}

/**
 * Validates a length field against the table entry for its type: below 4 is malformed (it counts
 * itself), above the limit is refused before a single byte of the body is buffered.
 */
export function checkLength(side: 'frontend' | 'backend', code: number, length: number, limit: number): void {
  if (length < 4) {
    throw protocolError(`${side} message ${describeTypeByte(code)} has an invalid length ${length}`, { typeByte: code, length });
  }
  if (length > limit) {
    throw new TollgateError(
      'TG_ERR_MESSAGE_TOO_LARGE',
      `PostgreSQL protocol: ${side} message ${describeTypeByte(code)} declares ${length} bytes, over the limit of ${limit}`,
      { context: { typeByte: code, length, limit } },
    );
  }
}
