import { z } from 'zod';

/**
 * The YAML rule format (documented in ingest/README.md, "Anomaly rules"). One file may hold one rule
 * or a list under `rules:`. Validated once at load; compile.ts turns each rule into plain functions.
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Tests on one field: every listed operator must hold. A bare scalar means `eq`. */
export const fieldTest = z.union([
  scalar,
  z.strictObject({
    eq: scalar.optional(),
    ne: scalar.optional(),
    in: z.array(scalar).optional(),
    notIn: z.array(scalar).optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    /** JavaScript regular expression; `imatches` ignores case. */
    matches: z.string().optional(),
    imatches: z.string().optional(),
    /** Glob over the whole value: `*` any run, `?` one character, case-insensitive. */
    glob: z.string().optional(),
    contains: z.string().optional(),
    nonEmpty: z.boolean().optional(),
  }),
]);
export type FieldTest = z.infer<typeof fieldTest>;

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Record<string, FieldTest>;

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(condition).min(1) }),
    z.strictObject({ any: z.array(condition).min(1) }),
    z.strictObject({ not: condition }),
    z.record(z.string().regex(/^[a-z_]+$/, 'field names are lower_snake_case'), fieldTest),
  ]),
);

export const factKinds = ['session.start', 'session.end', 'query', 'command', 'decision'] as const;
const kinds = z.union([z.enum(factKinds), z.array(z.enum(factKinds)).min(1)]);
export const keyKinds = ['session', 'identity', 'token', 'connection', 'global'] as const;
const duration = z.string().regex(/^\d+(?:ms|s|m|h|d)$/, 'a duration like 30s, 10m, 24h, 30d');

export const ruleSchema = z.strictObject({
  /** Stable id: alerts, backtests and suppressions name it; never reuse one for another meaning. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,80}$/, 'ids are lower case: letters, digits, dot, dash'),
  title: z.string().min(1),
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']),
  description: z.string().default(''),
  enabled: z.boolean().default(true),
  /** Event kinds the rule looks at. */
  on: kinds,
  when: condition.optional(),
  /** Fires only outside working hours (and on days not listed). */
  hours: z
    .strictObject({
      working: z.string().regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'HH:MM-HH:MM'),
      days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).default(['mon', 'tue', 'wed', 'thu', 'fri']),
      utcOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/).default('+00:00'),
    })
    .optional(),
  /** Fires when `of` takes a value never seen before for this key (and the key has history). */
  firstSeen: z.strictObject({ by: z.enum(keyKinds), of: z.string().regex(/^[a-z_]+$/) }).optional(),
  /** Sequence: a matching event of `on`/`when` must have happened before, within `within`, for the same key. */
  after: z
    .strictObject({ on: kinds, when: condition.optional(), within: duration, by: z.enum(keyKinds).default('session') })
    .optional(),
  /** Threshold: `count` matching events (or `distinct` values of a field) per key within `within`. */
  window: z
    .strictObject({
      by: z.enum(keyKinds),
      within: duration,
      count: z.number().int().min(1).default(1),
      distinct: z.string().regex(/^[a-z_]+$/).optional(),
    })
    .optional(),
});
export type RuleSpec = z.output<typeof ruleSchema>;

/** A file holding several rules; a file without `rules:` is one rule (ruleSchema). */
export const ruleListSchema = z.strictObject({ rules: z.array(ruleSchema).min(1) });
