// The query timeline of a database session: statement, start, duration, rows, outcome, decisions,
// and the masked preview of the rows the client received.
import { getJson } from './api.js';
import { clock, el, replace } from './elements.js';

/** Renders the timeline; `at` (seconds from session start) scrolls to the statement at that moment. */
export async function renderTimeline(container, id, markers, at, sessionStartUs) {
  const { queries } = await getJson(`/api/sessions/${encodeURIComponent(id)}/queries`, { limit: 1000 });
  const start = sessionStartUs ?? queries[0]?.startedUs;
  const rows = queries.map((q) => {
    const decisions = q.decisions.map((d) => el('li', { class: `decision ${d.action.toLowerCase()}` }, `${d.action} ${d.rule}${d.reason ? `: ${d.reason}` : ''}`));
    const preview = q.preview && q.preview.columns.length > 0
      ? el('details', {}, el('summary', {}, `Preview (${q.preview.rows.length} of ${q.rows} rows, masked)`),
        el('table', { class: 'preview' }, el('thead', {}, el('tr', {}, q.preview.columns.map((c) => el('th', {}, c)))),
          el('tbody', {}, q.preview.rows.map((r) => el('tr', {}, r.map((v) => el('td', { class: v === null ? 'null' : '' }, v ?? 'NULL')))))))
      : null;
    return el('li', { class: `query ${q.outcome}`, 'data-row': true, tabindex: 0, dataset: { seq: String(q.seq), us: String(q.startedUs) } },
      el('div', { class: 'q-head' },
        el('span', { class: 'at mono' }, start === undefined ? '' : `+${clock((q.startedUs - start) / 1e6)}`),
        el('span', { class: `badge ${q.outcome}` }, q.outcome),
        el('span', {}, `${q.durationMs.toFixed(1)} ms`),
        el('span', {}, `${q.rows} rows`),
        q.masking.length > 0 ? el('span', { class: 'badge masked' }, `masked: ${q.masking.join(', ')}`) : null),
      el('pre', { class: 'statement' }, q.statement),
      q.error ? el('p', { class: 'error-text' }, q.error) : null,
      decisions.length > 0 ? el('ul', { class: 'decisions' }, decisions) : null,
      preview);
  });
  const alertList = markers.filter((m) => m.kind === 'alert').map((m) => el('li', { class: 'alert-row' }, `${clock(m.offsetSec)} ${m.label}`));
  replace(container,
    el('h2', {}, `Query timeline (${queries.length})`),
    alertList.length > 0 ? el('ul', { class: 'alerts-inline' }, alertList) : null,
    rows.length > 0 ? el('ol', { class: 'timeline' }, rows) : el('p', { class: 'muted' }, 'No statements recorded.'));
  if (at !== undefined && start !== undefined) {
    const target = rows.filter((r) => (Number(r.dataset.us) - start) / 1e6 <= at + 0.001).pop() ?? rows[0];
    target?.classList.add('focused');
    target?.scrollIntoView({ block: 'center' });
    target?.focus();
  }
  return () => {};
}
