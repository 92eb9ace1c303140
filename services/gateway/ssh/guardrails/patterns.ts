/**
 * Command patterns of SSH guardrail profiles: "name arg arg", each word a glob (`*`, `?`, `[..]`).
 * The first word matches the command's basename. In allow-lists the other words match the
 * arguments in order from the first (so "systemctl status*" does not admit "systemctl stop x
 * status"); in deny-lists each word may match any argument (so "rm -*r*" catches "rm x -rf").
 */
export interface CommandPattern {
  source: string;
  name: RegExp;
  args: readonly RegExp[];
  mode: 'positional' | 'anywhere';
}

/** Compiles one pattern string. */
export function compilePattern(source: string, mode: CommandPattern['mode']): CommandPattern {
  const words = source.trim().split(/\s+/);
  return { source, name: globToRegExp(words[0] ?? ''), args: words.slice(1).map(globToRegExp), mode };
}

/** Does a command (basename and arguments) match the pattern? */
export function matchesPattern(p: CommandPattern, name: string, args: readonly string[]): boolean {
  if (!p.name.test(name)) return false;
  if (p.mode === 'positional') return p.args.every((re, i) => args[i] !== undefined && re.test(args[i]));
  return p.args.every((re) => args.some((a) => re.test(a)));
}

function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(re + '$');
}
