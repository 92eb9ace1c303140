/**
 * Builds a TabSeparated payload. TSV is the one text format both adapters accept whose String fields
 * carry arbitrary bytes (JSON would turn a non-UTF-8 payload into replacement characters), and it
 * needs no per-row key names. Text accumulates in one string and becomes bytes once; raw Buffers
 * (binary payloads) are spliced in between.
 */
export class TsvWriter {
  private text = '';
  private readonly parts: Buffer[] = [];
  private byteLength = 0;

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
    const escaped = hasEscapableByte(buf) ? escapeBytes(buf) : buf;
    this.parts.push(escaped);
    this.byteLength += escaped.length;
  }

  /** Returns the payload; the writer is not reused after this. */
  finish(): Buffer {
    this.flushText();
    return this.parts.length === 1 && this.parts[0] !== undefined
      ? this.parts[0]
      : Buffer.concat(this.parts, this.byteLength);
  }

  private flushText(): void {
    if (this.text.length === 0) return;
    const chunk = Buffer.from(this.text, 'utf8');
    this.parts.push(chunk);
    this.byteLength += chunk.length;
    this.text = '';
  }
}

// ClickHouse's TSV reader treats backslash, tab and newline specially; \r and NUL are escaped so a
// payload never depends on CRLF or C-string handling anywhere on the way.
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPABLE = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const escapeChar = (c: string): string => ESCAPES[c] ?? c;

const BYTE_ESCAPES = new Map<number, number>([
  [0x5c, 0x5c],
  [0x09, 0x74],
  [0x0a, 0x6e],
  [0x0d, 0x72],
  [0x00, 0x30],
]);

function hasEscapableByte(buf: Buffer): boolean {
  for (const byte of BYTE_ESCAPES.keys()) if (buf.indexOf(byte) >= 0) return true;
  return false;
}

function escapeBytes(buf: Buffer): Buffer {
  const out = Buffer.allocUnsafe(buf.length * 2);
  let o = 0;
  for (const byte of buf) {
    const letter = BYTE_ESCAPES.get(byte);
    if (letter === undefined) {
      out[o++] = byte;
    } else {
      out[o++] = 0x5c;
      out[o++] = letter;
    }
  }
  return out.subarray(0, o);
}

/** Quotes a string as an element inside a TSV array field: `'...'` with backslash escapes. */
export function quoteArrayString(s: string): string {
  return `'${s.replace(ARRAY_ESCAPABLE, (c) => (c === "'" ? "\\'" : escapeChar(c)))}'`;
}
const ARRAY_ESCAPABLE = /[\\\t\n\r\0']/g;
