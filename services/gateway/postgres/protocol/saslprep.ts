/**
 * SASLprep (RFC 4013) as PostgreSQL applies it to SCRAM passwords: map non-ASCII spaces to a space,
 * drop characters "commonly mapped to nothing", normalise to NFKC; if the result holds a prohibited
 * character, PostgreSQL uses the password bytes unchanged, and so do we.
 *
 * Unlike PostgreSQL we do not check for unassigned code points (RFC 3454 table A.1): a password holding
 * one is normalised here but used raw there, so such passwords fail to authenticate; keep gateway-held
 * passwords to assigned characters (ASCII ones take a fast path and are never changed).
 */
export function saslprep(password: string): string {
  if (/^[\x20-\x7e]*$/.test(password)) return password;
  const mapped = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
  if (mapped === '' || PROHIBITED.test(mapped)) return password;
  if (!bidiOk(mapped)) return password;
  return mapped;
}

// RFC 3454 C.1.2
const NON_ASCII_SPACE = /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/gu;
// RFC 3454 B.1
// eslint-disable-next-line no-misleading-character-class -- a table of code points, not text
const MAPPED_TO_NOTHING = /[\u00ad\u034f\u1806\u180b-\u180d\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff]/gu;
// RFC 3454 C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9 (C.1.2 spaces were mapped above)
const PROHIBITED =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- a table of code points
  /[\u0000-\u001f\u007f-\u009f\u06dd\u070f\u180e\u200c\u200d\u200e\u200f\u2028-\u202e\u2060-\u2063\u206a-\u206f\ufeff\ufff9-\ufffd\ue000-\uf8ff\ufdd0-\ufdef\u{1d173}-\u{1d17a}\u{e0001}\u{e0020}-\u{e007f}\u{f0000}-\u{ffffd}\u{100000}-\u{10fffd}\u{1fffe}\u{1ffff}\u{2fffe}\u{2ffff}\u{3fffe}\u{3ffff}\u{4fffe}\u{4ffff}\u{5fffe}\u{5ffff}\u{6fffe}\u{6ffff}\u{7fffe}\u{7ffff}\u{8fffe}\u{8ffff}\u{9fffe}\u{9ffff}\u{afffe}\u{affff}\u{bfffe}\u{bffff}\u{cfffe}\u{cffff}\u{dfffe}\u{dffff}\u{efffe}\u{effff}\ud800-\udfff]/u;

// RFC 3454 D.1 (RandALCat) approximated by the Hebrew and Arabic blocks and presentation forms.
const RAND_AL_CAT = /[\u05be\u05c0\u05c3\u05d0-\u05f4\u0608\u060b\u060d\u061b-\u064a\u066d-\u066f\u0671-\u06d5\u06e5\u06e6\u06ee\u06ef\u06fa-\u0710\u0712-\u072f\u074d-\u07a5\u07b1\u07c0-\u07ea\ufb1d-\ufdfd\ufe70-\ufefc]/u;
const L_CAT = /\p{L}/u;

/** RFC 3454 section 6: a string with right-to-left characters must be entirely so and start and end with one. */
function bidiOk(s: string): boolean {
  if (!RAND_AL_CAT.test(s)) return true;
  const chars = [...s];
  if (chars.some((c) => L_CAT.test(c) && !RAND_AL_CAT.test(c))) return false;
  return RAND_AL_CAT.test(chars[0] ?? '') && RAND_AL_CAT.test(chars[chars.length - 1] ?? '');
}
