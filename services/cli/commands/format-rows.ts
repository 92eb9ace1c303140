export type OutputFormat = 'table' | 'json' | 'csv';

/** Renders query rows for a terminal (aligned table), a pipe (JSON lines) or a spreadsheet (CSV). */
export function formatRows(rows: readonly Record<string, unknown>[], format: OutputFormat): string {
  if (format === 'json') return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
  const columns = rows.length > 0 ? Object.keys(rows[0] ?? {}) : [];
  if (format === 'csv') {
    return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
  }
  if (rows.length === 0) return '(no rows)\n';
  const cells = rows.map((r) => columns.map((c) => cellText(r[c])));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length))));
  const line = (values: string[]) => values.map((v, i) => clip(v, widths[i] ?? 0).padEnd(widths[i] ?? 0)).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const count = `(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  return [line(columns), rule, ...cells.map(line), count].join('\n') + '\n';
}

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString();
  return JSON.stringify(v) ?? '';
}

function cellText(v: unknown): string {
  // Control characters from recorded payloads must not drive the reader's terminal.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return scalarText(v).replace(/[\x00-\x1f\x7f]/g, (ch) => (ch === '\n' ? '\\n' : '\uFFFD'));
}

function clip(v: string, width: number): string {
  return v.length <= width ? v : `${v.slice(0, Math.max(0, width - 1))}…`;
}

function csvCell(v: unknown): string {
  const text = scalarText(v);
  // A leading =, +, - or @ makes spreadsheets evaluate the cell: neutralise formula injection.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
