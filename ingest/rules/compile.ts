import { TollgateError } from '../../services/core/errors.js';
import type { Fact } from '../projection/rows.js';
import type { Condition, FieldTest, RuleSpec, keyKinds } from './format.js';

export type KeyKind = (typeof keyKinds)[number];

/** A field value as text for comparisons: scalars as themselves, anything else as JSON. */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export type Predicate = (fields: Record<string, unknown>) => boolean;

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a rule duration ("10m"); the format was validated at load. */
export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (m === null) throw new TollgateError('TG_ERR_CONFIG', `"${text}" is not a duration like 10m`);
  return Number(m[1]) * DURATION_MS[m[2]!]!;
}

function globRegex(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function regex(source: string, flags: string, ruleId: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new TollgateError('TG_ERR_CONFIG', `rule ${ruleId}: /${source}/ is not a valid regular expression`, { cause: err });
  }
}

/** One field test as a function of the field's value; arrays hold when any element does (eq, matches, glob). */
function compileTest(test: FieldTest, ruleId: string): (value: unknown) => boolean {
  if (typeof test !== 'object') return compileTest({ eq: test }, ruleId);
  const checks: Array<(v: unknown) => boolean> = [];
  const anyOf = (f: (v: unknown) => boolean) => (v: unknown) => (Array.isArray(v) ? v.some(f) : f(v));
  const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
  if (test.eq !== undefined) checks.push(anyOf((v) => asText(v) === String(test.eq)));
  if (test.ne !== undefined) checks.push((v) => !anyOf((x) => asText(x) === String(test.ne))(v));
  if (test.in !== undefined) {
    const set = new Set(test.in.map(String));
    checks.push(anyOf((v) => set.has(asText(v))));
  }
  if (test.notIn !== undefined) {
    const set = new Set(test.notIn.map(String));
    checks.push((v) => !anyOf((x) => set.has(asText(x)))(v));
  }
  if (test.gt !== undefined) checks.push((v) => num(v) > test.gt!);
  if (test.gte !== undefined) checks.push((v) => num(v) >= test.gte!);
  if (test.lt !== undefined) checks.push((v) => num(v) < test.lt!);
  if (test.lte !== undefined) checks.push((v) => num(v) <= test.lte!);
  for (const [source, flags] of [[test.matches, ''], [test.imatches, 'i']] as const) {
    if (source === undefined) continue;
    const re = regex(source, flags, ruleId);
    checks.push(anyOf((v) => v !== null && v !== undefined && re.test(asText(v))));
  }
  if (test.glob !== undefined) {
    const re = globRegex(test.glob);
    checks.push(anyOf((v) => re.test(asText(v))));
  }
  if (test.contains !== undefined) {
    const needle = test.contains.toLowerCase();
    checks.push(anyOf((v) => asText(v).toLowerCase().includes(needle)));
  }
  if (test.nonEmpty !== undefined) {
    const want = test.nonEmpty;
    checks.push((v) => (Array.isArray(v) ? v.length > 0 : asText(v) !== '') === want);
  }
  return (v) => checks.every((c) => c(v));
}

/** A condition tree as one predicate over a fact's fields. */
export function compileCondition(c: Condition | undefined, ruleId: string): Predicate {
  if (c === undefined) return () => true;
  if ('all' in c && Array.isArray(c.all)) {
    const parts = c.all.map((p) => compileCondition(p, ruleId));
    return (f) => parts.every((p) => p(f));
  }
  if ('any' in c && Array.isArray(c.any)) {
    const parts = c.any.map((p) => compileCondition(p, ruleId));
    return (f) => parts.some((p) => p(f));
  }
  if ('not' in c && typeof c.not === 'object' && c.not !== null && !('eq' in c.not)) {
    const inner = compileCondition(c.not as Condition, ruleId);
    return (f) => !inner(f);
  }
  const tests = Object.entries(c as Record<string, FieldTest>).map(([field, t]) => [field, compileTest(t, ruleId)] as const);
  return (f) => tests.every(([field, t]) => t(f[field]));
}

/** The key a window, first-seen set or sequence is kept under for a fact. */
export function keyOf(by: KeyKind, fact: Fact): string {
  switch (by) {
    case 'session': return `s:${fact.sessionId}`;
    case 'identity': return `i:${asText(fact.fields['issuer'])}|${asText(fact.fields['subject'])}`;
    case 'token': return `t:${asText(fact.fields['token_id'])}`;
    case 'connection': return `c:${asText(fact.fields['connection'])}`;
    default: return 'g';
  }
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** True when a time (µs) falls outside the working hours and days given. */
export function compileHours(h: NonNullable<RuleSpec['hours']>): (tsMicros: number) => boolean {
  const [from, to] = h.working.split('-').map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))) as [number, number];
  const sign = h.utcOffset.startsWith('-') ? -1 : 1;
  const offsetMin = sign * (Number(h.utcOffset.slice(1, 3)) * 60 + Number(h.utcOffset.slice(4, 6)));
  const days = new Set(h.days);
  return (tsMicros) => {
    const local = new Date(Math.floor(tsMicros / 1000) + offsetMin * 60_000);
    const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
    const working = days.has(DAYS[local.getUTCDay()]!) && (from <= to ? minute >= from && minute < to : minute >= from || minute < to);
    return !working;
  };
}
