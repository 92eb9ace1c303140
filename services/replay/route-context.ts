import type { FastifyRequest } from 'fastify';
import type { VerifiedIdentity } from '../core/identity/index.js';
import { requireAuditor } from './auth.js';
import type { ReplayDeps } from './deps.js';
import type { StreamTickets } from './stream-ticket.js';

/** What every route module receives. */
export interface RouteContext {
  deps: ReplayDeps;
  tickets: StreamTickets;
  /**
   * Authenticates an auditor and records the read before any recorded data is returned: a read
   * the audit trail cannot take is refused (503), never served unrecorded.
   */
  auditedRead(request: FastifyRequest, sessionId: string, detail: string): Promise<VerifiedIdentity>;
}

/** Builds the context shared by the route modules. */
export function routeContext(deps: ReplayDeps, tickets: StreamTickets): RouteContext {
  return {
    deps,
    tickets,
    async auditedRead(request, sessionId, detail) {
      const identity = await requireAuditor(deps, request);
      const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
      await deps.audit.record({ identity, route, sessionId, detail, clientAddress: request.ip });
      return identity;
    },
  };
}
