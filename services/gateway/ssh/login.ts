import type { TollgateConfig } from '../../core/config/index.js';
import { isTollgateError } from '../../core/errors.js';
import type { IdentityVerifier, VerifiedIdentity } from '../../core/identity/index.js';
import type { Grant, Policy } from '../../core/policy/index.js';
import type { RecordingSink } from '../../core/recording/sink.js';
import { compileSshRules, type SshRules } from './guardrails/compile.js';
import type { SshConnection } from './upstream.js';

export interface LoginDeps {
  readonly config: Pick<TollgateConfig, 'connections' | 'guardrails'>;
  readonly verifier: IdentityVerifier;
  readonly policy: Policy;
  readonly sink: RecordingSink;
}

export type LoginResult =
  | { ok: true; connection: string; conn: SshConnection; identity: VerifiedIdentity; grant: Grant; rules: SshRules }
  | { ok: false; connection: string; message: string; subject: string };

const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/**
 * Decides a login: the SSH user name names the connection, the password is the identity token.
 * Order: name shape, token, connection exists and is SSH, policy grant, guardrail profiles
 * compile, recording admits the session. Messages say what to fix without echoing the token.
 */
export async function decideLogin(d: LoginDeps, username: string, token: string, remoteAddress: string): Promise<LoginResult> {
  const connection = username;
  const fail = (message: string, subject = ''): LoginResult => ({ ok: false, connection, message, subject });
  if (!CONNECTION_NAME.test(username)) {
    return fail(`the SSH user name must be a tollgate connection name (ssh <connection>@gateway); "${username.slice(0, 64)}" is not one`);
  }
  if (token.length === 0) return fail('send your tollgate identity token as the SSH password');
  let identity: VerifiedIdentity;
  try {
    identity = await d.verifier.verify(token, { protocol: 'ssh', remoteAddress });
  } catch (err) {
    return fail(isTollgateError(err) ? `identity token rejected: ${err.message}` : 'identity token rejected');
  }
  const conn = d.config.connections[connection];
  if (conn === undefined) return fail(`no connection named "${connection}" is configured`, identity.subject);
  if (conn.protocol !== 'ssh') return fail(`connection "${connection}" is a ${conn.protocol} connection, not SSH`, identity.subject);
  const decision = d.policy.authorize(identity, connection);
  if (!decision.allowed) return fail(`access to "${connection}" denied: ${decision.reason}`, identity.subject);
  let rules: SshRules;
  try {
    rules = compileSshRules(decision.guardrails, d.config.guardrails);
  } catch (err) {
    return fail(`access to "${connection}" refused: ${(err as Error).message}`, identity.subject);
  }
  try {
    d.sink.assertAdmits(decision.recording);
  } catch (err) {
    return fail(`session to "${connection}" refused: ${(err as Error).message}`, identity.subject);
  }
  return { ok: true, connection, conn, identity, grant: decision, rules };
}
