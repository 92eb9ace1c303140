/**
 * Rows a CommandComplete tag reports: "SELECT 5", "INSERT 0 3", "UPDATE 2", "COPY 10", "FETCH 1",
 * "MOVE 4", "MERGE 1"; tags without a count ("CREATE TABLE", "BEGIN") report 0.
 */
export function rowsOfTag(tag: string): number {
  const space = tag.lastIndexOf(' ');
  if (space < 0) return 0;
  const word = tag.slice(0, tag.indexOf(' '));
  if (!COUNTED.has(word)) return 0;
  const n = Number(tag.slice(space + 1));
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

const COUNTED = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'COPY', 'FETCH', 'MOVE', 'MERGE']);
