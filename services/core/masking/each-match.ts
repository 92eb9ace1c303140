/**
 * Calls `fn` for each match of a global regex; `fn` returns true to stop. Used instead of
 * String#matchAll, which clones the regex on every call: several times the cost of the scan
 * itself on the short values a DataRow carries.
 */
export function eachMatch(re: RegExp, text: string, fn: (m: RegExpExecArray) => boolean | void): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) re.lastIndex++;
    if (fn(m) === true) break;
  }
  re.lastIndex = 0;
}
