import type { Clock } from '../core/clock.js';
import type { IdentityVerifier } from '../core/identity/index.js';
import type { Logger } from '../core/logger.js';
import type { Policy } from '../core/policy/index.js';
import type { Store } from '../core/store/port.js';
import type { AuditRecorder } from './audit-recorder.js';

/** What the replay app needs; the role starter builds it from NodeDeps, tests build it directly. */
export interface ReplayDeps {
  store: Store;
  verifier: IdentityVerifier;
  policy: Pick<Policy, 'canAudit'>;
  /** Records every read of a recording; a read whose audit record fails is refused (fail closed). */
  audit: AuditRecorder;
  clock: Clock;
  logger?: Logger;
  /** Folder of the browser app; default: replay-ui/ at the package root. */
  uiDir?: string;
  /** Key for stream tickets (SSE); default: 32 random bytes per process. */
  ticketKey?: Buffer;
  /** How often the alert stream polls the store for new alerts. Default 1000 ms. */
  alertPollMs?: number;
  /** TLS for the listener (config listeners.replay.tls). */
  https?: { cert: Buffer; key: Buffer };
  /** Limits for the compliance SQL endpoint. */
  sqlLimits?: { maxResultRows: number; maxExecutionSeconds: number };
}
