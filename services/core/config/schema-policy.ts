import { z } from 'zod';
import { claimConstraints } from './schema-identity.js';
import { name } from './schema-runtime.js';

/**
 * Guardrail profiles the gateway ships; roles may name these without defining them. The gateway
 * must treat any other unknown name as "deny everything" (fail closed), but config validation
 * catches typos first.
 */
export const builtinGuardrailProfiles = ['read-only', 'no-ddl', 'no-destructive'] as const;

/** Masking profiles the gateway ships: "pii" runs every content detector on every column. */
export const builtinMaskingProfiles = ['pii'] as const;

export const maskingDetectors = ['email', 'card', 'national-id', 'secret', 'phone', 'iban'] as const;

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
  /** "table.column" glob, e.g. "*.email" or "customers.*". */
  column: z.string().min(1),
  action: z.enum(['redact', 'hash', 'partial', 'null']).default('redact'),
});

export const maskingProfileSchema = z.strictObject({
  description: z.string().optional(),
  columns: z.array(columnRule).default([]),
  detectors: z.array(z.enum(maskingDetectors)).default([]),
});
