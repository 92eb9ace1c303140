/**
 * Decides whether a WHERE (or MERGE ON) condition is obviously true for every row, so that
 * `UPDATE t SET ... WHERE true` counts as unbounded like a missing WHERE. Only constant cases are
 * recognised: `true`, `1=1`, `'a'='a'`, `x = x`, `NOT false`, OR with a true arm, AND of true arms.
 * Anything else is assumed to filter (a guardrail cannot evaluate arbitrary predicates).
 */
type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

const TRUE_TEXT = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const FALSE_TEXT = new Set(['f', 'false', 'n', 'no', 'off', '0']);

/** Constant value of an expression, or undefined when it is not a recognised constant. */
function constant(node: unknown): string | number | boolean | undefined {
  const n = obj(node);
  if (n === undefined) return undefined;
  const c = obj(n.A_Const);
  if (c !== undefined) {
    // The parser omits zero-valued fields: `0` is {ival:{}}, `false` is {boolval:{}}.
    if ('boolval' in c) return obj(c.boolval)?.boolval === true;
    if ('ival' in c) return Number(obj(c.ival)?.ival ?? 0);
    if ('fval' in c) return Number(obj(c.fval)?.fval ?? 0);
    if ('sval' in c) {
      const text = obj(c.sval)?.sval;
      return typeof text === 'string' ? text : '';
    }
    return undefined;
  }
  const cast = obj(n.TypeCast);
  if (cast !== undefined) {
    const inner = constant(cast.arg);
    const typeNames = obj(cast.typeName)?.names;
    const last = Array.isArray(typeNames) ? obj(obj(typeNames[typeNames.length - 1])?.String)?.sval : undefined;
    if ((last === 'bool' || last === 'boolean') && typeof inner === 'string') {
      const t = inner.trim().toLowerCase();
      if (TRUE_TEXT.has(t)) return true;
      if (FALSE_TEXT.has(t)) return false;
      return undefined;
    }
    return inner;
  }
  return undefined;
}

function withoutLocations(node: unknown): string {
  return JSON.stringify(node, (key, value: unknown) => (key === 'location' ? undefined : value));
}

function compare(op: string, a: string | number | boolean, b: string | number | boolean): boolean | undefined {
  if (typeof a !== typeof b) return undefined;
  switch (op) {
    case '=': return a === b;
    case '<>': case '!=': return a !== b;
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '>=': return a >= b;
    default: return undefined;
  }
}

function exprIsTrue(e: Json): boolean {
  const names = e.name;
  const op = Array.isArray(names) ? obj(obj(names[names.length - 1])?.String)?.sval : undefined;
  if (typeof op !== 'string') return false;
  const kind = e.kind;
  if (kind === 'AEXPR_OP' && (op === '=' || op === '<=' || op === '>=')) {
    // x = x is true for every non-null x: close enough to "every row" to call it unbounded.
    if (e.lexpr !== undefined && withoutLocations(e.lexpr) === withoutLocations(e.rexpr)) return true;
  }
  if (kind === 'AEXPR_NOT_DISTINCT' && withoutLocations(e.lexpr) === withoutLocations(e.rexpr)) return true;
  if (kind !== 'AEXPR_OP') return false;
  const a = constant(e.lexpr);
  const b = constant(e.rexpr);
  if (a === undefined || b === undefined) return false;
  return compare(op, a, b) === true;
}

/** True when the condition holds for every row. */
export function isConstantTrue(node: unknown): boolean {
  const n = obj(node);
  if (n === undefined) return false;
  if (constant(n) === true) return true;
  const bool = obj(n.BoolExpr);
  if (bool !== undefined) {
    const args = Array.isArray(bool.args) ? bool.args : [];
    if (bool.boolop === 'OR_EXPR') return args.some(isConstantTrue);
    if (bool.boolop === 'AND_EXPR') return args.length > 0 && args.every(isConstantTrue);
    if (bool.boolop === 'NOT_EXPR') return constant(args[0]) === false;
    return false;
  }
  const expr = obj(n.A_Expr);
  if (expr !== undefined) return exprIsTrue(expr);
  const test = obj(n.NullTest);
  // `x IS NULL OR x IS NOT NULL` is a pattern, not a constant: not recognised, documented.
  if (test !== undefined) return test.nulltesttype === 'IS_NOT_NULL' && constant(test.arg) !== undefined;
  return false;
}

/**
 * True when the condition refers to a column (or is WHERE CURRENT OF). One that refers to none
 * (`1 IN (1)`, `EXISTS (SELECT 1)`, `NULL IS NULL`, `$1`) has the same value for every row, so
 * it cannot bound a write: it selects every row or none.
 */
export function mentionsRow(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(mentionsRow);
  const n = obj(node);
  if (n === undefined) return false;
  for (const key in n) {
    if (key === 'ColumnRef' || key === 'CurrentOfExpr') return true;
    const value = n[key];
    if (typeof value === 'object' && value !== null && mentionsRow(value)) return true;
  }
  return false;
}
