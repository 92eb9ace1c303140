// SQL console: one read-only statement at a time, results as a table, CSV export.
import { postJson } from './api.js';
import { el, notice, replace } from './elements.js';
import { toCsv } from './csv.js';

const EXAMPLE = `SELECT subject, count() AS sessions, sum(blocked) AS blocked
FROM sessions FINAL
WHERE started_at > now() - INTERVAL 7 DAY
GROUP BY subject ORDER BY sessions DESC`;

/** Renders the console. */
export async function renderSql(main) {
  const editor = el('textarea', { id: 'sql', rows: 8, spellcheck: 'false', 'data-search': true, 'aria-describedby': 'sql-help' });
  editor.value = window.sessionStorage.getItem('tollgate.sql') ?? EXAMPLE;
  const out = el('div', { class: 'results', 'aria-live': 'polite' });
  const exportButton = el('button', { type: 'button', disabled: true }, 'Export CSV');
  let last;

  async function run() {
    window.sessionStorage.setItem('tollgate.sql', editor.value);
    replace(out, notice('Running…'));
    exportButton.disabled = true;
    try {
      last = await postJson('/api/sql', { sql: editor.value });
      exportButton.disabled = false;
      replace(out,
        el('p', { class: 'muted' }, `${last.rowCount} rows (limit ${last.limits.maxResultRows}, ${last.limits.maxExecutionSeconds} s)`),
        el('div', { class: 'scroll' }, el('table', { class: 'grid' },
          el('thead', {}, el('tr', {}, last.columns.map((c) => el('th', { scope: 'col' }, c)))),
          el('tbody', {}, last.rows.map((r) => el('tr', {}, r.map((v) => el('td', { class: v === null ? 'null' : '' }, v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v)))))))));
    } catch (err) {
      replace(out, notice(err.message, 'error'));
    }
  }

  exportButton.addEventListener('click', () => {
    if (!last) return;
    const url = URL.createObjectURL(new Blob([toCsv(last.columns, last.rows)], { type: 'text/csv;charset=utf-8' }));
    const a = el('a', { href: url, download: `tollgate-query-${new Date().toISOString().replace(/[:.]/g, '-')}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run();
    }
  });
  replace(main,
    el('h1', {}, 'SQL console'),
    el('p', { id: 'sql-help', class: 'muted' }, 'Read-only: one SELECT, WITH, SHOW, DESCRIBE, EXPLAIN or EXISTS statement. Tables: sessions (FINAL), frames, queries, commands, alerts. Ctrl+Enter runs. Every query is recorded.'),
    el('label', { for: 'sql' }, 'Query'), editor,
    el('div', { class: 'actions' }, el('button', { type: 'button', id: 'run', onclick: () => void run() }, 'Run'), exportButton),
    out);
  editor.focus();
  return () => {};
}
