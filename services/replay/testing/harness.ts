import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../core/clock.js';
import { TollgateError } from '../../core/errors.js';
import { parseConfig } from '../../core/config/index.js';
import { DevIssuer, createIdentityVerifier } from '../../core/identity/index.js';
import { compilePolicy } from '../../core/policy/index.js';
import { openStore } from '../../core/store/open.js';
import type { Store } from '../../core/store/port.js';
import { buildReplayApp } from '../app.js';
import type { AuditRead, AuditRecorder } from '../audit-recorder.js';
import type { ReplayDeps } from '../deps.js';

/** Audit reads kept in memory; `fail` makes the next records reject (the trail is down). */
export class MemoryAudit implements AuditRecorder {
  reads: AuditRead[] = [];
  fail = false;
  record(read: AuditRead): Promise<void> {
    if (this.fail) return Promise.reject(new TollgateError('TG_ERR_LOG_UNAVAILABLE', 'the read could not be recorded in the audit trail, so it was refused'));
    this.reads.push(read);
    return Promise.resolve();
  }
}

export interface ReplayHarness {
  app: FastifyInstance;
  store: Store;
  audit: MemoryAudit;
  issuer: DevIssuer;
  /** A token for a subject in the auditors group (role with audit: true). */
  auditorToken: string;
  /** A token whose role grants connections but not audit. */
  agentToken: string;
  close(): Promise<void>;
}

/** The roles every replay test uses: auditors may audit, agents may not. */
export function replayPolicyConfig() {
  return parseConfig({
    connections: { demo: { protocol: 'postgres', host: '127.0.0.1', database: 'app', upstream: { user: 'app' } } },
    roles: {
      auditor: { match: { issuer: 'tollgate-dev', groups: ['auditors'] }, audit: true },
      'demo-agent': { match: { issuer: 'tollgate-dev', groups: ['agents'] }, grants: [{ connections: ['demo'] }] },
    },
  }, {});
}

/** A replay app on a chDB store in a fresh temporary directory, with dev-issuer tokens. */
export async function openReplayHarness(overrides: Partial<ReplayDeps> = {}): Promise<ReplayHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-replay-'));
  const store = await openStore({ kind: 'chdb', path: join(dir, 'store') });
  await store.migrate();
  const issuer = await DevIssuer.open({ dir: join(dir, 'issuer'), clock: systemClock });
  const verifier = createIdentityVerifier({ issuers: [issuer.issuerSettings()], clock: systemClock });
  const audit = new MemoryAudit();
  const app = buildReplayApp({ store, verifier, policy: compilePolicy(replayPolicyConfig()), audit, clock: systemClock, alertPollMs: 100, ...overrides });
  await app.ready();
  const auditorToken = await issuer.mint({ subject: 'carol-auditor', groups: ['auditors'], ttlMs: 3_600_000 });
  const agentToken = await issuer.mint({ subject: 'agent-7', groups: ['agents'], ttlMs: 3_600_000 });
  return {
    app, store, audit, issuer, auditorToken, agentToken,
    async close() {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
