import { eachMatch } from './each-match.js';
import { cardPrefixValid, ibanChecksumValid, ibanLength, luhnValid } from './checksums.js';
import type { Detector, Finding } from './types.js';

const fixed = (id: string) => (): string => `[REDACTED:${id}]`;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
// The local-part characters addresses use in practice, plus non-ASCII (internationalised addresses).
// RFC 5322 also allows !#$&'*/=?^`{|}~, but taking those would swallow URL paths and SQL quotes to
// the left of an '@' ("https://x/a?email=bob@y.io"); such addresses still lose their domain and the
// local part after the last of those characters.
const localChars = new Uint8Array(128);
for (const ch of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%+_.-') localChars[ch.charCodeAt(0)] = 1;
function isLocal(c: number): boolean {
  return c >= 0x80 || localChars[c] === 1;
}
function isLabel(c: number): boolean {
  return isAlnum(c) || c === 0x2d || c >= 0x80;
}

/** Index of the next '@' or URL-encoded '%40' at or after `from`, with its width; -1 when none. */
function nextAt(text: string, from: number): [number, number] {
  const a = text.indexOf('@', from);
  let p = text.indexOf('%', from);
  while (p !== -1 && (a === -1 || p < a)) {
    if (text.charCodeAt(p + 1) === 0x34 && text.charCodeAt(p + 2) === 0x30) return [p, 3];
    p = text.indexOf('%', p + 1);
  }
  return [a, 1];
}

/** End of a domain after an '@' ending in a plausible TLD (letters, or punycode), or -1. */
function domainEnd(text: string, from: number): number {
  const n = Math.min(text.length, from + 253);
  let e = from;
  let labelStart = from;
  let lastLabel = -1;
  while (e < n) {
    const c = text.charCodeAt(e);
    if (isLabel(c)) e++;
    else if (c === 0x2e && e > labelStart && e + 1 < n && isLabel(text.charCodeAt(e + 1))) {
      lastLabel = e + 1;
      labelStart = ++e;
    } else break;
  }
  if (lastLabel === -1 || e - lastLabel < 2) return -1;
  const tld = text.slice(lastLabel, e);
  return /^(?:[A-Za-z\u0080-\uffff]+|xn--[A-Za-z0-9-]+)$/.test(tld) ? e : -1;
}

// Hand-written around each '@' so cost is bounded per '@' (a regex on "aaaa…" retries every start: O(n²)).
function scanEmail(text: string, out: Finding[]): void {
  let from = 0;
  for (;;) {
    const [at, width] = nextAt(text, from);
    if (at === -1) return;
    from = at + width;
    let s = at;
    if (text.charCodeAt(at - 1) === 0x22) {
      const q = text.lastIndexOf('"', at - 2);
      if (q !== -1 && at - q <= 130 && !text.slice(q, at).includes('\n')) s = q;
    } else {
      while (s > 0 && at - s < 256 && isLocal(text.charCodeAt(s - 1))) s--;
    }
    if (s === at) continue;
    const e = domainEnd(text, at + width);
    if (e === -1) continue;
    out.push({ detector: 'email', start: s, end: e });
    from = e;
  }
}

export const emailDetector: Detector = {
  id: 'email',
  gate: (s) => (s.at > 0 || s.percent > 0) && s.length >= 6,
  scan: scanEmail,
  placeholder: () => '****@****',
};

// Reused across calls: detectors never run re-entrantly.
const groupStart: number[] = [];
const groupEnd: number[] = [];

function scanCardRun(text: string, out: Finding[]): void {
  const count = groupStart.length;
  for (let i = 0; i < count; ) {
    let digits = '';
    let best = -1;
    for (let j = i; j < count; j++) {
      digits += text.slice(groupStart[j], groupEnd[j]);
      if (digits.length > 19) break;
      if (digits.length >= 13 && luhnValid(digits) && cardPrefixValid(digits)) best = j;
    }
    if (best === -1) i++;
    else {
      out.push({ detector: 'card', start: groupStart[i]!, end: groupEnd[best]! });
      i = best + 1;
    }
  }
}

/**
 * Card numbers: runs of digit groups joined by one space, tab, dash, dot, underscore or slash (after
 * normalisation, so NBSP, Unicode dashes and zero-width characters count as that one separator). Groups under three digits
 * or over nineteen break a run, which keeps `ps`-style columns and dates out of reach of Luhn luck.
 */
// space, tab, dash, dot, underscore, slash: each still needs Luhn, an issuer prefix and a length.
const CARD_SEPARATORS = new Set([0x20, 0x09, 0x2d, 0x2e, 0x5f, 0x2f]);

function scanCard(text: string, out: Finding[]): void {
  const n = text.length;
  let i = 0;
  groupStart.length = 0;
  groupEnd.length = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const s = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    const len = i - s;
    if (len >= 3 && len <= 19) {
      groupStart.push(s);
      groupEnd.push(i);
    } else if (groupStart.length > 0) {
      scanCardRun(text, out);
      groupStart.length = groupEnd.length = 0;
    }
    const sep = text.charCodeAt(i);
    const joined = CARD_SEPARATORS.has(sep) && isDigit(text.charCodeAt(i + 1)) && len >= 3 && len <= 19;
    if (!joined && groupStart.length > 0) {
      scanCardRun(text, out);
      groupStart.length = groupEnd.length = 0;
    }
  }
}

export const cardDetector: Detector = {
  id: 'card',
  gate: (s) => s.digits >= 13,
  scan: scanCard,
  // Last four kept (what PCI DSS allows on receipts); separators kept so the shape stays readable.
  placeholder: (m) => {
    let seen = 0;
    let r = '';
    for (let k = m.length - 1; k >= 0; k--) {
      const c = m.charCodeAt(k);
      if (isDigit(c)) r = (seen++ < 4 ? m[k] : '*') + r;
      else r = m[k] + r;
    }
    return r;
  },
};

const ssnPattern = /(?<![0-9])([0-9]{3})[- ]([0-9]{2})[- ]([0-9]{4})(?![0-9])/g;
// Nine bare digits are an SSN only right after a label saying so ("ssn: 123456789", "SSN=…").
const labelledSsnPattern = /(?<![A-Za-z0-9])(?:ssn|social[ _-]?security(?:[ _-]?(?:no|num|number))?)["']?[ \t]{0,4}[:=]?[ \t]{0,4}["']?([0-9]{3})([0-9]{2})([0-9]{4})(?![0-9])/gi;

function validSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

export const ssnDetector: Detector = {
  id: 'ssn',
  gate: (s) => s.digits >= 9,
  scan(text, out) {
    eachMatch(ssnPattern, text, (m) => {
      if (validSsn(m[1]!, m[2]!, m[3]!)) out.push({ detector: 'ssn', start: m.index, end: m.index + m[0].length });
    });
    eachMatch(labelledSsnPattern, text, (m) => {
      const end = m.index + m[0].length;
      if (validSsn(m[1]!, m[2]!, m[3]!)) out.push({ detector: 'ssn', start: end - 9, end });
    });
  },
  placeholder: () => '***-**-****',
};

const ninoPattern = /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?![A-Za-z0-9])/gi;
const ninoBadPrefix = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export const ninoDetector: Detector = {
  id: 'nino',
  gate: (s) => s.digits >= 6 && s.length >= 9,
  scan(text, out) {
    eachMatch(ninoPattern, text, (m) => {
      if (!ninoBadPrefix.has(m[1]!.toUpperCase())) out.push({ detector: 'nino', start: m.index, end: m.index + m[0].length });
    });
  },
  placeholder: fixed('nino'),
};

const ibanStart = /(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}/g;

/** Reads a country's registered IBAN length of alphanumerics (single spaces allowed between). */
function ibanEnd(text: string, start: number, want: number): number {
  let got = 0;
  let e = start;
  while (got < want && e < text.length) {
    const c = text.charCodeAt(e);
    if (isAlnum(c)) got++;
    else if (!(c === 0x20 && got > 0 && isAlnum(text.charCodeAt(e + 1)))) return -1;
    e++;
  }
  return got === want && !isAlnum(text.charCodeAt(e)) ? e : -1;
}

export const ibanDetector: Detector = {
  id: 'iban',
  gate: (s) => s.digits >= 2 && s.length >= 15,
  scan(text, out) {
    eachMatch(ibanStart, text, (m) => {
      const want = ibanLength(m[0].slice(0, 2).toUpperCase());
      if (want === undefined) return;
      const e = ibanEnd(text, m.index, want);
      if (e !== -1 && ibanChecksumValid(text.slice(m.index, e).replaceAll(' ', '').toUpperCase())) out.push({ detector: 'iban', start: m.index, end: e });
    });
  },
  placeholder: fixed('iban'),
};

// International numbers need the leading '+'; national ones only the North American shapes.
const phonePattern = /(?<![0-9A-Za-z+])\+[1-9](?:[ .()-]{0,2}[0-9]){7,14}(?![0-9])|(?<![0-9])(?:\([0-9]{3}\) ?|[0-9]{3}[-.])[0-9]{3}[-.][0-9]{4}(?![0-9])/g;

export const phoneDetector: Detector = {
  id: 'phone',
  gate: (s) => s.digits >= 8,
  scan(text, out) {
    eachMatch(phonePattern, text, (m) => {
      out.push({ detector: 'phone', start: m.index, end: m.index + m[0].length });
    });
  },
  placeholder: fixed('phone'),
};
