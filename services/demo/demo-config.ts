import { parseConfig, type Env, type TollgateConfig } from '../core/config/index.js';
import type { DemoTarget } from './demo-target.js';

/** Environment variable the demo hands the target's password through (config secrets are env refs). */
export const DEMO_PASSWORD_ENV = 'TOLLGATE_DEMO_PG_PASSWORD';
export const AGENT_GROUP = 'demo-agents';
export const AUDITOR_GROUP = 'auditors';

/**
 * The embedded-mode configuration `tollgate start` uses when no configuration is given: connection
 * `demo` to the demo database; role `demo-agent` (read-only guardrails, pii masking) and role
 * `auditor` (audit: true), both matched on groups of the local development issuer.
 */
export function demoConfigInput(target: DemoTarget, ports: DemoPorts = {}): Record<string, unknown> {
  const listeners: Record<string, { port: number }> = {};
  for (const [name, port] of Object.entries(ports) as Array<[string, number | undefined]>) if (port !== undefined) listeners[name] = { port };
  return {
    ...(Object.keys(listeners).length === 0 ? {} : { listeners }),
    connections: {
      demo: {
        protocol: 'postgres',
        description: `demo shop database (fake customers, ${target.kind})`,
        host: target.host,
        port: target.port,
        database: target.database,
        upstream: {
          user: target.user,
          ...(target.password === undefined ? {} : { password: { env: DEMO_PASSWORD_ENV } }),
          // Loopback to a database this process started.
          tls: { mode: 'disable' },
        },
      },
    },
    roles: {
      'demo-agent': {
        description: 'an automation agent: reads the shop database, never changes it, sees no personal data',
        match: { issuer: 'tollgate-dev', groups: [AGENT_GROUP] },
        grants: [{ connections: ['demo'], guardrails: ['read-only'], masking: ['pii'] }],
      },
      auditor: {
        description: 'compliance, SOC and investigators: read recordings in the replay UI',
        match: { issuer: 'tollgate-dev', groups: [AUDITOR_GROUP] },
        audit: true,
      },
    },
  };
}

/** Listener ports other than the defaults (tests run the demo beside other suites). */
export interface DemoPorts {
  postgres?: number;
  ssh?: number;
  replay?: number;
}

/** Parses the demo configuration with the target's password in the environment it reads. */
export function demoConfig(target: DemoTarget, env: Env, dataDir: string | undefined, ports: DemoPorts = {}): TollgateConfig {
  const withSecret = { ...env, ...(target.password === undefined ? {} : { [DEMO_PASSWORD_ENV]: target.password }) };
  return parseConfig(demoConfigInput(target, ports), withSecret, { source: 'built-in demo configuration', dataDir });
}
