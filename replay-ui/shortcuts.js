// Keyboard shortcuts. Keys typed into fields are left alone.

const typing = (t) => t instanceof window.HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

/** Moves the row selection in the current list (rows carry data-row) and returns the selected row. */
function moveSelection(step) {
  const rows = [...document.querySelectorAll('[data-row]')];
  if (rows.length === 0) return;
  const current = rows.indexOf(document.activeElement?.closest('[data-row]'));
  const next = rows[Math.max(0, Math.min(rows.length - 1, current + step))];
  next?.focus();
}

/** Installs global shortcuts: g-prefixed navigation, / to search, j/k rows, ? help. */
export function installShortcuts(help) {
  let pendingG = false;
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (pendingG) {
      pendingG = false;
      const target = { s: '#/sessions', a: '#/alerts', q: '#/sql' }[e.key];
      if (target) {
        location.hash = target;
        e.preventDefault();
      }
      return;
    }
    switch (e.key) {
      case 'g': pendingG = true; setTimeout(() => (pendingG = false), 1500); break;
      case '/': document.querySelector('[data-search]')?.focus(); e.preventDefault(); break;
      case 'j': moveSelection(1); break;
      case 'k': moveSelection(-1); break;
      case '?': help.showModal(); break;
      case '[': document.dispatchEvent(new window.CustomEvent('tollgate:marker', { detail: -1 })); break;
      case ']': document.dispatchEvent(new window.CustomEvent('tollgate:marker', { detail: 1 })); break;
      default: return;
    }
  });
}
