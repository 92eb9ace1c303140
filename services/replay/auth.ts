import type { FastifyRequest } from 'fastify';
import { TollgateError, isTollgateError } from '../core/errors.js';
import type { VerifiedIdentity } from '../core/identity/index.js';
import type { ReplayDeps } from './deps.js';
import { identityFromTicket, type StreamTickets } from './stream-ticket.js';

/** Bearer tokens longer than this are refused before any parsing (the verifier has its own bound too). */
const MAX_AUTH_HEADER = 16 * 1024;

/** Reads and verifies `Authorization: Bearer <JWT>`; 401 when missing or invalid. */
export async function verifyBearer(deps: ReplayDeps, request: FastifyRequest): Promise<VerifiedIdentity> {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header === '') throw unauthenticated('send "Authorization: Bearer <token>" with an identity token (tollgate token --sub YOU --groups GROUP)');
  if (header.length > MAX_AUTH_HEADER) throw unauthenticated('the Authorization header is too large');
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
  if (match?.[1] === undefined) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  try {
    return await deps.verifier.verify(match[1], { protocol: 'replay', remoteAddress: request.ip });
  } catch (err) {
    if (isTollgateError(err, 'TG_ERR_AUTH_TOKEN')) throw unauthenticated(`token rejected: ${err.message}`);
    throw err;
  }
}

/** Verifies the bearer token and requires a role granting audit: 401 / 403 otherwise. */
export async function requireAuditor(deps: ReplayDeps, request: FastifyRequest): Promise<VerifiedIdentity> {
  const identity = await verifyBearer(deps, request);
  assertAuditor(deps, identity);
  return identity;
}

/**
 * For SSE: a `ticket` query parameter issued by POST /api/stream-tickets. Audit rights were checked
 * when the ticket was issued (with the full token), at most TICKET_TTL_MS ago.
 */
export function requireTicket(deps: ReplayDeps, tickets: StreamTickets, ticket: string | undefined, purpose: string): VerifiedIdentity {
  if (ticket === undefined || ticket === '') throw unauthenticated('this stream needs a ticket: POST /api/stream-tickets with your bearer token, then pass ?ticket=...');
  const claims = tickets.verify(ticket, purpose, deps.clock.nowMs());
  if (claims === undefined) throw unauthenticated('the stream ticket is invalid or expired (tickets last 60 s); request a new one');
  return identityFromTicket(claims);
}

function assertAuditor(deps: ReplayDeps, identity: VerifiedIdentity): void {
  if (!deps.policy.canAudit(identity)) {
    throw new TollgateError('TG_ERR_AUDIT_DENIED', `${identity.subject} (issuer ${identity.issuer}) may not read recordings: no role that matches this identity grants audit. Ask an administrator for a role with "audit: true".`);
  }
}

function unauthenticated(message: string): TollgateError {
  return new TollgateError('TG_ERR_AUTH_TOKEN', message);
}
