import { StringDecoder } from 'node:string_decoder';
import { applyFindings, detect, mergeFindings } from './detector-set.js';
import type { DetectorSet } from './detector-set.js';
import { buildView, emptyStats, statsOfString } from './text-view.js';
import type { TextView } from './text-view.js';
import type { Finding } from './types.js';

export interface StreamMaskerOptions {
  /**
   * Characters kept back before the last whitespace-free run: covers detectors whose match holds
   * spaces (card groups, "Bearer x", "password = x", PEM headers). Default 96.
   */
  readonly holdChars?: number;
  /** Hard bound on unreleased text; past it text is released masked as it stands. Default 16384. */
  readonly maxHoldChars?: number;
}

/** Masked text released by one push or flush; finding offsets count characters of the decoded input stream. */
export interface StreamOutput {
  readonly text: string;
  readonly findings: readonly Finding[];
}

/** Masks a byte or text stream split into arbitrary chunks (terminal output and input). */
export interface StreamMasker {
  push(chunk: Buffer | string): StreamOutput;
  /** Releases everything held (call at stream end, and on a short idle timer for interactive output). */
  flush(): StreamOutput;
  /** Characters held back right now. */
  readonly pending: number;
}

const PEM_END = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/;
const empty: StreamOutput = { text: '', findings: [] };

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** The view index before which text may be released without splitting a possible match. */
function safeCut(view: TextView, merged: readonly Finding[], hold: number, maxHold: number): number {
  const len = view.text.length;
  let t = len;
  while (t > 0 && len - t < maxHold && !isSpace(view.text.charCodeAt(t - 1))) t--;
  let cut = Math.max(0, Math.min(len - hold, t - hold));
  for (const f of merged) {
    // A match touching the end may still grow (a token, an unterminated PEM block): hold it whole.
    if ((f.start < cut && f.end > cut) || f.end === len) cut = Math.min(cut, f.start);
  }
  return Math.max(0, cut);
}

function originalIndex(view: TextView, viewIndex: number, fallback: number): number {
  return view.starts === null ? viewIndex : (view.starts[viewIndex] ?? fallback);
}

/**
 * Creates a streaming masker with a bounded carry-over: output is delayed by at most `maxHoldChars`
 * (usually by the last word plus `holdChars`), so a secret split across chunks is still seen whole.
 */
export function createStreamMasker(set: DetectorSet, options: StreamMaskerOptions = {}): StreamMasker {
  const hold = options.holdChars ?? 96;
  const maxHold = Math.max(options.maxHoldChars ?? 16384, hold * 2);
  const decoder = new StringDecoder('utf8');
  const stats = emptyStats();
  let carry = '';
  let base = 0; // stream offset of carry[0]
  let inPem = false; // inside a private key block already replaced: drop until its END line
  let unscanned = 0; // characters added since the last scan

  const release = (buf: string, final: boolean): StreamOutput => {
    const view = buildView(buf, statsOfString(buf, stats));
    const raw = detect(view, set);
    const merged = mergeFindings(raw.slice());
    let cut = final ? view.text.length : safeCut(view, merged, hold, maxHold);
    if (!final && view.text.length - cut > maxHold) {
      cut = view.text.length - hold;
      for (const f of merged) if (f.start < cut && f.end > cut) cut = f.end;
      inPem = merged.some((f) => f.detector === 'pem-private-key' && f.end === view.text.length && !PEM_END.test(view.text.slice(f.start, f.end)));
    }
    const cutOrig = cut >= view.text.length ? buf.length : originalIndex(view, cut, buf.length);
    const head = buf.slice(0, cutOrig);
    const r = applyFindings(head, view, raw.filter((f) => f.end <= cut));
    const findings = r.findings.map((f) => ({ detector: f.detector, start: f.start + base, end: f.end + base }));
    carry = buf.slice(cutOrig);
    base += cutOrig;
    if (inPem) {
      base += carry.length;
      carry = '';
    }
    return findings.length === 0 && r.text === '' ? empty : { text: r.text, findings };
  };

  // While inside a replaced key block, drop input up to its END marker (kept searchable across chunks).
  const skipPem = (text: string): string => {
    const joined = carry + text;
    const m = PEM_END.exec(joined);
    if (m === null) {
      base += Math.max(0, joined.length - 64);
      carry = joined.slice(-64);
      return '';
    }
    inPem = false;
    base += m.index + m[0].length;
    carry = '';
    return joined.slice(m.index + m[0].length);
  };

  return {
    push(chunk) {
      let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      if (inPem) {
        text = skipPem(text);
        if (inPem) return empty;
      }
      // Rescan only once the new text is an eighth of what is held: tiny chunks (one keystroke,
      // one byte) then cost amortised linear time instead of a rescan of the carry per chunk.
      carry += text;
      unscanned += text.length;
      if (unscanned * 8 < carry.length && carry.length <= maxHold) return empty;
      unscanned = 0;
      return release(carry, false);
    },
    flush() {
      const tail = decoder.end();
      if (inPem) {
        skipPem(tail);
        inPem = false;
        carry = '';
        return { text: '', findings: [] };
      }
      unscanned = 0;
      return release(carry + tail, true);
    },
    get pending() {
      return carry.length;
    },
  };
}
