// Alerts: a filtered list plus new alerts live over server-sent events. Each entry opens its
// session at the moment of the alert.
import { getJson, postJson } from './api.js';
import { el, notice, replace, sessionHref, time } from './elements.js';

const SEVERITIES = ['', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];

function alertRow(a) {
  const href = a.sessionId ? sessionHref(a.sessionId, a.offsetSec ?? 0) : undefined;
  const open = () => { if (href) location.hash = href; };
  return el('tr', { tabindex: 0, 'data-row': true, class: `sev-${a.severity.toLowerCase()}`, onclick: open, onkeydown: (e) => { if (e.key === 'Enter') open(); } },
    el('td', {}, time(a.at)),
    el('td', {}, el('span', { class: `badge sev-${a.severity.toLowerCase()}` }, a.severity)),
    el('td', {}, href ? el('a', { href, tabindex: -1 }, a.title) : a.title),
    el('td', { class: 'mono' }, a.rule), el('td', { class: 'mono' }, a.subject),
    el('td', { class: 'mono' }, a.sessionId || '—'));
}

/** Renders the alerts page and opens the live stream; returns a cleanup that closes it. */
export async function renderAlerts(main, params) {
  const severity = el('select', { name: 'severity', 'data-search': true, onchange: () => { location.hash = `#/alerts${severity.value ? `?severity=${severity.value}` : ''}`; } },
    SEVERITIES.map((s) => el('option', { value: s, selected: (params.get('severity') ?? '') === s }, s || 'any severity')));
  const live = el('span', { class: 'live', role: 'status' }, 'connecting…');
  const tbody = el('tbody');
  const { alerts } = await getJson('/api/alerts', { severity: params.get('severity') ?? undefined, limit: 200 });
  replace(main,
    el('h1', {}, 'Alerts'),
    el('div', { class: 'filters' }, el('label', {}, 'Severity', severity), live),
    alerts.length === 0 ? notice('No alerts yet. New ones appear here as they are raised.') : null,
    el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, ['When', 'Severity', 'Alert', 'Rule', 'Identity', 'Session'].map((h) => el('th', { scope: 'col' }, h)))), tbody));
  for (const a of alerts) tbody.append(alertRow(a));

  let source;
  let closed = false;
  async function connect() {
    if (closed) return;
    try {
      // EventSource cannot send the bearer header: trade it for a 60-second ticket for this stream.
      const { ticket } = await postJson('/api/stream-tickets', {});
      source = new EventSource(`/api/alerts/stream?ticket=${encodeURIComponent(ticket)}`);
      source.addEventListener('open', () => replace(live, '● live'));
      source.addEventListener('alert', (e) => {
        const a = JSON.parse(e.data);
        if (!params.get('severity') || params.get('severity') === a.severity) tbody.prepend(alertRow(a));
      });
      source.addEventListener('error', () => {
        source.close();
        replace(live, 'reconnecting…');
        setTimeout(() => void connect(), 3000);
      });
    } catch (err) {
      replace(live, `live updates unavailable: ${err.message}`);
    }
  }
  void connect();
  return () => {
    closed = true;
    source?.close();
  };
}
