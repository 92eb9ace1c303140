import { TollgateError } from '../errors.js';
import { printable } from './token-inspect.js';

/** Fetches a JSON document from an issuer; injected so the key sources can be tested. */
export type FetchJson = (url: string, options: FetchJsonOptions) => Promise<unknown>;

export interface FetchJsonOptions {
  timeoutMs: number;
  allowInsecureHttp: boolean;
}

/** Discovery documents and key sets are small; a bigger answer is a misconfiguration or an attack. */
const MAX_BODY_BYTES = 512 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Refuses anything but https (or http to loopback, or when explicitly allowed). */
export function checkKeyUrl(raw: string, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `issuer key URL "${printable(raw, 200)}" is not a valid URL`, { cause: err });
  }
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && (allowInsecureHttp || LOOPBACK.has(url.hostname)));
  if (!ok) {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `issuer key URL ${url.origin} must use https (set allowInsecureHttp on the issuer to permit http)`);
  }
  return url;
}

/** GET a JSON document with a timeout, no redirects and a body size cap. */
export const fetchJson: FetchJson = async (raw, options) => {
  const url = checkKeyUrl(raw, options.allowInsecureHttp);
  let res: Response;
  try {
    // Redirects are refused: a key set must come from the URL that was configured or discovered.
    res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const why = timedOut ? `timed out after ${options.timeoutMs} ms` : (err as Error).message;
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `fetching ${url.href} failed: ${why}`, { cause: err, context: { url: url.href } });
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `fetching ${url.href} returned HTTP ${res.status}, expected 200`, { context: { url: url.href, status: res.status } });
  }
  const text = await readCapped(res, url.href);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `${url.href} did not return JSON`, { cause: err, context: { url: url.href } });
  }
};

async function readCapped(res: Response, href: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) {
    await res.body?.cancel();
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `${href} answered ${declared} bytes; the limit is ${MAX_BODY_BYTES}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body === null) return '';
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    // Leaving the loop early cancels the stream, so a huge body is not read to its end.
    if (total > MAX_BODY_BYTES) throw new TollgateError('TG_ERR_AUTH_ISSUER', `${href} answered more than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
