import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIds, systemClock } from '../../core/clock.js';
import { parseConfig } from '../../core/config/index.js';
import { EventCodec } from '../../core/events/codec.js';
import { LocalSchemaRegistry } from '../../core/events/registry/local.js';
import { buildIdentity } from '../../core/identity/index.js';
import { createLogger } from '../../core/logger.js';
import { MemoryLog, MemoryLogState } from '../../core/log/contract/memory-log.js';
import { compilePolicy } from '../../core/policy/index.js';
import type { NodeDeps, RoleHandle } from '../../runtime/node.js';
import { roleStarters } from '../../runtime/roles.js';
import { startPostgresGateway } from './starter.js';
import { psql } from './testing/clients.js';
import { freePort } from './testing/harness.js';

let dir: string;
let deps: NodeDeps;
let handles: RoleHandle[];
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-pg-starter-'));
  port = await freePort();
  const config = parseConfig({
    dataDir: dir,
    listeners: { postgres: { port } },
    connections: { nowhere: { protocol: 'postgres', host: '127.0.0.1', port: 1, database: 'x', upstream: { user: 'u', tls: { mode: 'disable' } } } },
    roles: { dev: { match: { issuer: 'tollgate-dev', groups: ['dev'] }, grants: [{ connections: ['nowhere'] }] } },
  }, {});
  const log = new MemoryLog(new MemoryLogState());
  deps = {
    config, logger: createLogger({ level: 'silent' }), clock: systemClock, ids: randomIds, log,
    codec: await EventCodec.create(await LocalSchemaRegistry.open(join(dir, 'schemas'))),
    identity: await buildIdentity(config.identity, systemClock),
    policy: compilePolicy({ roles: config.roles, connections: config.connections }),
    store: undefined, sink: undefined,
  };
  handles = await startPostgresGateway(deps);
}, 30_000);

afterAll(async () => {
  for (const h of handles) await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('postgres gateway starter', () => {
  it('is registered for the gateway role', () => {
    expect(roleStarters.gateway).toContain(startPostgresGateway);
  });

  it('listens on listeners.postgres and describes itself for the banner', () => {
    const lines = handles.flatMap((h) => h.describe()).join('\n');
    expect(lines).toContain(`postgres gateway on 127.0.0.1:${port}`);
    expect(lines).toMatch(/TLS offered/);
    expect(lines).toContain('nowhere');
  });

  it('serves clients: a valid token for an unreachable upstream gets a clear 08006 error', async () => {
    const token = await deps.identity.devIssuer?.mint({ subject: 'a', groups: ['dev'], ttlMs: 60_000 });
    const r = await psql(port, 'nowhere', token ?? '', 'SELECT 1');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot open connection "nowhere": upstream of connection "nowhere" \(127\.0\.0\.1:1\) is unreachable/);
  });
});
