// DOM building without innerHTML: every piece of recorded data (attacker-controlled: statements,
// terminal output, identity claims) becomes a Text node, never markup.

/** Creates an element; props set attributes/listeners, children are nodes or text. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nested arrays allowed) as nodes or text. */
export function append(node, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces everything inside node. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A local, readable time for an ISO string (title carries the exact UTC value). */
export function time(iso) {
  if (!iso) return el('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  return el('time', { datetime: iso, title: iso }, d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }));
}

/** Seconds as m:ss.s */
export function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = (seconds - m * 60).toFixed(1).padStart(4, '0');
  return `${m}:${s}`;
}

/** A status line for errors and progress; role=status so screen readers announce it. */
export function notice(text, kind = 'info') {
  return el('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Link to a session, optionally at a moment (seconds from its start). */
export function sessionHref(id, at) {
  return `#/session/${encodeURIComponent(id)}${at === undefined || at === null ? '' : `?t=${encodeURIComponent(String(at))}`}`;
}
