import { z } from 'zod';
import { byteSize } from './duration.js';
import { portSchema as port } from './schema-runtime.js';
import { secretRef } from './secret.js';

const serverTls = z.strictObject({
  certPath: z.string().min(1),
  keyPath: z.string().min(1),
  /** required: refuse clients that do not upgrade; optional: offer TLS but accept plaintext. */
  mode: z.enum(['required', 'optional']).default('required'),
});

const listener = (defaultPort: number, enabled: boolean) =>
  z.strictObject({
    enabled: z.boolean().default(enabled),
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(defaultPort),
  });

export const listenersSchema = z
  .strictObject({
    postgres: listener(15432, true).extend({ tls: serverTls.optional() }).prefault({}),
    ssh: listener(2222, true)
      .extend({
        /** Default: <dataDir>/ssh_host_ed25519_key (created on first start). */
        hostKeyPath: z.string().min(1).optional(),
      })
      .prefault({}),
    kubernetes: listener(16443, false).extend({ tls: serverTls.optional() }).prefault({}),
    mysql: listener(13306, false).extend({ tls: serverTls.optional() }).prefault({}),
    replay: listener(8080, true).extend({ tls: serverTls.optional() }).prefault({}),
  })
  .prefault({});

const upstreamTls = z
  .strictObject({
    mode: z.enum(['disable', 'require', 'verify-full']).default('verify-full'),
    caPath: z.string().min(1).optional(),
    certPath: z.string().min(1).optional(),
    keyPath: z.string().min(1).optional(),
    serverName: z.string().min(1).optional(),
  })
  .prefault({});

const recording = z
  .discriminatedUnion('mode', [
    /** No recording, no session: if the log cannot take frames, sessions are refused or ended. */
    z.strictObject({ mode: z.literal('strict') }),
    /** Frames spool locally (bounded) while the log is down; at the limit new sessions are refused. */
    z.strictObject({ mode: z.literal('buffered'), spoolMaxBytes: byteSize.default(256 * 1024 * 1024) }),
  ])
  .prefault({ mode: 'strict' });

const common = {
  host: z.string().min(1),
  recording,
  description: z.string().optional(),
};

const postgres = z.strictObject({
  protocol: z.literal('postgres'),
  ...common,
  port: port.default(5432),
  database: z.string().min(1),
  upstream: z.strictObject({ user: z.string().min(1), password: secretRef.optional(), tls: upstreamTls }),
});

const mysql = z.strictObject({
  protocol: z.literal('mysql'),
  ...common,
  port: port.default(3306),
  database: z.string().min(1).optional(),
  upstream: z.strictObject({ user: z.string().min(1), password: secretRef.optional(), tls: upstreamTls }),
});

const ssh = z.strictObject({
  protocol: z.literal('ssh'),
  ...common,
  port: port.default(22),
  /** The target's host key fingerprint ("SHA256:..."); connections to any other key are refused. */
  hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'expected an OpenSSH fingerprint "SHA256:..." (ssh-keygen -lf)'),
  upstream: z
    .strictObject({
      user: z.string().min(1),
      privateKeyPath: z.string().min(1).optional(),
      passphrase: secretRef.optional(),
      password: secretRef.optional(),
    })
    .refine((u) => u.privateKeyPath !== undefined || u.password !== undefined, 'set privateKeyPath or password'),
});

const kubernetes = z.strictObject({
  protocol: z.literal('kubernetes'),
  ...common,
  port: port.default(443),
  upstream: z
    .strictObject({
      /** A service-account token held by the gateway. */
      token: secretRef.optional(),
      tls: upstreamTls,
    })
    .refine((u) => u.token !== undefined || (u.tls.certPath !== undefined && u.tls.keyPath !== undefined), 'set token or tls.certPath + tls.keyPath'),
});

export const connectionSchema = z.discriminatedUnion('protocol', [postgres, mysql, ssh, kubernetes]);
export type ConnectionConfig = z.output<typeof connectionSchema>;
