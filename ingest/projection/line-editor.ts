import { INPUT_WITHHELD } from '../../services/core/masking/index.js';

/**
 * Rebuilds command lines from what a person typed into a shell: printable characters append,
 * backspace/DEL erase, Ctrl-U and Ctrl-C discard the line, escape sequences (arrow keys) are skipped,
 * CR or LF ends a line. Tab completion and history recall happen in the remote shell and cannot be
 * seen from input alone: such lines are recorded as typed.
 */
export class LineEditor {
  private line = '';
  private escape = 0; // 0 none, 1 after ESC, 2 inside CSI

  /** Feeds input text; returns the lines it completed (empty ones and withheld passwords left out). */
  feed(text: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.escape === 1) {
        this.escape = c === 0x5b || c === 0x4f ? 2 : 0;
        continue;
      }
      if (this.escape === 2) {
        if (c >= 0x40 && c <= 0x7e) this.escape = 0;
        continue;
      }
      if (c === 0x0d || c === 0x0a) {
        const line = this.line.trim();
        this.line = '';
        if (line !== '' && line !== INPUT_WITHHELD) out.push(line);
      } else if (c === 0x7f || c === 0x08) {
        this.line = this.line.slice(0, -1);
      } else if (c === 0x15 || c === 0x03) {
        this.line = '';
      } else if (c === 0x1b) {
        this.escape = 1;
      } else if (c >= 0x20 || c === 0x09) {
        if (this.line.length < 65536) this.line += text[i];
      }
    }
    return out;
  }
}
