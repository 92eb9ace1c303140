// CSV export that spreadsheets cannot execute: a cell starting with = + - @ (or a tab or carriage
// return) would be read as a formula (CSV injection), so it is prefixed with a single quote.

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell, neutralised and quoted per RFC 4180. */
export function csvCell(value) {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Columns and rows to CSV text (CRLF line ends). */
export function toCsv(columns, rows) {
  return [columns, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
