// The terminal player: asciinema-player on the API's segmented recording (index + segments, each
// segment carrying the screen snapshot at its start), so a long recording never loads whole and a
// seek fetches one segment. The marker list seeks on click.
import { create } from '/vendor/asciinema-player/index.js';
import { token } from './api.js';
import { clock, el, notice, replace } from './elements.js';

/** Mounts the player for session id at `startAt` seconds; returns a cleanup function. */
export async function mountPlayer(container, id, markers, startAt) {
  const status = el('p', { class: 'muted', role: 'status' });
  const host = el('div', { class: 'player-host', id: 'player' });
  const list = el('ol', { class: 'markers', 'aria-label': 'Markers' });
  replace(container, el('div', { class: 'player-layout' }, el('div', {}, host, status), el('aside', {}, el('h2', {}, 'Markers'), list)));

  const player = create({
    url: `/api/sessions/${encodeURIComponent(id)}/recording`,
    format: 'segmented',
    fetchOpts: { headers: { authorization: `Bearer ${token.get()}` }, credentials: 'omit', cache: 'no-store' },
  }, host, { fit: 'width', startAt, autoPlay: startAt > 0, pauseOnMarkers: false, terminalFontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace' });
  player.addEventListener('error', () => replace(status, notice('The recording could not be loaded (see the browser console).', 'error')));

  /** Seeks to t seconds from the session start and plays. */
  async function seek(t) {
    await player.seek(t);
    void player.play();
    for (const li of list.children) li.toggleAttribute('aria-current', Number(li.dataset.t) === t);
    replace(status, `At ${clock(t)}`);
  }

  markers.forEach((m) => {
    const button = el('button', { type: 'button', class: `marker ${m.kind}`, onclick: () => void seek(m.offsetSec) },
      el('span', { class: 'at' }, clock(m.offsetSec)), ' ', el('span', { class: 'kind' }, m.kind), ' ', m.label);
    list.append(el('li', { dataset: { t: String(m.offsetSec) }, 'data-row': true, tabindex: -1 }, button));
  });
  if (markers.length === 0) list.append(el('li', { class: 'muted' }, 'No commands, blocks or alerts recorded.'));

  const onMarkerKey = (e) => {
    const now = player.getCurrentTime() ?? 0;
    const times = markers.map((m) => m.offsetSec);
    const target = e.detail > 0 ? times.find((t) => t > now + 0.05) : [...times].reverse().find((t) => t < now - 0.5);
    if (target !== undefined) void seek(target);
  };
  document.addEventListener('tollgate:marker', onMarkerKey);
  return () => {
    document.removeEventListener('tollgate:marker', onMarkerKey);
    player.dispose();
  };
}
