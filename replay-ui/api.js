// The API client: the token lives in sessionStorage (gone when the tab closes) and goes out only
// as a bearer header to this origin.

const KEY = 'tollgate.token';

export const token = {
  get: () => window.sessionStorage.getItem(KEY),
  set: (value) => window.sessionStorage.setItem(KEY, value.trim()),
  clear: () => window.sessionStorage.removeItem(KEY),
};

/** An API failure carrying the HTTP status and the server's { error: { code, message } }. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthenticated = () => {};
/** Called on 401 so the app can show the sign-in form. */
export function whenUnauthenticated(handler) {
  onUnauthenticated = handler;
}

/** Fetches path with the bearer token; resolves the Response (for casts) or throws ApiError. */
export async function request(path, options = {}) {
  const headers = { ...(options.headers ?? {}) };
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  const res = await fetch(path, { ...options, headers, credentials: 'omit', cache: 'no-store' });
  if (res.ok) return res;
  let code = 'TG_ERR_HTTP';
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not JSON: keep the status line
  }
  // 403: the token is valid but its roles grant no audit; another token is the only way forward.
  if (res.status === 401 || res.status === 403) onUnauthenticated(message);
  throw new ApiError(res.status, code, message);
}

/** GET path with query parameters (undefined/empty values left out), parsed as JSON. */
export async function getJson(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const q = qs.toString();
  return (await request(q ? `${path}?${q}` : path)).json();
}

/** POST a JSON body, parsed JSON back. */
export async function postJson(path, body) {
  return (await request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) })).json();
}
