/**
 * One error class with a closed list of codes. A code is part of the public contract: clients,
 * logs and alerts match on it, so codes are added, never renamed or reused.
 */
export const ErrorCodes = {
  TG_ERR_CONFIG: 'configuration is invalid',
  TG_ERR_AUTH_TOKEN: 'identity token rejected',
  TG_ERR_AUTH_ISSUER: 'identity issuer unavailable or misconfigured',
  TG_ERR_POLICY_DENIED: 'no grant allows this connection',
  TG_ERR_GUARDRAIL_BLOCKED: 'statement or command blocked by a guardrail',
  TG_ERR_MASKING: 'a value could not be masked and was withheld',
  TG_ERR_PROTOCOL: 'malformed or unexpected protocol message',
  TG_ERR_MESSAGE_TOO_LARGE: 'protocol message exceeds the configured maximum size',
  TG_ERR_UPSTREAM: 'upstream target unreachable or refused the gateway',
  TG_ERR_LOG_UNAVAILABLE: 'event log unavailable',
  TG_ERR_LOG_CORRUPT: 'event log segment is corrupt',
  TG_ERR_LOG_BACKPRESSURE: 'event log is full: producers must wait or refuse',
  TG_ERR_LOG_CLOSED: 'event log is closed',
  TG_ERR_RECORDING_REFUSED: 'recording policy refused the session',
  TG_ERR_SCHEMA: 'event schema unknown or incompatible',
  TG_ERR_DECODE: 'event could not be decoded',
  TG_ERR_STORE: 'store query or insert failed',
  TG_ERR_STORE_MIGRATION: 'store migration failed',
  TG_ERR_READ_ONLY: 'statement refused: this endpoint is read-only',
  TG_ERR_TIMEOUT: 'operation timed out',
  TG_ERR_INTERNAL: 'internal error',
  TG_ERR_SCHEMA_REGISTRY: 'schema registry unreachable or answered with an error',
  TG_ERR_LOG_LOCKED: 'event log data directory is in use by another process',
  TG_ERR_LOG_RETENTION: 'retention deleted records a consumer group had not committed',
  TG_ERR_STORE_BOUND: 'the in-process store (chDB) is already bound to another data directory in this process',
  TG_ERR_AUDIT_DENIED: 'this identity may not read recordings (no role grants audit)',
  TG_ERR_NOT_FOUND: 'no such recorded session or resource',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface TollgateErrorOptions {
  cause?: unknown;
  /** Structured context for logs; never put secrets or unmasked values here. */
  context?: Record<string, unknown>;
}

export class TollgateError extends Error {
  override readonly name = 'TollgateError';
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, options: TollgateErrorOptions = {}) {
    super(message ?? ErrorCodes[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }

  /** pino and JSON.stringify use this; Error's own fields are not enumerable. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      context: this.context,
      ...(this.cause === undefined ? {} : { cause: describeCause(this.cause) }),
    };
  }
}

export function isTollgateError(err: unknown, code?: ErrorCode): err is TollgateError {
  return err instanceof TollgateError && (code === undefined || err.code === code);
}

function describeCause(cause: unknown): unknown {
  if (cause instanceof TollgateError) return cause.toJSON();
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return String(cause);
}
