import type { AppendRecord } from '../log/port.js';

/** Default bound on one log append before it counts as failed (and is retried or spooled). */
export const DEFAULT_APPEND_TIMEOUT_MS = 30_000;
/** Default bound on close() waiting for undelivered frames. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/**
 * Where spooled frames wait while the log is down (buffered recording). Order is kept: once
 * anything is spooled, everything after it is spooled too until the spool has drained.
 */
export interface Spool {
  /** Appends records durably; rejects with TG_ERR_LOG_BACKPRESSURE when the spool is full. */
  append(records: readonly AppendRecord[]): Promise<void>;
  /** Hands spooled records, oldest first, to `deliver`; removes each batch after deliver resolved. */
  drain(deliver: (records: readonly AppendRecord[]) => Promise<void>): Promise<void>;
  /** Records currently spooled. */
  size(): number;
  close(): Promise<void>;
}

export type SinkState = 'healthy' | 'degraded' | 'failed';

export interface RecordingSinkOptions {
  topic: string;
  /** Bytes of encoded frames held in memory before writers must wait (backpressure). */
  maxPendingBytes: number;
  /** Pause between attempts while the log refuses appends. */
  retryDelayMs: number;
  /** Present when buffered recording is allowed on this node. */
  spool?: Spool;
  /**
   * An append not settled by then counts as failed (TG_ERR_TIMEOUT) and its batch is retried or
   * spooled, so a hung log degrades the sink instead of wedging it. The abandoned append may still
   * land: consumers then see those frames twice (same session id and seq). Default 30 s; 0 = none.
   */
  appendTimeoutMs?: number;
  /** How long close() waits for undelivered frames before it rejects. Default 10 s. */
  closeTimeoutMs?: number;
}
