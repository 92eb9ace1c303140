import { z } from 'zod';
import { TollgateError } from '../../../core/errors.js';
import type { KindName } from './kinds.js';
import { KIND_NAMES } from './kinds.js';

/**
 * The declarative rule type: shipped profiles and a policy's own rules are both written in it,
 * then compiled once into lookup tables (compile.ts). Every list is optional; a rule denies what
 * any of its lists names.
 */
export interface RuleSpec {
  /** Prefix of this rule's ids (`acme-secrets` gives `acme-secrets/table`); stable. */
  readonly id: string;
  readonly description?: string;
  /** Statement kinds to deny (see kinds.ts), reported as `<id>/<kind>`. */
  readonly denyKinds?: readonly KindName[];
  /** Deny calls to functions not known as builtins and not allowed below (`<id>/unknown-function`). */
  readonly denyUnknownFunctions?: boolean;
  /** Functions a policy vouches for (its own read-only helpers): not "unknown" to any rule. */
  readonly allowFunctions?: readonly string[];
  /** `name` (any schema), `schema.name`, or `schema.*`: `<id>/function`. */
  readonly denyFunctions?: readonly string[];
  /** Relations that may not be read or written, same notation: `<id>/table`. */
  readonly denyTables?: readonly string[];
  /** Relations an UPDATE/DELETE/MERGE must filter (no TRUNCATE either): `<id>/require-where`. */
  readonly requireWhere?: readonly string[];
  /** Run-time settings that may not be changed by SET/RESET/set_config: `<id>/setting`. */
  readonly denySettings?: readonly string[];
  /** Most statements in one query text: `<id>/max-statements`. */
  readonly maxStatements?: number;
}

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.([A-Za-z_][A-Za-z0-9_$]*|\*))?$/, 'a name or schema.name');

const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
  description: z.string().optional(),
  denyKinds: z.array(z.enum(KIND_NAMES as [KindName, ...KindName[]])).optional(),
  denyUnknownFunctions: z.boolean().optional(),
  allowFunctions: z.array(name).optional(),
  denyFunctions: z.array(name).optional(),
  denyTables: z.array(name).optional(),
  requireWhere: z.array(name).optional(),
  denySettings: z.array(z.string().min(1)).optional(),
  maxStatements: z.number().int().positive().optional(),
});

/** Validates a policy's own rules, reporting every bad field in one error. */
export function validateRules(input: unknown): RuleSpec[] {
  const parsed = z.array(ruleSchema).safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `rules.${i.path.join('.')}: ${i.message}`);
    throw new TollgateError('TG_ERR_CONFIG', `guardrail rules are invalid: ${problems.join('; ')}`, {
      context: { problems },
    });
  }
  const seen = new Set<string>();
  for (const rule of parsed.data) {
    if (seen.has(rule.id)) throw new TollgateError('TG_ERR_CONFIG', `guardrail rule id ${rule.id} is used twice`);
    seen.add(rule.id);
  }
  return parsed.data as RuleSpec[];
}
