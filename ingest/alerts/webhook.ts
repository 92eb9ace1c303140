import { createHmac } from 'node:crypto';
import type { Alert } from '../../services/core/events/types.js';
import { alertBody, ocsfDetectionFinding } from './ocsf.js';

/** One outbound receiver, as configured under ingest.webhooks (secret revealed). */
export interface WebhookTarget {
  name: string;
  url: string;
  secret?: string;
  minSeverity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  timeoutMs: number;
  format: 'tollgate' | 'ocsf';
  maxAttempts: number;
  /** First retry delay; doubles per attempt (default 500 ms). */
  baseDelayMs?: number;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  /** Why the last attempt failed, when not ok. */
  error: string;
}

export interface DeliveryIo {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  nowMs: () => number;
}

export const SIGNATURE_HEADER = 'x-tollgate-signature';

const RANK = { INFO: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5, UNKNOWN: 0 } as const;

/** True when the alert is at or above the target's minimum severity. */
export function wants(target: WebhookTarget, alert: Alert): boolean {
  return RANK[alert.severity] >= RANK[target.minSeverity.toUpperCase() as keyof typeof RANK];
}

/**
 * The signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Signing the
 * timestamp with the body lets a receiver reject replays older than a few minutes.
 */
export function signature(secret: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');
  return `t=${timestampSec},v1=${mac}`;
}

/** Status codes worth retrying: the receiver is down, overloaded or timing out. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Delivers one alert: POST of JSON, signed when the target has a secret, retried with exponential
 * backoff on network errors, timeouts, 408, 429 and 5xx, up to maxAttempts. Other 4xx answers are
 * final (the receiver refused this body; retrying cannot help).
 */
export async function deliver(target: WebhookTarget, alert: Alert, io: DeliveryIo): Promise<DeliveryResult> {
  const body = JSON.stringify(target.format === 'ocsf' ? ocsfDetectionFinding(alert) : alertBody(alert));
  let error = '';
  for (let attempt = 1; attempt <= target.maxAttempts; attempt++) {
    if (attempt > 1) await io.sleep((target.baseDelayMs ?? 500) * 2 ** (attempt - 2));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-tollgate-alert-id': alert.alertId };
    if (target.secret !== undefined) headers[SIGNATURE_HEADER] = signature(target.secret, Math.floor(io.nowMs() / 1000), body);
    try {
      const res = await io.fetch(target.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(target.timeoutMs), redirect: 'error' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, attempts: attempt, error: '' };
      error = `HTTP ${res.status}`;
      if (!retryable(res.status)) return { ok: false, attempts: attempt, error };
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }
  return { ok: false, attempts: target.maxAttempts, error };
}
