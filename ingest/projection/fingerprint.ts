import { fingerprintSync, loadModule } from 'libpg-query';

let ready: Promise<void> | undefined;
let loaded = false;
const cache = new Map<string, string>();
const CACHE_LIMIT = 10_000;

/** Loads the PostgreSQL parser (WASM) once; projections call fingerprintOf only after it resolved. */
export function loadFingerprinter(): Promise<void> {
  ready ??= loadModule().then(() => {
    loaded = true;
  });
  return ready;
}

/**
 * PostgreSQL's query fingerprint (constants and lists folded), so "the same statement with other
 * values" groups together. Text the parser refuses (truncated, masked into invalid SQL, not SQL)
 * gets an empty fingerprint. Cached: applications repeat a few statement texts.
 */
export function fingerprintOf(sql: string): string {
  if (!loaded || sql === '') return '';
  const hit = cache.get(sql);
  if (hit !== undefined) return hit;
  let fp = '';
  try {
    fp = fingerprintSync(sql);
  } catch {
    fp = '';
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(sql, fp);
  return fp;
}
