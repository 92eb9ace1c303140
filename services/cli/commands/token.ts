import { systemClock } from '../../core/clock.js';
import { TollgateError } from '../../core/errors.js';
import { parseDurationMs } from '../../core/config/index.js';
import { buildIdentity } from '../../core/identity/from-config.js';
import { loadRuntime } from '../../runtime/context.js';
import { commonOptionHelp, commonOptions, type Command } from '../command.js';

/** `tollgate token`: mints a development token from the local dev issuer. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'mint a development identity token (local dev issuer)',
  usage: 'tollgate token --sub NAME [--groups a,b] [--ttl 1h] [--claim k=v ...]',
  description: `
Mints a JWT signed by the local development issuer, whose key lives in the data directory
(<dataDir>/dev-issuer). Use it as the password for psql or ssh through tollgate. Only gateways
that trust the dev issuer (identity.devIssuer.enabled, the embedded default) accept it.

Examples:
  tollgate token --sub alice --groups dba
  PGPASSWORD=$(tollgate token --sub ci-job --groups readers --ttl 15m) psql "host=localhost port=6432 dbname=demo user=ci-job"`,
  options: {
    sub: { type: 'string', short: 's' },
    groups: { type: 'string', short: 'g' },
    ttl: { type: 'string', default: '1h' },
    audience: { type: 'string' },
    claim: { type: 'string', multiple: true },
    ...commonOptions,
  },
  optionHelp: {
    sub: 'subject (who the token is for)',
    groups: 'comma-separated groups the policy matches roles on',
    ttl: 'lifetime such as 15m, 1h (default 1h; at most identity.devIssuer.maxTtl)',
    audience: 'audience claim (default: the dev issuer audience)',
    claim: 'extra claim NAME=VALUE (repeatable); VALUE is JSON when it parses, else a string',
    ...commonOptionHelp,
  },
  async run(args, io) {
    const sub = args.values['sub'];
    if (typeof sub !== 'string' || sub === '') throw new TollgateError('TG_ERR_CONFIG', 'a token needs a subject: --sub NAME');
    const ttlText = String(args.values['ttl']);
    const ttlMs = parseDurationMs(ttlText);
    if (ttlMs === undefined) throw new TollgateError('TG_ERR_CONFIG', `--ttl "${ttlText}" is not a duration such as 15m or 1h`);
    const { config } = await loadRuntime({ configPath: str(args.values['config']), dataDir: str(args.values['data-dir']), env: io.env });
    const identity = await buildIdentity(config.identity, systemClock);
    if (identity.devIssuer === undefined) {
      throw new TollgateError('TG_ERR_CONFIG', 'the development issuer is disabled in this configuration (identity.devIssuer.enabled: false)');
    }
    const groups = typeof args.values['groups'] === 'string' ? args.values['groups'].split(',').map((g) => g.trim()).filter((g) => g !== '') : [];
    const audience = str(args.values['audience']);
    const token = await identity.devIssuer.mint({
      subject: sub,
      groups,
      claims: parseClaims(args.values['claim']),
      ttlMs,
      ...(audience === undefined ? {} : { audience }),
    });
    io.out(`${token}\n`);
    return 0;
  },
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function parseClaims(raw: unknown): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const item of Array.isArray(raw) ? (raw as string[]) : []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new TollgateError('TG_ERR_CONFIG', `--claim "${item}" is not NAME=VALUE`);
    const name = item.slice(0, eq);
    const text = item.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // not JSON: keep the string
    }
    Object.defineProperty(claims, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return claims;
}
