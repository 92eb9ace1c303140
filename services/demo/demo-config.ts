import { parseConfig, type Env, type TollgateConfig } from '../core/config/index.js';
import type { DemoSshTarget } from './demo-sshd.js';
import type { DemoTarget } from './demo-target.js';

/** Environment variable the demo hands the target's password through (config secrets are env refs). */
export const DEMO_PASSWORD_ENV = 'TOLLGATE_DEMO_PG_PASSWORD';
export const AGENT_GROUP = 'demo-agents';
export const AUDITOR_GROUP = 'auditors';
/** The SSH connection's name (the user name an SSH client gives the gateway). */
export const DEMO_SSH_CONNECTION = 'demo-host';

/**
 * The embedded-mode configuration `tollgate start` uses when no configuration is given: connection
 * `demo` to the demo database and, when the demo sshd runs, `demo-host` to it; role `demo-agent`
 * (read-only guardrails and pii masking on `demo`, ssh-no-destructive on `demo-host`) and role
 * `auditor` (audit: true), both matched on groups of the local development issuer.
 */
export function demoConfigInput(target: DemoTarget, ports: DemoPorts = {}, ssh?: DemoSshTarget): Record<string, unknown> {
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
      ...(ssh === undefined ? {} : { [DEMO_SSH_CONNECTION]: sshConnection(ssh) }),
    },
    roles: {
      'demo-agent': {
        description: 'an automation agent: reads the shop database, never changes it, sees no personal data',
        match: { issuer: 'tollgate-dev', groups: [AGENT_GROUP] },
        grants: [
          { connections: ['demo'], guardrails: ['read-only'], masking: ['pii'] },
          ...(ssh === undefined ? [] : [{ connections: [DEMO_SSH_CONNECTION], guardrails: ['ssh-no-destructive'] }]),
        ],
      },
      auditor: {
        description: 'compliance, SOC and investigators: read recordings in the replay UI',
        match: { issuer: 'tollgate-dev', groups: [AUDITOR_GROUP] },
        audit: true,
      },
    },
  };
}

/** The demo sshd: its host key pinned, the login key held by the gateway only. */
function sshConnection(ssh: DemoSshTarget): Record<string, unknown> {
  return {
    protocol: 'ssh',
    description: `demo host (OpenSSH on loopback, logs in as ${ssh.user}; destructive commands refused)`,
    host: ssh.host,
    port: ssh.port,
    hostKey: ssh.fingerprint,
    upstream: { user: ssh.user, privateKeyPath: ssh.clientKeyPath },
  };
}

/** Listener ports other than the defaults (tests run the demo beside other suites). */
export interface DemoPorts {
  postgres?: number;
  ssh?: number;
  replay?: number;
}

/** Parses the demo configuration with the target's password in the environment it reads. */
export function demoConfig(target: DemoTarget, env: Env, dataDir: string | undefined, ports: DemoPorts = {}, ssh?: DemoSshTarget): TollgateConfig {
  const withSecret = { ...env, ...(target.password === undefined ? {} : { [DEMO_PASSWORD_ENV]: target.password }) };
  return parseConfig(demoConfigInput(target, ports, ssh), withSecret, { source: 'built-in demo configuration', dataDir });
}
