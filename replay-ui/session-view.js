// One session: who/what/when, then the terminal player with markers or the query timeline.
import { getJson } from './api.js';
import { el, replace, time } from './elements.js';
import { mountPlayer } from './player-view.js';
import { renderTimeline } from './timeline-view.js';

const TERMINAL = new Set(['SSH', 'KUBERNETES']);

/** Renders the session page; `t` in params opens the recording at that moment (seconds). */
export async function renderSession(main, id, params) {
  const { session: s, markers } = await getJson(`/api/sessions/${encodeURIComponent(id)}`);
  const facts = [
    ['Identity', s.subject], ['Issuer', s.issuer], ['Connection', s.connection], ['Protocol', s.protocol],
    ['Target', `${s.targetUser}@${s.targetHost}:${s.targetPort}${s.targetDatabase ? `/${s.targetDatabase}` : ''}`],
    ['Client', s.clientAddress], ['Started', time(s.startedAt)], ['Ended', time(s.endedAt)],
    ['Outcome', `${s.outcome || 'live'}${s.endReason ? ` (${s.endReason})` : ''}`],
    ['Counts', `${s.frames} frames, ${s.queries} queries, ${s.commands} commands, ${s.blocked} blocked, ${s.alerts} alerts`],
  ];
  const body = el('section', { class: 'session-body' });
  replace(main,
    el('p', { class: 'crumbs' }, el('a', { href: '#/sessions' }, '← Sessions')),
    el('h1', {}, 'Session ', el('span', { class: 'mono' }, s.id)),
    el('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    body);
  const at = Number(params.get('t'));
  if (TERMINAL.has(s.protocol)) return mountPlayer(body, s.id, markers, Number.isFinite(at) && at > 0 ? at : 0);
  return renderTimeline(body, s.id, markers, params.has('t') && Number.isFinite(at) ? at : undefined, s.startedUs);
}
