// Entry point: hash router, sign-in, keyboard shortcuts. Views render into <main>.
import { getJson, token, whenUnauthenticated } from './api.js';
import { el, notice, replace } from './elements.js';
import { renderAlerts } from './alerts-view.js';
import { renderSession } from './session-view.js';
import { renderSessions } from './sessions-view.js';
import { renderSql } from './sql-view.js';
import { installShortcuts } from './shortcuts.js';

const main = document.getElementById('main');
let cleanup = () => {};

function signIn(message) {
  cleanup();
  cleanup = () => {};
  const area = el('textarea', { id: 'token', rows: 5, required: true, spellcheck: 'false', autocomplete: 'off', placeholder: 'eyJhbGciOi…' });
  const form = el('form', { class: 'card signin', onsubmit: (e) => { e.preventDefault(); token.set(area.value); void route(); } },
    el('h1', {}, 'Sign in'),
    el('p', {}, 'Paste an identity token (JWT) for a role that grants audit. It is kept in this tab only (sessionStorage) and sent as a bearer token.'),
    el('p', { class: 'muted' }, 'Development: npm run tollgate -- token --sub you --groups auditors'),
    message ? notice(message, 'error') : null,
    el('label', { for: 'token' }, 'Token'), area,
    el('button', { type: 'submit' }, 'Sign in'));
  replace(main, form);
  area.focus();
}

function parseHash() {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const parts = (path || '/sessions').split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query ?? '') };
}

async function route() {
  if (!token.get()) return signIn();
  cleanup();
  cleanup = () => {};
  const { parts, params } = parseHash();
  const view = parts[0] ?? 'sessions';
  for (const a of document.querySelectorAll('[data-nav]')) a.toggleAttribute('aria-current', a.dataset.nav === view || (view === 'session' && a.dataset.nav === 'sessions'));
  replace(main, notice('Loading…'));
  try {
    if (view === 'session' && parts[1]) cleanup = await renderSession(main, parts[1], params);
    else if (view === 'alerts') cleanup = await renderAlerts(main, params);
    else if (view === 'sql') cleanup = await renderSql(main);
    else cleanup = await renderSessions(main, params);
    document.title = `tollgate replay: ${view}`;
  } catch (err) {
    if (err.status === 401 || err.status === 403) return;
    replace(main, notice(err.message, 'error'));
  }
}

whenUnauthenticated((message) => {
  token.clear();
  signIn(message);
});
document.getElementById('logout').addEventListener('click', () => {
  token.clear();
  signIn('Signed out.');
});
window.addEventListener('hashchange', () => void route());
installShortcuts(document.getElementById('help'));
void route();
void getJson('/healthz').catch(() => {});
