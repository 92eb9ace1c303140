import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

interface Entry {
  readonly secret: Buffer;
  readonly cancel: () => void;
}

/**
 * The BackendKeyData the gateway gives its clients, mapped to the sessions that can cancel their
 * upstream statement. Clients never see the upstream's process id or secret key: a cancel key is
 * only useful through this gateway, and only for its own session.
 */
export class CancelKeys {
  private readonly entries = new Map<number, Entry>();

  /** Issues a fresh key for a session; `cancel` forwards a cancel upstream. */
  issue(cancel: () => void): { processId: number; secretKey: Buffer } {
    let processId: number;
    do processId = randomInt(1, 0x7fffffff);
    while (this.entries.has(processId));
    const secretKey = randomBytes(4);
    this.entries.set(processId, { secret: secretKey, cancel });
    return { processId, secretKey };
  }

  /** Runs the cancel of the session owning this key; false when no session matches (silently, as PostgreSQL). */
  cancel(processId: number, secretKey: Buffer): boolean {
    const e = this.entries.get(processId);
    if (e === undefined || e.secret.length !== secretKey.length || !timingSafeEqual(e.secret, secretKey)) return false;
    e.cancel();
    return true;
  }

  release(processId: number): void {
    this.entries.delete(processId);
  }

  get size(): number {
    return this.entries.size;
  }
}
