import type { VerifiedIdentity } from '../identity/index.js';

export type RecordingMode = 'strict' | 'buffered';

/** Access to one connection, with everything the session must enforce. */
export interface Grant {
  allowed: true;
  connection: string;
  /** Every matched role that grants this connection, sorted. */
  roles: readonly string[];
  /** Union of the guardrail profiles of every granting role, sorted: all of them apply. */
  guardrails: readonly string[];
  /** Union of the masking profiles of every granting role, sorted: all of them apply. */
  masking: readonly string[];
  /** The strictest of the connection's mode and every granting role's override. */
  recording: RecordingMode;
}

export interface Denial {
  allowed: false;
  connection: string;
  /** Roles the identity matched (none of which grants the connection). */
  roles: readonly string[];
  /** Says why, for the client error and the audit record; never includes claims. */
  reason: string;
}

/** The compiled policy: plain lookups, decided once per session. */
export interface Policy {
  /** Decides whether identity may open connectionName; default deny. */
  authorize(identity: VerifiedIdentity, connectionName: string): Grant | Denial;
  /** The names of the roles identity matches, sorted. */
  rolesFor(identity: VerifiedIdentity): readonly string[];
  /** Whether identity may read recordings (some matched role has audit: true). */
  canAudit(identity: VerifiedIdentity): boolean;
  /** Grants whose connection patterns match no configured connection (likely typos). */
  readonly warnings: readonly string[];
}
