import { describe, expect, it } from 'vitest';
import { compileDetectors } from './detector-set.js';
import { isSecretKey, maskJson, maskJsonText, SECRET_DATA_BASE64 } from './json-masker.js';

const all = compileDetectors(['all']);

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db-creds',
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data: { password: 'aHVudGVyMg==' } }),
    },
  },
  type: 'Opaque',
  data: { username: 'YWRtaW4=', password: 'aHVudGVyMg==' },
  stringData: { token: 'plain-token' },
};

describe('maskJson', () => {
  it('replaces Secret data with valid base64 and stringData with a placeholder, keeping keys', () => {
    const r = maskJson(secret, all);
    const v = r.value as typeof secret;
    expect(v.data).toEqual({ username: SECRET_DATA_BASE64, password: SECRET_DATA_BASE64 });
    expect(Buffer.from(v.data.password, 'base64').toString()).toBe('[REDACTED:k8s-secret]');
    expect(v.stringData).toEqual({ token: '[REDACTED:k8s-secret]' });
    expect(v.metadata.name).toBe('db-creds');
    expect(r.changed).toBe(true);
  });

  it('masks the Secret copy inside last-applied-configuration', () => {
    const v = maskJson(secret, all).value as typeof secret;
    const embedded = v.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    expect(embedded).not.toContain('aHVudGVyMg==');
    expect(JSON.parse(embedded)).toMatchObject({ kind: 'Secret', data: { password: SECRET_DATA_BASE64 } });
  });

  it('masks SecretList items (which carry no kind) and watch events', () => {
    const list = { kind: 'SecretList', items: [{ metadata: { name: 'a' }, data: { k: 'dmFsdWU=' } }] };
    expect(JSON.stringify(maskJson(list, all).value)).not.toContain('dmFsdWU=');
    const event = { type: 'ADDED', object: { ...secret } };
    expect(JSON.stringify(maskJson(event, all).value)).not.toContain('aHVudGVyMg==');
  });

  it('a card number sent as a JSON number is masked (and becomes a string); other numbers stay numbers', () => {
    const v = maskJson({ pan: 4111111111111111, count: 4111111111111112, small: 42 }, all).value;
    expect(v).toEqual({ pan: '************1111', count: 4111111111111112, small: 42 });
  });

  it('never mutates its input', () => {
    const before = JSON.stringify(secret);
    maskJson(secret, all);
    expect(JSON.stringify(secret)).toBe(before);
  });

  it('masks secret-named keys and runs detectors on every string; ConfigMap data is not a Secret', () => {
    const cm = {
      kind: 'ConfigMap',
      data: { DB_PASSWORD: 'p4ss', ADMIN: 'root@example.com', LEVEL: 'debug', clientSecret: 'cs', secretName: 'my-secret', tokenTTL: 30 },
    };
    const v = maskJson(cm, all).value as typeof cm;
    expect(v.data).toEqual({
      DB_PASSWORD: '[REDACTED:json-key]',
      ADMIN: '****@****',
      LEVEL: 'debug',
      clientSecret: '[REDACTED:json-key]',
      secretName: 'my-secret',
      tokenTTL: 30,
    });
  });

  it('returns the very input when nothing changes', () => {
    const pod = { kind: 'Pod', spec: { containers: [{ name: 'app', image: 'nginx:1.27', env: [{ name: 'LEVEL', value: 'debug' }] }] } };
    const r = maskJson(pod, all);
    expect(r.value).toBe(pod);
    expect(r.changed).toBe(false);
  });

  it.each([
    ['password', true],
    ['clientSecret', true],
    ['client_secret', true],
    ['bearerToken', true],
    ['apiKey', true],
    ['api_key', true],
    ['x-api-key', true],
    ['privateKey', true],
    ['secretName', false],
    ['tokenExpirationSeconds', false],
    ['publicKey', false],
    ['keyRef', false],
  ])('isSecretKey(%s) = %s', (key, want) => {
    expect(isSecretKey(key)).toBe(want);
  });
});

describe('maskJsonText', () => {
  it('masks a JSON body and leaves an untouched body byte-identical', () => {
    const body = JSON.stringify(secret, null, 2);
    expect(maskJsonText(body, all).text).not.toContain('aHVudGVyMg==');
    const clean = '{ "kind": "Pod",  "metadata": {"name": "x"} }';
    expect(maskJsonText(clean, all).text).toBe(clean);
  });
  it('masks newline-delimited watch events line by line', () => {
    const lines = [JSON.stringify({ type: 'ADDED', object: secret }), JSON.stringify({ type: 'MODIFIED', object: { kind: 'Pod', note: 'a@b.co' } })].join('\n');
    const out = maskJsonText(lines, all).text;
    expect(out.split('\n')).toHaveLength(2);
    expect(out).not.toContain('aHVudGVyMg==');
    expect(out).not.toContain('a@b.co');
  });
  it('truncated or non-JSON bodies still go through the detectors', () => {
    const truncated = '{"kind":"Secret","data":{"password":"aHVudGVyMg==","note":"alice@example.com"';
    const out = maskJsonText(truncated, all).text;
    expect(out).not.toContain('alice@example.com');
    expect(out).not.toContain('aHVudGVyMg==');
  });
});
