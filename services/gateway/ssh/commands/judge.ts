import { isDangerousVariable, type SshRules } from '../guardrails/compile.js';
import { matchesPattern } from '../guardrails/patterns.js';
import { parseCommandLine, type SimpleCommand } from './command-parse.js';

export type Verdict =
  | { allowed: true; commands: number }
  | { allowed: false; rule: string; reason: string; command: string };

/**
 * Judges a whole command line (an exec request or a typed shell line) against a grant's rules:
 * every simple command of every pipeline, list, subshell and `sh -c` argument must pass. Pure.
 */
export function judgeCommandLine(line: string, rules: SshRules): Verdict {
  if (!rules.guarded) return { allowed: true, commands: 0 };
  if (line.includes('\0')) return deny('opaque-command', 'the command contains a NUL byte', '');
  const parsed = parseCommandLine(line);
  if (parsed.opaque.length > 0 && rules.opaque === 'deny') {
    return deny('opaque-command', `the command hides what it runs (${parsed.opaque.join(', ')}); write the command out plainly`, '');
  }
  for (const cmd of parsed.commands) {
    const v = judgeSimple(cmd, rules);
    if (v !== undefined) return v;
  }
  return { allowed: true, commands: parsed.commands.length };
}

function judgeSimple(cmd: SimpleCommand, rules: SshRules): Verdict | undefined {
  const text = [cmd.name, ...cmd.args].join(' ');
  const bad = cmd.assignments.map((a) => a.slice(0, a.indexOf('=')).replace(/\+$/, '')).find(isDangerousVariable);
  if (bad !== undefined) return deny('dangerous-variable', `setting ${bad} changes what programs load or run`, text);
  if (cmd.name === 'export' || cmd.name === 'declare' || cmd.name === 'typeset' || cmd.name === 'readonly' || cmd.name === 'alias' || cmd.name === 'unset') {
    const named = cmd.args.map((a) => a.split('=')[0]!).find(isDangerousVariable);
    if (named !== undefined) return deny('dangerous-variable', `changing ${named} changes what programs load or run`, text);
  }
  if (rules.denyFileWrites) {
    const target = cmd.writes.find((w) => !/^\/dev\/(null|stdout|stderr|fd\/[12])$/.test(w));
    if (target !== undefined) return deny('file-write', `writing to ${target} is not allowed by this grant`, text);
  }
  if (cmd.name === '') return undefined;
  for (const p of rules.deny) {
    if (matchesPattern(p, cmd.name, cmd.args)) return deny('command-denied', `"${text}" matches the denied pattern "${p.source}"`, text);
  }
  for (const list of rules.allowLists) {
    if (!list.some((p) => matchesPattern(p, cmd.name, cmd.args))) return deny('command-not-allowed', `"${cmd.name}" is not among the commands this grant allows`, text);
  }
  return undefined;
}

function deny(rule: string, reason: string, command: string): Verdict {
  return { allowed: false, rule, reason, command };
}
