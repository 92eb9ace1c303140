import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { TollgateError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

export interface ListenerTls {
  readonly context: SecureContext;
  /** Plaintext clients are refused. */
  readonly required: boolean;
  /** Where the certificate came from, for the banner. */
  readonly source: string;
}

interface TlsConfig {
  readonly certPath: string;
  readonly keyPath: string;
  readonly mode: 'required' | 'optional';
}

/**
 * The listener's TLS: the configured certificate, else a self-signed development certificate kept
 * in `<dataDir>/postgres-tls` (made once with openssl; TLS stays optional then, since no client
 * can verify it). Without openssl the listener offers no TLS and says so in the log.
 */
export function listenerTls(tls: TlsConfig | undefined, dataDir: string, logger: Logger): ListenerTls | undefined {
  if (tls !== undefined) {
    try {
      const context = createSecureContext({ cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath), minVersion: 'TLSv1.2' });
      return { context, required: tls.mode === 'required', source: tls.certPath };
    } catch (err) {
      throw new TollgateError('TG_ERR_CONFIG', `listeners.postgres.tls: cannot load ${tls.certPath} / ${tls.keyPath}: ${(err as Error).message}`, { cause: err });
    }
  }
  const dir = join(dataDir, 'postgres-tls');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    if (!existsSync(cert) || !existsSync(key)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '825',
        '-subj', '/CN=tollgate-dev', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', key, '-out', cert,
      ], { stdio: 'ignore' });
    }
    const context = createSecureContext({ cert: readFileSync(cert), key: readFileSync(key), minVersion: 'TLSv1.2' });
    return { context, required: false, source: `${cert} (self-signed, development)` };
  } catch (err) {
    logger.warn({ err }, 'postgres listener: no TLS configured and no development certificate could be made (openssl missing?); TLS is not offered');
    return undefined;
  }
}
