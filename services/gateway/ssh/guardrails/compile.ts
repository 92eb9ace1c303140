import { TollgateError } from '../../../core/errors.js';
import { BUILTIN_SSH_PROFILES } from './builtin-profiles.js';
import { compilePattern, type CommandPattern } from './patterns.js';
import { sshProfileSchema, type SshProfile } from './profile-schema.js';

export type SftpMode = 'allow' | 'read-only' | 'no-delete' | 'deny';
const SFTP_STRICTNESS: readonly SftpMode[] = ['allow', 'no-delete', 'read-only', 'deny'];

/** Everything a session enforces for one grant, compiled once (STYLE 8). */
export interface SshRules {
  /** Names of the SSH profiles that apply, sorted. */
  profiles: readonly string[];
  /** Some profile restricts commands: opaque commands and unknown lines are judged. */
  guarded: boolean;
  shell: boolean;
  exec: boolean;
  sftp: SftpMode;
  /** null: no profile says anything about forwarding (none is allowed). */
  localForwards: readonly TargetPattern[];
  remoteForwards: readonly TargetPattern[];
  /** Every list must admit a command (several allow-lists intersect). */
  allowLists: ReadonlyArray<readonly CommandPattern[]>;
  deny: readonly CommandPattern[];
  denyFileWrites: boolean;
  opaque: 'allow' | 'deny';
  unknownLines: 'deny' | 'judge-visible';
  envAllowed(name: string): boolean;
}

export interface TargetPattern {
  host: string;
  port: number | '*';
}

/** Variables a client may always set: locale and terminal only. */
const BASE_ENV = ['LANG', 'LANGUAGE', 'LC_*', 'TERM', 'COLORTERM', 'TZ'];
/** Variables that change what programs load or run; never accepted, whatever a profile says. */
const NEVER_ENV = /^(LD_.*|DYLD_.*|BASH_ENV|ENV|BASH_FUNC_.*|PATH|IFS|PS4|PROMPT_COMMAND|SHELLOPTS|BASHOPTS|GLOBIGNORE|CDPATH|PYTHON.*|PERL5.*|PERLLIB|RUBY.*|NODE_OPTIONS|NODE_PATH|GIT_.*|SSH_.*|LESSOPEN|LESSCLOSE|MANPAGER|PAGER|EDITOR|VISUAL|HOME|SHELL|USER|LOGNAME|MAIL|TMPDIR)$/;

/** Is this variable name one that loads code or redirects programs (refused in env requests and assignments)? */
export function isDangerousVariable(name: string): boolean {
  return NEVER_ENV.test(name);
}

/**
 * Compiles the SSH rules of a grant from the profile names it carries. Names of profiles for other
 * protocols are skipped; a name that is neither built in nor configured throws (deny everything).
 */
export function compileSshRules(names: readonly string[], configured: Readonly<Record<string, Record<string, unknown>>>): SshRules {
  const profiles: Array<[string, SshProfile]> = [];
  for (const name of names) {
    const custom = configured[name];
    const builtin = BUILTIN_SSH_PROFILES[name];
    // A configured profile named like a built-in adds to it; it can never make the name mean less.
    if (builtin !== undefined) profiles.push([name, builtin]);
    if (custom !== undefined && custom['protocol'] === 'ssh') {
      const parsed = parseCustom(name, custom);
      profiles.push([name, parsed]);
      for (const base of parsed.extends ?? []) {
        const extended = BUILTIN_SSH_PROFILES[base];
        if (extended === undefined) throw new TollgateError('TG_ERR_CONFIG', `SSH guardrail profile "${name}" extends "${base}", which is not a built-in SSH profile (${Object.keys(BUILTIN_SSH_PROFILES).join(', ')})`);
        profiles.push([base, extended]);
      }
    }
    if (builtin === undefined && custom === undefined && !KNOWN_OTHER_PROTOCOL_PROFILES.has(name)) {
      throw new TollgateError('TG_ERR_CONFIG', `guardrail profile "${name}" is not defined; refusing the session rather than dropping a guardrail`);
    }
  }
  return merge(profiles);
}

function parseCustom(name: string, custom: Record<string, unknown>): SshProfile {
  const parsed = sshProfileSchema.safeParse(custom);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${['guardrails', name, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
  throw new TollgateError('TG_ERR_CONFIG', `SSH guardrail profile "${name}" is invalid: ${issues}`);
}

/** Built-in profiles of other gateways that a grant over "*" may carry; they do not apply to SSH. */
const KNOWN_OTHER_PROTOCOL_PROFILES = new Set(['read-only', 'no-ddl', 'no-unbounded-writes', 'no-privilege-change', 'no-server-files', 'no-catalog-secrets']);

function merge(profiles: ReadonlyArray<[string, SshProfile]>): SshRules {
  const envExtra: string[] = [];
  const rules = {
    profiles: [...new Set(profiles.map(([n]) => n))].sort(),
    guarded: false,
    shell: true,
    exec: true,
    sftp: 'allow' as SftpMode,
    localForwards: undefined as TargetPattern[] | undefined,
    remoteForwards: undefined as TargetPattern[] | undefined,
    allowLists: [] as CommandPattern[][],
    deny: [] as CommandPattern[],
    denyFileWrites: false,
    opaque: 'allow' as 'allow' | 'deny',
    opaqueSaid: false,
    unknownLines: 'judge-visible' as 'deny' | 'judge-visible',
  };
  for (const [, p] of profiles) {
    if (p.shell === 'deny') rules.shell = false;
    if (p.exec === 'deny') rules.exec = false;
    if (p.sftp !== undefined && SFTP_STRICTNESS.indexOf(p.sftp) > SFTP_STRICTNESS.indexOf(rules.sftp)) rules.sftp = p.sftp;
    if (p.forwarding?.local !== undefined) rules.localForwards = intersect(rules.localForwards, p.forwarding.local.map(parseTarget));
    if (p.forwarding?.remote !== undefined) rules.remoteForwards = intersect(rules.remoteForwards, p.forwarding.remote.map(parseTarget));
    if (p.commands !== undefined) {
      rules.guarded = true;
      if (p.commands.allow !== undefined) rules.allowLists.push(p.commands.allow.map((s) => compilePattern(s, 'positional')));
      rules.deny.push(...(p.commands.deny ?? []).map((s) => compilePattern(s, 'anywhere')));
      if (p.commands.denyFileWrites === true) rules.denyFileWrites = true;
    }
    if (p.opaqueCommands === 'deny') rules.opaque = 'deny';
    if (p.opaqueCommands !== undefined) rules.opaqueSaid = true;
    if (p.unknownLines === 'deny') rules.unknownLines = 'deny';
    envExtra.push(...(p.env ?? []));
  }
  // Guarded grants refuse what they cannot read unless a profile explicitly allows it.
  if (rules.guarded && !rules.opaqueSaid) rules.opaque = 'deny';
  const envPatterns = [...BASE_ENV, ...envExtra].map((e) => (e.endsWith('*') ? { prefix: e.slice(0, -1) } : { exact: e }));
  const { opaqueSaid: _said, ...rest } = rules;
  return {
    ...rest,
    localForwards: rules.localForwards ?? [],
    remoteForwards: rules.remoteForwards ?? [],
    envAllowed: (name) => !isDangerousVariable(name) && envPatterns.some((p) => ('exact' in p ? p.exact === name : name.startsWith(p.prefix))),
  };
}

/** A forwarding list nobody mentioned allows nothing; two lists allow only what both allow. */
function intersect(a: TargetPattern[] | undefined, b: TargetPattern[]): TargetPattern[] {
  if (a === undefined) return b;
  return a.filter((x) => b.some((y) => y.host === x.host && y.port === x.port));
}

function parseTarget(s: string): TargetPattern {
  const colon = s.lastIndexOf(':');
  const port = s.slice(colon + 1);
  return { host: s.slice(0, colon), port: port === '*' ? '*' : Number(port) };
}

/** Does a forwarding request to host:port match one of the granted targets? */
export function forwardAllowed(targets: readonly TargetPattern[], host: string, port: number): boolean {
  return targets.some((t) => (t.host === '*' || t.host.toLowerCase() === host.toLowerCase()) && (t.port === '*' || t.port === port));
}
