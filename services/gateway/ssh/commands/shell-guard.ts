import type { SshRules } from '../guardrails/compile.js';
import { judgeCommandLine } from './judge.js';
import { LineTracker } from './line-tracker.js';
import { lex } from './shell-lexer.js';

export interface LineDecision {
  allowed: boolean;
  line: string;
  /** The gateway followed every key of the line (false after history recall, completion, ...). */
  known: boolean;
  rule: string;
  reason: string;
}

/** What to do with one chunk of shell input. */
export interface GuardOutput {
  upstream: Buffer[];
  client: string[];
  decisions: LineDecision[];
  /** Set when the channel must end (a refused line on a shell without a terminal). */
  terminate?: string;
}

/** Ctrl-C: the shell discards the line (and any continuation lines) and prints a fresh prompt. */
const CANCEL_LINE = Buffer.from([0x03]);
const UNKNOWN_LINE_REASON = 'the gateway could not follow this line (history recall, tab completion or an editing key it does not model); type the command out in full';

/**
 * Judges an interactive shell's input line by line before Enter reaches the host.
 * `pty` mode: keystrokes pass through as typed (echo stays live); Enter is held until the line is
 * judged; a refused line is cancelled with Ctrl-C and a notice. `lines` mode (no terminal, input
 * is a script): each whole line is held until judged; a refused line ends the channel. Pure.
 */
export class ShellGuard {
  private readonly tracker = new LineTracker();
  private pending = '';
  private held: Buffer[] = [];

  constructor(private readonly rules: SshRules, private readonly mode: 'pty' | 'lines', private readonly maxLine: number) {}

  /** Host output, so full-screen programs (editors, pagers) are recognised. */
  output(chunk: Buffer): void {
    if (this.mode === 'pty') this.tracker.observeOutput(chunk);
  }

  input(chunk: Buffer): GuardOutput {
    return this.mode === 'pty' ? this.ptyInput(chunk) : this.linesInput(chunk, false);
  }

  /** The client's end of input: a last line without a newline is judged too. */
  end(): GuardOutput {
    return this.mode === 'lines' ? this.linesInput(Buffer.alloc(0), true) : { upstream: [], client: [], decisions: [] };
  }

  private ptyInput(chunk: Buffer): GuardOutput {
    const out: GuardOutput = { upstream: [], client: [], decisions: [] };
    for (const a of this.tracker.feed(chunk)) {
      if (a.kind === 'forward') {
        out.upstream.push(a.bytes);
        continue;
      }
      const text = this.pending === '' ? a.line : `${this.pending}\n${a.line}`;
      // An empty line is harmless only if the gateway saw every key: after Up-arrow it is a recalled command.
      if ((a.known && text.trim() === '') || (text.trim() !== '' && incomplete(text))) {
        this.pending = text.trim() === '' ? '' : text;
        out.upstream.push(a.bytes);
        continue;
      }
      this.pending = '';
      const d = this.judge(text, a.known);
      out.decisions.push(d);
      if (d.allowed) out.upstream.push(a.bytes);
      else {
        out.upstream.push(CANCEL_LINE);
        out.client.push(`\r\n\x1b[1;31mtollgate: command refused (${d.rule}): ${d.reason}\x1b[0m\r\n`);
      }
    }
    return out;
  }

  private linesInput(chunk: Buffer, atEnd: boolean): GuardOutput {
    const out: GuardOutput = { upstream: [], client: [], decisions: [] };
    if (chunk.length > 0) this.held.push(chunk);
    const buf = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held);
    let start = 0;
    let scan = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, scan);
      const end = nl >= 0 ? nl + 1 : atEnd && start < buf.length ? buf.length : -1;
      if (end < 0) break;
      scan = end;
      const bytes = buf.subarray(start, end);
      const text = bytes.toString('utf8').replace(/\r?\n$/, '');
      // A continued line is judged whole, with the lines it continues.
      if (nl >= 0 && incomplete(text) && end - start < this.maxLine) continue;
      start = end;
      if (text.trim() !== '') {
        const d = this.judge(text, true);
        out.decisions.push(d);
        if (!d.allowed) {
          out.terminate = `command refused (${d.rule}): ${d.reason}`;
          this.held = [];
          return out;
        }
      }
      out.upstream.push(bytes);
    }
    const rest = buf.subarray(start);
    this.held = rest.length === 0 ? [] : [Buffer.from(rest)];
    if (rest.length > this.maxLine) out.terminate = `an input line longer than ${this.maxLine} bytes cannot be judged`;
    return out;
  }

  private judge(line: string, known: boolean): LineDecision {
    if (!known && this.rules.guarded && this.rules.unknownLines === 'deny') {
      return { allowed: false, line, known, rule: 'unknown-line', reason: UNKNOWN_LINE_REASON };
    }
    const v = judgeCommandLine(line, this.rules);
    if (v.allowed) return { allowed: true, line, known, rule: this.rules.guarded ? 'commands' : 'unguarded', reason: '' };
    return { allowed: false, line, known, rule: v.rule, reason: v.reason };
  }
}

/** Does the shell wait for more lines before running this text (continuation, open quote, open pipeline)? */
function incomplete(text: string): boolean {
  if (/(^|[^\\])(\\\\)*\\$/.test(text)) return true;
  if (/(\|\||&&|\|)\s*$/.test(text)) return true;
  const { tokens, opaque } = lex(text);
  if (opaque.includes('unterminated-quote')) return true;
  let depth = 0;
  for (const t of tokens) if (t.kind === 'op') depth += t.text === '(' ? 1 : t.text === ')' ? -1 : 0;
  return depth > 0;
}
