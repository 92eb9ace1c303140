import { isAbsolute, join, resolve } from 'node:path';
import type { ParsedConfig } from './schema.js';
import { builtinMaskingProfiles } from './schema-policy.js';

type P = ParsedConfig;
type EmbeddedLog = Extract<P['eventLog'], { kind: 'embedded' }> & { dir: string };
type ChdbStore = Extract<P['store'], { kind: 'chdb' }> & { path: string };
type DevIssuer = Omit<P['identity']['devIssuer'], 'enabled' | 'dir'> & { enabled: boolean; dir: string };

/** The fully defaulted configuration every part of tollgate receives. */
export type TollgateConfig = Omit<P, 'eventLog' | 'store' | 'identity' | 'listeners' | 'ingest'> & {
  /** Folder relative paths were resolved against: the config file's folder, else the cwd. */
  baseDir: string;
  eventLog: EmbeddedLog | Extract<P['eventLog'], { kind: 'kafka' }>;
  store: ChdbStore | Extract<P['store'], { kind: 'clickhouse' }>;
  identity: Omit<P['identity'], 'devIssuer'> & { devIssuer: DevIssuer };
  listeners: Omit<P['listeners'], 'ssh'> & { ssh: P['listeners']['ssh'] & { hostKeyPath: string } };
  ingest: P['ingest'] & { rulesDir: string };
};

export type EventLogConfig = TollgateConfig['eventLog'];
export type StoreConfig = TollgateConfig['store'];
export type IdentitySettings = TollgateConfig['identity'];

/** Sections whose contents are opaque to this loader and must not be path-rewritten. */
const OPAQUE = new Set(['guardrails', 'roles', 'masking']);
const PATH_KEY = /(?:Path|Dir)$|^(?:dir|path)$/;

/**
 * Fills defaults that depend on other fields (paths under dataDir, the dev issuer switch) and
 * makes every path absolute. Any field named *Path or *Dir (or dir/path) is a filesystem path.
 */
export function resolveConfig(parsed: ParsedConfig, baseDir: string): TollgateConfig {
  const base = resolve(baseDir);
  absolutisePaths(parsed, base);
  const dataDir = parsed.dataDir;
  const eventLog = parsed.eventLog.kind === 'embedded' ? { ...parsed.eventLog, dir: parsed.eventLog.dir ?? join(dataDir, 'log') } : parsed.eventLog;
  const store = parsed.store.kind === 'chdb' ? { ...parsed.store, path: parsed.store.path ?? join(dataDir, 'chdb') } : parsed.store;
  const dev = parsed.identity.devIssuer;
  return {
    ...parsed,
    masking: { ...builtinMasking(), ...parsed.masking },
    baseDir: base,
    eventLog,
    store,
    identity: {
      ...parsed.identity,
      devIssuer: {
        ...dev,
        // On by default only while no real issuer is configured: `npm start` works out of the box,
        // and adding a production issuer never leaves a forgotten local minting key trusted.
        enabled: dev.enabled ?? parsed.identity.issuers.length === 0,
        dir: dev.dir ?? join(dataDir, 'dev-issuer'),
      },
    },
    listeners: { ...parsed.listeners, ssh: { ...parsed.listeners.ssh, hostKeyPath: parsed.listeners.ssh.hostKeyPath ?? join(dataDir, 'ssh_host_ed25519_key') } },
    ingest: { ...parsed.ingest, rulesDir: parsed.ingest.rulesDir ?? join(dataDir, 'rules') },
  };
}

function absolutisePaths(node: unknown, base: string, depth = 0): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) absolutisePaths(item, base, depth + 1);
    return;
  }
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (depth === 0 && OPAQUE.has(key)) continue;
    if (typeof value === 'string' && (PATH_KEY.test(key) || (depth === 0 && key === 'dataDir'))) {
      record[key] = isAbsolute(value) ? value : resolve(base, value);
    } else {
      absolutisePaths(value, base, depth + 1);
    }
  }
}

/** Fresh mutable copies of the built-in masking profiles, shaped like parsed ones. */
function builtinMasking(): ParsedConfig['masking'] {
  const out: ParsedConfig['masking'] = {};
  for (const [name, p] of Object.entries(builtinMaskingProfiles)) {
    out[name] = { description: p.description, columns: [], detectors: [...p.detectors] };
  }
  return out;
}
