import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../services/core/config/index.js';

// No Docker engine runs here, so compose.yaml is checked by reading it: the configuration it
// mounts must load, and every host and port that configuration names must exist in compose.yaml.
const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('compose.yaml', root), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; ports?: string[]; environment?: Record<string, string>; volumes?: string[] }>;
};
const env = { CLICKHOUSE_PASSWORD: 'test', DEMO_PG_PASSWORD: 'test' };

describe('compose.yaml and deploy/compose/tollgate.yaml', () => {
  it('loads the mounted configuration in distributed mode', async () => {
    const config = await loadConfig(new URL('deploy/compose/tollgate.yaml', root).pathname, env);
    expect(config.eventLog.kind).toBe('kafka');
    expect(config.store.kind).toBe('clickhouse');
    expect(config.schemaRegistry.kind).toBe('confluent');
  });

  it('names only hosts that are compose services', async () => {
    const config = await loadConfig(new URL('deploy/compose/tollgate.yaml', root).pathname, env);
    const hosts = [
      ...(config.eventLog.kind === 'kafka' ? config.eventLog.brokers.map((b) => b.split(':')[0]) : []),
      config.store.kind === 'clickhouse' ? new URL(config.store.url).hostname : undefined,
      config.schemaRegistry.kind === 'confluent' ? new URL(config.schemaRegistry.url).hostname : undefined,
      ...Object.values(config.connections).map((c) => c.host),
    ];
    for (const host of hosts) expect(Object.keys(compose.services), `host ${host}`).toContain(host);
  });

  it('runs two gateways, two ingest workers and replay, publishing the configured listener ports', async () => {
    const config = await loadConfig(new URL('deploy/compose/tollgate.yaml', root).pathname, env);
    const roles = Object.values(compose.services).map((s) => s.command?.[0]);
    expect(roles.filter((r) => r === 'gateway')).toHaveLength(2);
    expect(roles.filter((r) => r === 'ingest')).toHaveLength(2);
    expect(roles.filter((r) => r === 'replay')).toHaveLength(1);
    const published = (name: string) => (compose.services[name]?.ports ?? []).map((p) => Number(p.split(':')[1]));
    expect(published('gateway-1')).toEqual(expect.arrayContaining([config.listeners.postgres.port, config.listeners.ssh.port]));
    expect(published('replay')).toContain(config.listeners.replay.port);
  });

  it('passes every secret the configuration references through the environment', () => {
    const text = readFileSync(new URL('deploy/compose/tollgate.yaml', root), 'utf8');
    const referenced = [...text.matchAll(/\{\s*env:\s*([A-Z0-9_]+)\s*\}/g)].map((m) => m[1]);
    const gatewayEnv = Object.keys(compose.services['gateway-1']?.environment ?? {});
    for (const name of referenced) expect(gatewayEnv, name).toContain(name);
  });
});

describe('Dockerfile', () => {
  // The compiled code reads these beside dist/ at run time (via the package root).
  it('copies every run-time asset folder into the image', () => {
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    for (const dir of ['dist', 'schemas', 'replay-ui', 'ingest/rules/builtin', 'node_modules', 'package.json']) {
      expect(dockerfile, dir).toMatch(new RegExp(`COPY --from=build /app/${dir.replace('/', '\\/')} `));
    }
  });
});
