import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { Clock } from '../clock.js';
import { TollgateError } from '../errors.js';
import type { IssuerSettings } from './types.js';

/** The dev issuer's iss claim; never a real URL, so it cannot collide with a production issuer. */
export const DEV_ISSUER = 'tollgate-dev';
const ALG = 'ES256';
const KEY_FILE = 'signing-key.jwk.json';
/** Claims the issuer sets itself; extra claims may not override them. */
const RESERVED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'groups']);

export interface DevIssuerOptions {
  /** Folder holding the private key (created 0700; the key file is 0600). */
  dir: string;
  clock: Clock;
  audience?: string;
  /** Upper bound on minted token lifetimes. Default 12 h. */
  maxTtlMs?: number;
}

export interface MintRequest {
  subject: string;
  groups?: readonly string[];
  claims?: Readonly<Record<string, unknown>>;
  ttlMs: number;
  audience?: string;
}

/** A local issuer for development and `tollgate token`: one ES256 key kept in the data directory. */
export class DevIssuer {
  private constructor(
    private readonly privateKey: CryptoKey | Uint8Array,
    private readonly publicJwk: JWK,
    private readonly options: DevIssuerOptions,
  ) {}

  /** Loads the key from dir, creating it on first use. */
  static async open(options: DevIssuerOptions): Promise<DevIssuer> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    await checkKeyDir(options.dir);
    const file = join(options.dir, KEY_FILE);
    const jwk = (await readKey(file)) ?? (await createKey(file));
    const { d: _private, ...publicJwk } = jwk;
    const key = await importJWK(jwk, ALG);
    return new DevIssuer(key, { ...publicJwk, use: 'sig', alg: ALG }, options);
  }

  get audience(): string {
    return this.options.audience ?? 'tollgate';
  }

  /** Public keys only, as published to verifiers. */
  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** Verifier settings trusting this issuer through a static key set. */
  issuerSettings(clockSkewMs = 30_000): IssuerSettings {
    return {
      issuer: DEV_ISSUER,
      audiences: [this.audience],
      algorithms: [ALG],
      keys: { kind: 'static', jwks: this.jwks() },
      groupsClaim: 'groups',
      requiredClaims: {},
      maxTokenLifetimeMs: this.maxTtlMs,
      clockSkewMs,
      allowInsecureHttp: false,
      fetchTimeoutMs: 0,
      refetchCooldownMs: 0,
      jwksMaxAgeMs: 0,
    };
  }

  /** Signs a token for subject with the given groups, extra claims and lifetime. */
  async mint(req: MintRequest): Promise<string> {
    if (req.subject === '') throw new TollgateError('TG_ERR_CONFIG', 'a token needs a subject (--sub)');
    if (!(req.ttlMs > 0) || req.ttlMs > this.maxTtlMs) {
      throw new TollgateError('TG_ERR_CONFIG', `token lifetime must be between 1 s and ${this.maxTtlMs / 1000} s`);
    }
    const reserved = Object.keys(req.claims ?? {}).filter((k) => RESERVED.has(k));
    if (reserved.length > 0) throw new TollgateError('TG_ERR_CONFIG', `claims ${reserved.join(', ')} are set by the issuer and cannot be overridden`);
    const now = Math.floor(this.options.clock.nowMs() / 1000);
    return new SignJWT({ ...req.claims, groups: [...(req.groups ?? [])] })
      .setProtectedHeader({ alg: ALG, kid: this.publicJwk.kid ?? '', typ: 'JWT' })
      .setIssuer(DEV_ISSUER)
      .setSubject(req.subject)
      .setAudience(req.audience ?? this.audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + Math.ceil(req.ttlMs / 1000))
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  private get maxTtlMs(): number {
    return this.options.maxTtlMs ?? 12 * 3_600_000;
  }
}

/**
 * Whoever can write to the key's folder can swap in a key of their own and mint any identity, so
 * (like sshd with authorized_keys) the folder must not be writable by group or others.
 */
async function checkKeyDir(dir: string): Promise<void> {
  const mode = (await stat(dir)).mode;
  if (process.platform !== 'win32' && (mode & 0o022) !== 0) {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `dev issuer folder ${dir} is writable by other users; run: chmod 700 ${dir}`);
  }
}

async function readKey(file: string): Promise<JWK | undefined> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // A symlink or another user's file is a key someone else chose (a root gateway can read any file).
  if (!st.isFile()) throw new TollgateError('TG_ERR_AUTH_ISSUER', `dev issuer key ${file} is not a regular file (a symlink?); delete it to generate a new one`);
  if (process.getuid !== undefined && st.uid !== process.getuid()) {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `dev issuer key ${file} belongs to another user; delete it to generate a new one`);
  }
  // Like ssh with a private key: a key others can read may already be someone else's.
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `dev issuer key ${file} is readable by other users; run: chmod 600 ${file}`);
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (err) {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `dev issuer key ${file} is not valid JSON; delete it to generate a new one`, { cause: err });
  }
  if (jwk === null || typeof jwk !== 'object' || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `dev issuer key ${file} is not a P-256 private key; delete it to generate a new one`);
  }
  return jwk;
}

async function createKey(file: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  try {
    // wx: if another process created the key first, use theirs instead of overwriting it.
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return jwk;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const existing = await readKey(file);
    if (existing === undefined) throw err;
    return existing;
  }
}
