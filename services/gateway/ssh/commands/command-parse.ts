import { lex, type OpaqueReason, type Token } from './shell-lexer.js';

/** One simple command as the shell would run it, after quote removal and wrapper unwrapping. */
export interface SimpleCommand {
  /** The command word's basename ("/usr/bin/rm" -> "rm"); "" for a bare assignment or redirection. */
  name: string;
  args: string[];
  /** NAME=value words before the command (and those given to `env`). */
  assignments: string[];
  /** Output redirection targets (">", ">>", "&>", ">|", "<>"). */
  writes: string[];
  /** Reads its standard input from a pipe, a here-string, a heredoc or a file. */
  stdinFed: boolean;
  /** An interpreter with no script of its own reading the channel's input: a shell, or another language. */
  stdinScript?: 'shell' | 'interpreter';
  /** The command word is built at run time ($VAR, glob, substitution): nothing can say what runs. */
  dynamicName: boolean;
}

export type ParseOpaque = OpaqueReason | 'inline-interpreter' | 'stdin-interpreter' | 'eval' | 'dynamic-command';

export interface ParsedLine {
  commands: SimpleCommand[];
  /** Every construct that hides what will run; empty when the line means what it says. */
  opaque: ParseOpaque[];
}

const MAX_DEPTH = 4;
/** Shells whose `-c` argument is itself a command line: parsed and judged like the outer one. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox', 'fish', 'tcsh', 'csh']);
/** Programs that run code given inline or on standard input. */
const INTERPRETERS = new Set([...SHELLS, 'python', 'python2', 'python3', 'perl', 'ruby', 'node', 'nodejs', 'php', 'lua', 'tclsh', 'awk', 'gawk', 'mawk', 'nawk', 'osascript', 'pwsh', 'irb', 'jshell', 'R', 'Rscript', 'gdb']);
const EVALUATORS = new Set(['eval', 'source', '.', 'trap']);
/** Run their arguments as a command after their own options. */
const WRAPPERS: Record<string, { argOptions: Set<string>; skipFirstArg?: boolean }> = {
  sudo: { argOptions: new Set(['-u', '-g', '-C', '-h', '-p', '-r', '-t', '-U', '-D', '-R', '-T']) },
  doas: { argOptions: new Set(['-u', '-C']) },
  env: { argOptions: new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string']) },
  nice: { argOptions: new Set(['-n', '--adjustment']) },
  ionice: { argOptions: new Set(['-c', '-n', '-p', '-t']) },
  nohup: { argOptions: new Set() },
  setsid: { argOptions: new Set() },
  time: { argOptions: new Set(['-f', '-o']) },
  command: { argOptions: new Set() },
  builtin: { argOptions: new Set() },
  exec: { argOptions: new Set(['-a']) },
  xargs: { argOptions: new Set(['-a', '-d', '-E', '-e', '-I', '-i', '-L', '-l', '-n', '-P', '-s', '--delimiter', '--max-args', '--max-procs', '--arg-file', '--replace']) },
  stdbuf: { argOptions: new Set(['-i', '-o', '-e']) },
  timeout: { argOptions: new Set(['-k', '-s', '--kill-after', '--signal']), skipFirstArg: true },
  chroot: { argOptions: new Set(), skipFirstArg: true },
  runuser: { argOptions: new Set(['-u', '-g', '-l']) },
  strace: { argOptions: new Set(['-e', '-o', '-p', '-s', '-u']) },
  watch: { argOptions: new Set(['-n', '-d', '--interval']) },
};
/** Words that start a compound command and are followed by a command. */
const PREFIX_KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'fi', 'done', 'esac', 'function']);
const SEPARATORS = new Set([';', '&', '&&', '||', '|', '|&', '\n', '(', ')', ';;']);
const WRITE_REDIRECTS = new Set(['>', '>>', '&>', '&>>', '>|', '<>']);
const REDIRECTS = new Set([...WRITE_REDIRECTS, '<', '<&', '>&', '<<', '<<<']);

/** Parses a command line into the simple commands it runs, unwrapping `sudo`, `env`, `xargs`, `sh -c` and friends. */
export function parseCommandLine(line: string, depth = 0): ParsedLine {
  const out: ParsedLine = { commands: [], opaque: [] };
  if (depth > MAX_DEPTH) {
    out.opaque.push('too-deep');
    return out;
  }
  const { tokens, opaque } = lex(line);
  out.opaque.push(...opaque);
  let current: Token[] = [];
  let piped = false;
  const flush = (nextPiped: boolean) => {
    if (current.length > 0) buildCommand(current, piped, depth, out);
    current = [];
    piped = nextPiped;
  };
  for (const t of tokens) {
    if (t.kind === 'op' && SEPARATORS.has(t.text)) flush(t.text === '|' || t.text === '|&');
    else current.push(t);
  }
  flush(false);
  out.opaque = [...new Set(out.opaque)];
  return out;
}

function buildCommand(tokens: Token[], piped: boolean, depth: number, out: ParsedLine): void {
  const words: Array<Extract<Token, { kind: 'word' }>> = [];
  const cmd: SimpleCommand = { name: '', args: [], assignments: [], writes: [], stdinFed: piped, dynamicName: false };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'op') {
      if (!REDIRECTS.has(t.text)) continue;
      const target = tokens[i + 1];
      if (target?.kind === 'word') {
        i++;
        if (WRITE_REDIRECTS.has(t.text) || (t.text === '>&' && !/^\d+$|^-$/.test(target.text))) cmd.writes.push(target.text);
      }
      if (t.text === '<<' || t.text === '<<<' || t.text === '<' || t.text === '<&' || t.text === '<>') cmd.stdinFed = true;
      continue;
    }
    // A redirection's file-descriptor prefix ("2>") lexes as a word of digits before the operator.
    const nextOp = tokens[i + 1];
    if (/^\d+$/.test(t.text) && !t.quoted && nextOp?.kind === 'op' && REDIRECTS.has(nextOp.text)) continue;
    words.push(t);
  }
  let k = 0;
  while (k < words.length && words[k]!.quoted === false && PREFIX_KEYWORDS.has(words[k]!.text)) k++;
  if (k < words.length && !words[k]!.quoted && (words[k]!.text === 'for' || words[k]!.text === 'case' || words[k]!.text === 'select')) {
    // Loop and case headers name no command; what they run follows a separator.
    if (words[k]!.text === 'case') out.opaque.push('dynamic-command');
    return;
  }
  while (k < words.length && isAssignment(words[k]!)) cmd.assignments.push(words[k++]!.text);
  const rest = words.slice(k);
  if (rest.length === 0) {
    if (cmd.assignments.length > 0 || cmd.writes.length > 0) out.commands.push(cmd);
    return;
  }
  resolve(cmd, rest, depth, out);
}

function isAssignment(w: Extract<Token, { kind: 'word' }>): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(w.text);
}

/** Fills name/args from words, unwrapping wrappers and recursing into `sh -c`; pushes what it finds. */
function resolve(cmd: SimpleCommand, words: Array<Extract<Token, { kind: 'word' }>>, depth: number, out: ParsedLine): void {
  const first = words[0]!;
  const name = basename(first.text);
  cmd.dynamicName = first.dynamic || name === '';
  cmd.name = name;
  cmd.args = words.slice(1).map((w) => w.text);
  out.commands.push(cmd);
  if (cmd.dynamicName) {
    out.opaque.push('dynamic-command');
    return;
  }
  if (EVALUATORS.has(name)) out.opaque.push('eval');
  const wrapper = WRAPPERS[name];
  if (wrapper !== undefined) {
    const inner = unwrap(words.slice(1), wrapper, name === 'env' ? cmd.assignments : undefined);
    if (inner.length > 0) resolve({ ...cmd, assignments: [...cmd.assignments], writes: [], name: '', args: [] }, inner, depth, out);
    return;
  }
  if (name === 'find') return judgeFindExec(cmd, depth, out);
  if (INTERPRETERS.has(name)) interpreter(cmd, depth, out);
}

function unwrap(words: Array<Extract<Token, { kind: 'word' }>>, spec: { argOptions: Set<string>; skipFirstArg?: boolean }, assignments: string[] | undefined): Array<Extract<Token, { kind: 'word' }>> {
  let i = 0;
  while (i < words.length) {
    const t = words[i]!.text;
    if (t === '--') { i++; break; }
    if (assignments !== undefined && isAssignment(words[i]!)) { assignments.push(t); i++; continue; }
    if (!t.startsWith('-') || t === '-') break;
    i += spec.argOptions.has(t) ? 2 : 1;
  }
  if (spec.skipFirstArg === true) i++;
  return words.slice(i);
}

function interpreter(cmd: SimpleCommand, depth: number, out: ParsedLine): void {
  const inlineFlag = cmd.args.findIndex((a) => /^-[A-Za-z]*[ce]$/.test(a) || a === '--command' || a === '--eval');
  if (SHELLS.has(cmd.name) && inlineFlag >= 0) {
    const script = cmd.args[inlineFlag + 1];
    if (script === undefined) return;
    const inner = parseCommandLine(script, depth + 1);
    out.commands.push(...inner.commands);
    out.opaque.push(...inner.opaque);
    return;
  }
  if (inlineFlag >= 0 || /^(awk|gawk|mawk|nawk)$/.test(cmd.name)) {
    out.opaque.push('inline-interpreter');
    return;
  }
  const scriptArg = cmd.args.find((a) => !a.startsWith('-'));
  if (scriptArg === undefined || cmd.args.includes('-s') || scriptArg === '/dev/stdin') {
    // No script file: the program runs whatever arrives on stdin (a pipe, or keystrokes in a shell).
    if (cmd.stdinFed) out.opaque.push('stdin-interpreter');
    else cmd.stdinScript = SHELLS.has(cmd.name) ? 'shell' : 'interpreter';
  }
}

function judgeFindExec(cmd: SimpleCommand, depth: number, out: ParsedLine): void {
  for (let i = 0; i < cmd.args.length; i++) {
    if (!/^-(exec|execdir|ok|okdir)$/.test(cmd.args[i]!)) continue;
    const end = cmd.args.findIndex((a, j) => j > i && (a === ';' || a === '+'));
    const inner = cmd.args.slice(i + 1, end < 0 ? undefined : end).map((text) => ({ kind: 'word' as const, text, dynamic: false, quoted: true }));
    if (inner.length > 0) resolve({ name: '', args: [], assignments: [], writes: [], stdinFed: false, dynamicName: false }, inner, depth, out);
  }
}

function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash < 0 ? word : word.slice(slash + 1);
}

/** What reads the session's own input as a program, if anything (`ssh host bash < script`, `ssh host python3`). */
export function stdinScriptOf(line: string): 'shell' | 'interpreter' | undefined {
  const kinds = parseCommandLine(line).commands.map((c) => c.stdinScript);
  return kinds.includes('interpreter') ? 'interpreter' : kinds.includes('shell') ? 'shell' : undefined;
}
