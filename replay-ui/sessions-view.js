// Session list with filters; rows open the session page.
import { getJson } from './api.js';
import { el, notice, replace, sessionHref, time } from './elements.js';

const FIELDS = [
  ['subject', 'Identity', 'text'],
  ['connection', 'Connection', 'text'],
  ['text', 'Statement or command contains', 'search'],
  ['from', 'From', 'datetime-local'],
  ['to', 'To', 'datetime-local'],
];

/** Renders the session search page; filters live in the URL so results can be shared. */
export async function renderSessions(main, params) {
  const inputs = {};
  const form = el('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); location.hash = `#/sessions?${toQuery(inputs)}`; } },
    FIELDS.map(([name, label, type]) => el('label', {}, label, (inputs[name] = el('input', { name, type, value: inputValue(type, params.get(name)), ...(name === 'text' ? { 'data-search': true } : {}) })))),
    el('label', {}, 'Protocol', (inputs.protocol = el('select', { name: 'protocol' }, ['', 'postgres', 'ssh', 'kubernetes', 'mysql'].map((p) => el('option', { value: p, selected: params.get('protocol') === p }, p || 'any'))))),
    el('label', { class: 'check' }, (inputs.hasAlerts = el('input', { type: 'checkbox', name: 'hasAlerts', checked: params.get('hasAlerts') === 'true' })), 'Has alerts'),
    el('button', { type: 'submit' }, 'Search'));
  const results = el('div', { class: 'results' });
  replace(main, el('h1', {}, 'Sessions'), form, results);
  await loadPage(results, params, undefined);
  return () => {};
}

/** URL values are ISO (UTC); datetime-local inputs want local "YYYY-MM-DDTHH:mm". */
function inputValue(type, value) {
  if (!value) return '';
  if (type !== 'datetime-local') return value;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function toQuery(inputs) {
  const q = new URLSearchParams();
  for (const [name, input] of Object.entries(inputs)) {
    if (input.type === 'checkbox') { if (input.checked) q.set(name, 'true'); }
    else if (input.value) q.set(name, input.type === 'datetime-local' ? new Date(input.value).toISOString() : input.value);
  }
  return q.toString();
}

async function loadPage(results, params, cursor) {
  const query = Object.fromEntries(params);
  if (query.from && !query.from.endsWith('Z')) query.from = new Date(query.from).toISOString();
  if (query.to && !query.to.endsWith('Z')) query.to = new Date(query.to).toISOString();
  const page = await getJson('/api/sessions', { ...query, limit: 50, cursor });
  if (page.sessions.length === 0 && cursor === undefined) {
    replace(results, notice('No sessions match. Recorded sessions appear here once ingest has stored them.'));
    return;
  }
  let tbody = results.querySelector('tbody');
  if (!tbody) {
    tbody = el('tbody');
    replace(results, el('table', { class: 'grid' },
      el('thead', {}, el('tr', {}, ['Started', 'Identity', 'Connection', 'Protocol', 'Frames', 'Queries', 'Commands', 'Blocked', 'Alerts', 'Outcome'].map((h) => el('th', { scope: 'col' }, h)))),
      tbody));
  }
  for (const s of page.sessions) {
    const open = () => { location.hash = sessionHref(s.id); };
    tbody.append(el('tr', { tabindex: 0, 'data-row': true, class: s.alerts > 0 ? 'has-alerts' : '', onclick: open, onkeydown: (e) => { if (e.key === 'Enter') open(); } },
      el('td', {}, el('a', { href: sessionHref(s.id), tabindex: -1 }, time(s.startedAt))),
      el('td', { class: 'mono' }, s.subject), el('td', {}, s.connection), el('td', {}, s.protocol),
      el('td', { class: 'num' }, s.frames), el('td', { class: 'num' }, s.queries), el('td', { class: 'num' }, s.commands),
      el('td', { class: s.blocked > 0 ? 'num warn' : 'num' }, s.blocked), el('td', { class: s.alerts > 0 ? 'num bad' : 'num' }, s.alerts),
      el('td', {}, s.outcome || (s.endedAt ? '' : 'live'))));
  }
  results.querySelector('.more')?.remove();
  if (page.nextCursor) {
    results.append(el('button', { class: 'more', type: 'button', onclick: () => void loadPage(results, params, page.nextCursor) }, 'Older sessions'));
  }
}
