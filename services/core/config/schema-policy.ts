import { z } from 'zod';
import { claimConstraints } from './schema-identity.js';
import { name } from './schema-runtime.js';

/**
 * Guardrail profiles the gateways ship (services/gateway/postgres/guardrails/profiles.ts and
 * services/gateway/ssh/guardrails/builtin-profiles.ts; a test keeps the lists equal); roles may
 * name these without defining them. A gateway must still treat an unknown name as "deny
 * everything", but validation catches typos first.
 */
export const builtinGuardrailProfilesOf = {
  postgres: ['read-only', 'no-ddl', 'no-unbounded-writes', 'no-privilege-change', 'no-server-files', 'no-catalog-secrets'],
  ssh: ['ssh-no-forwarding', 'ssh-readonly-commands', 'ssh-no-destructive', 'ssh-no-sftp', 'ssh-exec-only'],
} as const;

/** Every built-in profile name; a grant may carry profiles of several protocols, each gateway uses its own. */
export const builtinGuardrailProfiles = [...builtinGuardrailProfilesOf.postgres, ...builtinGuardrailProfilesOf.ssh] as const;

/**
 * Content detector ids and group names the masking engine accepts (services/core/masking; a test
 * keeps the lists equal). Groups: "national-id", "secret", "all".
 */
export const maskingDetectors = [
  'email', 'card', 'ssn', 'nino', 'iban', 'phone', 'aws-key-id', 'aws-secret', 'github-token', 'gitlab-token', 'npm-token', 'slack-token',
  'stripe-key', 'google-api-key', 'jwt', 'pem-private-key', 'bearer', 'url-password', 'secret-kv',
  'national-id', 'secret', 'all',
] as const;

export const maskingActions = ['redact', 'partial', 'hash', 'null', 'email'] as const;

/**
 * Masking profiles that exist without being defined; the loader adds them to `masking` unless the
 * file defines a profile of the same name (which then wins).
 */
export const builtinMaskingProfiles = {
  pii: {
    description: 'every built-in content detector on every column',
    columns: [],
    detectors: ['all'],
  },
} as const satisfies Record<string, { description: string; columns: readonly never[]; detectors: readonly (typeof maskingDetectors)[number][] }>;

/** A connection name or a glob over names ("staging-*"); "*" is every connection. */
const connectionPattern = z.string().regex(/^[A-Za-z0-9*][A-Za-z0-9_*-]{0,62}$/, 'expected a connection name or a glob like "staging-*"');

const grantSchema = z.strictObject({
  connections: z.array(connectionPattern).min(1),
  guardrails: z.array(name).default([]),
  masking: z.array(name).default([]),
  /** Overrides the connection's recording mode for this grant; the stricter mode wins. */
  recording: z.enum(['strict', 'buffered']).optional(),
});
export type GrantConfig = z.output<typeof grantSchema>;

const matchSchema = z
  .strictObject({
    /** The token issuer(s) this role trusts; required so a group name cannot leak across issuers. */
    issuer: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Any one of these groups (exact, case-sensitive) matches. */
    groups: z.array(z.string().min(1)).min(1).optional(),
    /** Every listed claim must match (glob, list of globs, exact scalar, or { contains }). */
    claims: claimConstraints.optional(),
  })
  .refine((m) => m.groups !== undefined || m.claims !== undefined, {
    message: 'a role must match on groups or claims; to match every subject of an issuer write claims: { sub: "**" }',
  });

export const roleSchema = z.strictObject({
  description: z.string().optional(),
  match: matchSchema,
  grants: z.array(grantSchema).default([]),
  /** May read recordings through the replay API and UI. */
  audit: z.boolean().default(false),
});
export type RoleConfig = z.output<typeof roleSchema>;

/** Guardrail profiles stay opaque here; the protocol that uses them validates their rules. */
export const guardrailProfileSchema = z.looseObject({
  protocol: z.enum(['postgres', 'mysql', 'ssh', 'kubernetes']).optional(),
  description: z.string().optional(),
});

const columnRule = z.strictObject({
  /** "column", "table.column" or "schema.table.column", each part a case-insensitive glob; or "/regex/". */
  column: z.string().min(1),
  action: z.enum(maskingActions).default('redact'),
  /** For partial: how many trailing characters stay visible. */
  keep: z.number().int().min(0).max(64).optional(),
});

export const maskingProfileSchema = z.strictObject({
  description: z.string().optional(),
  columns: z.array(columnRule).default([]),
  detectors: z.array(z.enum(maskingDetectors)).default([]),
});
