/**
 * Builds a TabSeparated payload. TSV is the one text format both adapters accept whose String fields
 * carry arbitrary bytes (JSON would turn a non-UTF-8 payload into replacement characters), and it
 * needs no per-row key names. Text accumulates in a string (cheap appends) and is written into one
 * growable buffer when bytes follow; raw bytes are copied (escaped) straight into that buffer, so a
 * batch allocates a few large buffers instead of several small ones per row.
 */
export class TsvWriter {
  private text = '';
  private buf = Buffer.allocUnsafe(64 * 1024);
  private length = 0;

  /** Appends text already in TSV form (numbers, separators, escaped strings). */
  raw(s: string): void {
    this.text += s;
  }

  /** Appends a String field from JS text, escaped for TSV. */
  string(s: string): void {
    this.text += NEEDS_ESCAPE.test(s) ? s.replace(ESCAPABLE, escapeChar) : s;
  }

  /** Appends a String field from bytes, escaped for TSV; other bytes pass through unchanged. */
  bytes(b: Uint8Array): void {
    this.flushText();
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    if (!hasEscapableByte(buf)) {
      this.reserve(buf.length);
      this.length += buf.copy(this.buf, this.length);
      return;
    }
    this.reserve(buf.length * 2);
    const out = this.buf;
    let o = this.length;
    for (let i = 0; i < buf.length; i++) {
      const byte = buf[i] as number;
      const letter = BYTE_ESCAPES[byte] as number;
      if (letter === 0) {
        out[o++] = byte;
      } else {
        out[o++] = 0x5c;
        out[o++] = letter;
      }
    }
    this.length = o;
  }

  /** Returns the payload; the writer is not reused after this. */
  finish(): Buffer {
    this.flushText();
    return this.buf.subarray(0, this.length);
  }

  private flushText(): void {
    if (this.text.length === 0) return;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(this.text.length * 3);
    this.length += this.buf.write(this.text, this.length, 'utf8');
    this.text = '';
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
}

// ClickHouse's TSV reader treats backslash, tab and newline specially; \r and NUL are escaped so a
// payload never depends on CRLF or C-string handling anywhere on the way.
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPABLE = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const escapeChar = (c: string): string => ESCAPES[c] ?? c;

/** The letter after the backslash for each byte that needs escaping; 0 for every other byte. */
const BYTE_ESCAPES = new Uint8Array(256);
BYTE_ESCAPES[0x5c] = 0x5c;
BYTE_ESCAPES[0x09] = 0x74;
BYTE_ESCAPES[0x0a] = 0x6e;
BYTE_ESCAPES[0x0d] = 0x72;
BYTE_ESCAPES[0x00] = 0x30;

function hasEscapableByte(buf: Buffer): boolean {
  return buf.indexOf(0x00) >= 0 || buf.indexOf(0x5c) >= 0 || buf.indexOf(0x09) >= 0 || buf.indexOf(0x0a) >= 0 || buf.indexOf(0x0d) >= 0;
}

/** Quotes a string as an element inside a TSV array field: `'...'` with backslash escapes. */
export function quoteArrayString(s: string): string {
  return `'${s.replace(ARRAY_ESCAPABLE, (c) => (c === "'" ? "\\'" : escapeChar(c)))}'`;
}
const ARRAY_ESCAPABLE = /[\\\t\n\r\0']/g;
