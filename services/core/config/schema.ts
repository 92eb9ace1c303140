import { z } from 'zod';
import { connectionSchema } from './schema-network.js';
import { listenersSchema } from './schema-network.js';
import { identitySchema } from './schema-identity.js';
import { ingestSchema, limitsSchema } from './schema-ops.js';
import {
  builtinGuardrailProfiles,
  builtinMaskingProfiles,
  guardrailProfileSchema,
  maskingProfileSchema,
  roleSchema,
} from './schema-policy.js';
import { secretRef } from './secret.js';
import { eventLogSchema, logSchema, name, nodeSchema, schemaRegistrySchema, storeSchema } from './schema-runtime.js';

/** The whole configuration file, before paths are resolved and secrets read. */
export const configSchema = z
  .strictObject({
    node: nodeSchema,
    /** Embedded state (log, chDB, dev issuer keys); relative to the config file's folder. */
    dataDir: z.string().min(1).default('.tollgate'),
    log: logSchema,
    eventLog: eventLogSchema,
    store: storeSchema,
    schemaRegistry: schemaRegistrySchema,
    identity: identitySchema,
    listeners: listenersSchema,
    connections: z.record(name, connectionSchema).default({}),
    roles: z.record(name, roleSchema).default({}),
    guardrails: z.record(name, guardrailProfileSchema).default({}),
    masking: z.record(name, maskingProfileSchema).default({}),
    /** HMAC key (at least 16 bytes) for masking rules with action "hash"; required if any rule hashes. */
    maskingHashKey: secretRef.optional(),
    ingest: ingestSchema,
    limits: limitsSchema,
  })
  // when: always, so a typo in a profile name is reported together with every other problem.
  .superRefine((value, ctx) => checkProfileReferences(value, ctx), { when: () => true });

export type ParsedConfig = z.output<typeof configSchema>;

/** A grant naming an undefined profile is an error: a typo must not silently drop a guardrail. */
function checkProfileReferences(cfg: unknown, ctx: z.RefinementCtx): void {
  // Runs even when other fields failed, so every access here is defensive.
  const root = asRecord(cfg);
  const guardrails = new Set<string>([...builtinGuardrailProfiles, ...Object.keys(asRecord(root.guardrails))]);
  const masking = new Set<string>([...Object.keys(builtinMaskingProfiles), ...Object.keys(asRecord(root.masking))]);
  checkHashKey(root, ctx);
  for (const [roleName, role] of Object.entries(asRecord(root.roles))) {
    const grants = asRecord(role).grants;
    if (!Array.isArray(grants)) continue;
    grants.forEach((grant: unknown, g) => {
      const check = (field: 'guardrails' | 'masking', known: Set<string>, builtin: readonly string[]): void => {
        const names = asRecord(grant)[field];
        if (!Array.isArray(names)) return;
        names.forEach((p: unknown, i) => {
          if (typeof p === 'string' && !known.has(p)) {
            const kind = field === 'guardrails' ? 'guardrail' : 'masking';
            ctx.addIssue({ code: 'custom', input: p, path: ['roles', roleName, 'grants', g, field, i], message: `unknown ${kind} profile "${p}" (define it under ${field} or use one of ${builtin.join(', ')})` });
          }
        });
      };
      check('guardrails', guardrails, builtinGuardrailProfiles);
      check('masking', masking, Object.keys(builtinMaskingProfiles));
    });
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A hash rule without a key would fail at the first masked row; say so at start-up instead. */
function checkHashKey(root: Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (root.maskingHashKey !== undefined) return;
  for (const [profile, body] of Object.entries(asRecord(root.masking))) {
    const columns = asRecord(body).columns;
    if (!Array.isArray(columns)) continue;
    const i = columns.findIndex((c: unknown) => asRecord(c).action === 'hash');
    if (i >= 0) {
      ctx.addIssue({ code: 'custom', input: 'hash', path: ['masking', profile, 'columns', i, 'action'], message: 'action "hash" needs maskingHashKey: { env: NAME } (an HMAC key of at least 16 bytes)' });
    }
  }
}
