import { GatewaySqlState } from './gateway-errors.js';

/**
 * Client startup parameters the gateway passes upstream. Everything else is dropped: `options`
 * and `replication` are refused outright (they can set any server setting or open a replication
 * connection), `user`/`database` come from the connection config, and settings the guardrail
 * parser depends on are pinned by the gateway.
 */
const PASSED = new Map<string, string>([
  ['application_name', 'application_name'],
  ['datestyle', 'DateStyle'],
  ['timezone', 'TimeZone'],
  ['extra_float_digits', 'extra_float_digits'],
  ['intervalstyle', 'IntervalStyle'],
]);

/** What the client may not send at all, with the reason shown to it. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ['options', 'startup "options" can change any server setting; connect without them and use SET'],
  ['replication', 'replication connections are not available through tollgate'],
]);

// SQL_ASCII is accepted (libpq sends it from a C locale): upstream is pinned to UTF8, which the
// server reports back, and neither encoding can hide a quote or backslash inside a multibyte character.
const UTF8_NAMES = new Set(['utf8', 'utf-8', 'unicode', 'sql_ascii']);

export interface StartupRefusal {
  readonly code: string;
  readonly message: string;
}

export interface ClientStartup {
  /** The connection the client asked for (its `database` parameter). */
  readonly connection: string;
  /** The client's `user`, recorded only (upstream user comes from the config). */
  readonly user: string;
  /** Parameters to pass upstream, in the names PostgreSQL reports them by. */
  readonly passed: ReadonlyMap<string, string>;
}

/** Validates a client StartupMessage's parameters; returns what to pass upstream or why to refuse. */
export function readClientStartup(params: ReadonlyMap<string, string>): ClientStartup | StartupRefusal {
  const passed = new Map<string, string>();
  for (const [name, value] of params) {
    const lower = name.toLowerCase();
    const refused = REFUSED.get(lower);
    if (refused !== undefined && value !== '') {
      return { code: GatewaySqlState.featureNotSupported, message: `startup parameter "${name}" refused: ${refused}` };
    }
    if (lower === 'client_encoding' && !UTF8_NAMES.has(value.toLowerCase())) {
      return {
        code: GatewaySqlState.featureNotSupported,
        message: `client_encoding "${value}" is not supported through tollgate: use UTF8 (PGCLIENTENCODING=UTF8)`,
      };
    }
    const upstreamName = PASSED.get(lower);
    if (upstreamName !== undefined) passed.set(upstreamName, value);
  }
  const user = params.get('user') ?? '';
  const connection = params.get('database') ?? user;
  if (connection === '') {
    return { code: GatewaySqlState.invalidAuthorization, message: 'no connection named: pass the tollgate connection name as the database name' };
  }
  return { connection, user, passed };
}

export interface UpstreamStartupOptions {
  readonly user: string;
  readonly database: string;
  /** Grants with the read-only profile open upstream sessions read-only as a second line of defence. */
  readonly readOnly: boolean;
}

/** The parameters of the StartupMessage the gateway sends upstream. */
export function upstreamStartupParameters(client: ClientStartup, options: UpstreamStartupOptions): Map<string, string> {
  const out = new Map<string, string>([
    ['user', options.user],
    ['database', options.database],
  ]);
  for (const [name, value] of client.passed) out.set(name, value);
  // The guardrail parser tokenises as a UTF-8, standard-strings server: pin both (RESET returns here).
  out.set('client_encoding', 'UTF8');
  out.set('standard_conforming_strings', 'on');
  if (options.readOnly) out.set('default_transaction_read_only', 'on');
  if (!out.has('application_name')) out.set('application_name', 'tollgate');
  return out;
}

/** Type guard separating a refusal from an accepted startup. */
export function isRefusal(r: ClientStartup | StartupRefusal): r is StartupRefusal {
  return 'code' in r;
}
