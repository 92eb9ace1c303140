/**
 * Follows what a person types into an interactive shell so the line can be judged before Enter
 * reaches the host. It models readline's emacs keys (insert, backspace, Ctrl-U/W/K, Ctrl-A/E/B/F,
 * arrows, Home/End/Delete, bracketed paste). Keys whose effect depends on the remote shell's state
 * (history, tab completion, reverse search, yank, Alt- keys) make the line "unknown": the gateway
 * still sees what was typed, but not what the shell will run. Pure: bytes in, actions out.
 */

export type LineAction =
  | { kind: 'forward'; bytes: Buffer }
  /** The user pressed Enter: judge `line`, then forward `bytes` (the Enter key) or refuse. */
  | { kind: 'enter'; line: string; known: boolean; bytes: Buffer };

const MAX_LINE = 64 * 1024;
const ESC = 0x1b;

export class LineTracker {
  private chars: string[] = [];
  private cursor = 0;
  private known = true;
  private escape: number[] | undefined;
  private utf8: number[] = [];
  private pasting = false;
  private fullScreen = false;

  /** The line as the gateway believes it stands (for tests and notices). */
  get line(): string {
    return this.chars.join('');
  }

  get lineKnown(): boolean {
    return this.known;
  }

  /** Watches the host's output for full-screen programs (editors, pagers): their keys are not shell lines. */
  observeOutput(data: Buffer): void {
    const s = data.toString('latin1');
    const on = Math.max(s.lastIndexOf('\x1b[?1049h'), s.lastIndexOf('\x1b[?47h'), s.lastIndexOf('\x1b[?1047h'));
    const off = Math.max(s.lastIndexOf('\x1b[?1049l'), s.lastIndexOf('\x1b[?47l'), s.lastIndexOf('\x1b[?1047l'));
    if (on >= 0 || off >= 0) {
      this.fullScreen = on > off;
      this.reset();
    }
  }

  /** Forgets the current line (after Enter, Ctrl-C, or a refused line). */
  reset(): void {
    this.chars = [];
    this.cursor = 0;
    this.known = true;
  }

  /** Feeds keystrokes from the client; returns what to forward and where Enter was pressed. */
  feed(data: Buffer): LineAction[] {
    if (this.fullScreen) return [{ kind: 'forward', bytes: data }];
    const out: LineAction[] = [];
    let from = 0;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if ((b === 0x0d || b === 0x0a) && this.escape === undefined && !this.pasting) {
        if (i > from) out.push({ kind: 'forward', bytes: data.subarray(from, i) });
        out.push({ kind: 'enter', line: this.line, known: this.known, bytes: data.subarray(i, i + 1) });
        this.reset();
        from = i + 1;
        continue;
      }
      this.byte(b);
    }
    if (from < data.length) out.push({ kind: 'forward', bytes: data.subarray(from) });
    return out;
  }

  private byte(b: number): void {
    if (this.escape !== undefined) return this.escapeByte(b);
    if (this.utf8.length > 0 || b >= 0x80) return this.utf8Byte(b);
    if (b === ESC) {
      this.escape = [];
      return;
    }
    if (this.pasting) return this.insert(b === 0x0d ? '\n' : String.fromCharCode(b));
    if (b >= 0x20 && b !== 0x7f) return this.insert(String.fromCharCode(b));
    this.control(b);
  }

  private control(b: number): void {
    switch (b) {
      case 0x7f: case 0x08: // Backspace
        if (this.cursor > 0) this.chars.splice(--this.cursor, 1);
        return;
      case 0x15: // Ctrl-U: kill back to the start
        this.chars.splice(0, this.cursor);
        this.cursor = 0;
        return;
      case 0x17: // Ctrl-W: kill the previous whitespace-delimited word
        return this.killWordBack();
      case 0x0b: // Ctrl-K
        this.chars.length = this.cursor;
        return;
      case 0x01: this.cursor = 0; return; // Ctrl-A
      case 0x05: this.cursor = this.chars.length; return; // Ctrl-E
      case 0x02: this.cursor = Math.max(0, this.cursor - 1); return; // Ctrl-B
      case 0x06: this.cursor = Math.min(this.chars.length, this.cursor + 1); return; // Ctrl-F
      case 0x04: if (this.cursor < this.chars.length) this.chars.splice(this.cursor, 1); return; // Ctrl-D
      case 0x03: this.reset(); return; // Ctrl-C
      case 0x0c: return; // Ctrl-L redraws
      default:
        // Tab, history (Ctrl-P/N/R/S), yank, transpose, Ctrl-X prefixes, undo: the shell decides.
        this.known = false;
    }
  }

  private killWordBack(): void {
    let i = this.cursor;
    while (i > 0 && /\s/.test(this.chars[i - 1]!)) i--;
    while (i > 0 && !/\s/.test(this.chars[i - 1]!)) i--;
    this.chars.splice(i, this.cursor - i);
    this.cursor = i;
  }

  private insert(ch: string): void {
    if (this.chars.length >= MAX_LINE) {
      this.known = false;
      return;
    }
    this.chars.splice(this.cursor++, 0, ch);
  }

  private utf8Byte(b: number): void {
    this.utf8.push(b);
    const lead = this.utf8[0]!;
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (this.utf8.length < need) return;
    this.insert(Buffer.from(this.utf8).toString('utf8'));
    this.utf8 = [];
  }

  /** CSI (ESC [ params final) and SS3 (ESC O x) sequences; ESC + anything else is an Alt- key. */
  private escapeByte(b: number): void {
    const seq = this.escape!;
    seq.push(b);
    if (seq.length === 1) {
      if (b === 0x5b || b === 0x4f) return; // '[' or 'O': wait for the rest
      this.escape = undefined;
      if (!this.pasting) this.known = false;
      return;
    }
    if (seq[0] === 0x4f || (b >= 0x40 && b <= 0x7e)) {
      this.escape = undefined;
      this.sequence(String.fromCharCode(...seq.slice(1)));
      return;
    }
    if (seq.length > 16) {
      this.escape = undefined;
      this.known = false;
    }
  }

  private sequence(s: string): void {
    if (s === '200~') { this.pasting = true; return; }
    if (s === '201~') { this.pasting = false; return; }
    if (this.pasting) return;
    switch (s) {
      case 'D': this.cursor = Math.max(0, this.cursor - 1); return;
      case 'C': this.cursor = Math.min(this.chars.length, this.cursor + 1); return;
      case 'H': case '1~': case '7~': this.cursor = 0; return;
      case 'F': case '4~': case '8~': this.cursor = this.chars.length; return;
      case '3~': if (this.cursor < this.chars.length) this.chars.splice(this.cursor, 1); return;
      case '2~': return; // Insert toggles overwrite in some terminals; readline ignores it by default
      default: this.known = false; // Up/Down (history), PageUp/Down, function keys
    }
  }
}
