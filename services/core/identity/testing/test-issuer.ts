import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** A signing key with its public JWK, for building tokens in tests. */
export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Generates an ES256 or RS256 key pair with the given kid. */
export async function makeKey(kid: string, alg: 'ES256' | 'RS256' = 'ES256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/**
 * Signs claims with key without any validation (jose's SignJWT refuses malformed claims), so tests
 * can build exactly the hostile tokens an attacker would; header fields may be overridden.
 */
export async function sign(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const alg = typeof key.publicJwk.alg === 'string' ? key.publicJwk.alg : 'ES256';
  const input = `${b64url({ alg, kid: key.kid, typ: 'JWT', ...header })}.${b64url(claims)}`;
  const params = alg === 'RS256' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-256' };
  const sig = await webcrypto.subtle.sign(params, key.privateKey, Buffer.from(input));
  return `${input}.${Buffer.from(sig).toString('base64url')}`;
}

export const b64url = (value: string | Buffer | object): string =>
  Buffer.from(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value)).toString('base64url');

/**
 * A real HTTP issuer on 127.0.0.1 serving OIDC discovery and a JWKS, counting requests so tests
 * can assert how often the verifier fetched keys.
 */
export class TestIssuerServer {
  keys: JWK[] = [];
  jwksHits = 0;
  discoveryHits = 0;
  /** Overrides the discovery document's issuer (to test mismatches). */
  discoveryIssuer: string | undefined;
  /** When set, the JWKS endpoint answers with this status and no keys. */
  failStatus: number | undefined;
  private server: Server | undefined;
  private base = '';

  /** The issuer URL (http://127.0.0.1:PORT). */
  get issuer(): string {
    return this.base;
  }

  get jwksUri(): string {
    return `${this.base}/jwks`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        this.discoveryHits++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer: this.discoveryIssuer ?? this.base, jwks_uri: this.jwksUri }));
      } else if (req.url === '/jwks') {
        this.jwksHits++;
        if (this.failStatus !== undefined) {
          res.statusCode = this.failStatus;
          res.end();
          return;
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: this.keys }));
      } else if (req.url === '/huge') {
        res.setHeader('content-type', 'application/json');
        res.end(`{"keys":[],"pad":"${'x'.repeat(600 * 1024)}"}`);
      } else if (req.url === '/redirect') {
        res.statusCode = 302;
        res.setHeader('location', '/jwks');
        res.end();
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }
}
