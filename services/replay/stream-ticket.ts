import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { VerifiedIdentity } from '../core/identity/index.js';

/**
 * Short-lived signed tickets for the one route a browser cannot send headers to: EventSource (SSE).
 * A ticket is `base64url(json).base64url(hmac)` keyed per process; it names the identity already
 * verified (and authorised) when the ticket was issued, the purpose it may be used for, and expires
 * after TICKET_TTL_MS. Tickets are not the JWT: a URL ends up in logs and history, so it must carry
 * nothing that lets anyone do more than open that stream for a minute.
 */
export const TICKET_TTL_MS = 60_000;

export interface TicketClaims {
  subject: string;
  issuer: string;
  groups: readonly string[];
  purpose: string;
  /** Expiry of the ticket (ms). */
  exp: number;
  /** Expiry of the identity token it was issued for (ms): the stream ends then. */
  idExp: number;
}

export class StreamTickets {
  private readonly key: Buffer;

  constructor(key?: Buffer) {
    this.key = key ?? randomBytes(32);
  }

  /** Issues a ticket for purpose on behalf of a verified identity. */
  issue(identity: VerifiedIdentity, purpose: string, nowMs: number): { ticket: string; expiresAt: number } {
    const exp = Math.min(nowMs + TICKET_TTL_MS, identity.expiresAt);
    const claims: TicketClaims = { subject: identity.subject, issuer: identity.issuer, groups: identity.groups, purpose, exp, idExp: identity.expiresAt };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { ticket: `${body}.${this.sign(body)}`, expiresAt: exp };
  }

  /** The ticket's claims if it is authentic, unexpired and for purpose; otherwise undefined. */
  verify(ticket: string, purpose: string, nowMs: number): TicketClaims | undefined {
    if (ticket.length > 4096) return undefined;
    const dot = ticket.indexOf('.');
    if (dot <= 0) return undefined;
    const body = ticket.slice(0, dot);
    const given = Buffer.from(ticket.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: TicketClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TicketClaims;
    } catch {
      return undefined;
    }
    if (claims.purpose !== purpose || typeof claims.exp !== 'number' || claims.exp <= nowMs) return undefined;
    return claims;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** The identity a ticket stands for, shaped like a verified token (claims reduced to sub/iss). */
export function identityFromTicket(c: TicketClaims): VerifiedIdentity {
  return { subject: c.subject, issuer: c.issuer, groups: [...c.groups], claims: { sub: c.subject, iss: c.issuer }, expiresAt: c.idExp };
}
