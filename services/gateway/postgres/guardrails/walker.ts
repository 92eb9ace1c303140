import { BUILTIN_NON_VOLATILE } from './builtin-functions.js';
import type { ClassificationBuilder, Classification } from './classification.js';
import {
  DYNAMIC_SQL_FUNCTIONS,
  FUNCTION_KINDS,
  RELATION_BY_NAME_FUNCTIONS,
  SAFE_VOLATILE,
  SETTING_FUNCTIONS,
} from './function-catalog.js';
import type { QualifiedName } from './names.js';
import { NameMatcher } from './names.js';
import { parserDivergence, settingKinds } from './settings.js';
import { isStatementTag } from './statement-kinds.js';

/**
 * A generic walk over the parser's JSON: every object is inspected, whatever field holds it, so a
 * function call or table hidden in a CTE, a default, a LATERAL subquery or an EXPLAIN is found
 * without enumerating the grammar's fields by hand.
 */
export type Json = Record<string, unknown>;

export interface WalkContext {
  readonly b: ClassificationBuilder;
  /** The full query text the locations refer to (for slicing DO and function bodies). */
  readonly sql: string;
  /** UTF-8 byte span of the top-level statement being walked, within sql. */
  readonly span: readonly [number, number | undefined];
  /** How many bodies deep this walk is (a DO inside a function body...). */
  readonly nesting: number;
  readonly onStatement: (tag: string, body: Json, ctx: WalkContext, depth: number) => void;
  /** Classifies SQL text found inside a body (PL/pgSQL statement, SQL function body). */
  readonly classifyNested: (sql: string, nesting: number) => Classification;
  /** Classifies one already-parsed statement node on its own (the query of a PREPARE). */
  readonly classifyNode: (node: unknown, sql: string, nesting: number) => Classification;
}

// Two walk levels per tree level; well past what ORMs generate, well short of the JS stack.
const MAX_TREE_DEPTH = 1200;
const DYNAMIC = new NameMatcher(DYNAMIC_SQL_FUNCTIONS);

/** Narrows a parse-tree value to an object. */
export function asObject(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** The text of a String node ({String:{sval}}). */
export function stringValue(v: unknown): string | undefined {
  const s = asObject(asObject(v)?.String)?.sval;
  return typeof s === 'string' ? s : undefined;
}

/** The text of a string constant ({A_Const:{sval:{sval}}}), or undefined for anything else. */
export function constantText(v: unknown): string | undefined {
  const c = asObject(asObject(v)?.A_Const);
  if (c === undefined) return undefined;
  const s = asObject(c.sval)?.sval;
  if (typeof s === 'string') return s;
  if ('ival' in c) {
    const i = asObject(c.ival)?.ival;
    return typeof i === 'number' ? String(i) : '0';
  }
  if ('boolval' in c) return asObject(c.boolval)?.boolval === true ? 'true' : 'false';
  if ('sval' in c) return '';
  return undefined;
}

/** Walks any parse-tree value. */
export function walk(node: unknown, ctx: WalkContext, depth: number): void {
  if (depth > MAX_TREE_DEPTH) {
    ctx.b.fail('too-deep', `parse tree deeper than ${MAX_TREE_DEPTH}`);
    return;
  }
  if (Array.isArray(node)) {
    for (const item of node) walk(item, ctx, depth + 1);
    return;
  }
  const obj = asObject(node);
  if (obj === undefined) return;
  inspect(obj, ctx);
  walkChildren(obj, ctx, depth);
}

/** Walks an object's fields, dispatching statement nodes to the statement handler. */
export function walkChildren(obj: Json, ctx: WalkContext, depth: number, skip?: string): void {
  for (const key in obj) {
    if (key === skip) continue;
    const value = obj[key];
    if (typeof value !== 'object' || value === null) continue;
    const body = isStatementTag(key) ? asObject(value) : undefined;
    if (body !== undefined) ctx.onStatement(key, body, ctx, depth + 1);
    else walk(value, ctx, depth + 1);
  }
}

/** Records what an object is, whatever field held it: a relation (RangeVar) or a function reference. */
export function inspect(obj: Json, ctx: WalkContext): void {
  if (typeof obj.relname === 'string') {
    const schema = typeof obj.schemaname === 'string' ? obj.schemaname : undefined;
    ctx.b.addRelation({ schema, name: obj.relname });
  }
  if (Array.isArray(obj.funcname)) visitFunction(obj, ctx);
  // A_Indirection: `(expr).f` is f(expr) when expr is not composite, so each field may be a call.
  if (Array.isArray(obj.indirection) && obj.arg !== undefined) visitAttributeCalls(obj.indirection, isScalar(obj.arg), ctx);
  // A_Expr with OPERATOR(schema.op): an operator from another schema runs that schema's code.
  if (typeof obj.kind === 'string' && obj.kind.startsWith('AEXPR_') && Array.isArray(obj.name)) visitOperator(obj.name, ctx);
}

/**
 * PostgreSQL's attribute notation: `('/etc/passwd'::text).pg_read_file` calls pg_read_file.
 * When the value is a constant or cast to a builtin scalar type, it has no fields, so the first
 * name is certainly a call and is judged like any other (read-only denies unknown ones). Otherwise
 * fields with a special meaning are judged as calls and the rest are recorded as known functions,
 * so a policy's denyFunctions still sees them without read-only denying every composite-field
 * access (a user function reached from a column this way stays a documented gap).
 */
function visitAttributeCalls(indirection: unknown[], scalar: boolean, ctx: WalkContext): void {
  indirection.forEach((item, i) => {
    const name = stringValue(item);
    if (name === undefined) return;
    const fn = { schema: undefined, name };
    if ((scalar && i === 0) || FUNCTION_KINDS.has(name) || DYNAMIC.matches(fn) || SETTING_FUNCTIONS.has(name)) visitFunction({ funcname: [item] }, ctx);
    else ctx.b.addFunction(fn, true);
  });
}

/** Builtin scalar types: a value of one of these (or of an array of them) has no fields. */
const SCALAR_TYPES = new Set(
  `text varchar bpchar char name int2 int4 int8 numeric float4 float8 bool oid regclass regproc
   regprocedure regoper regoperator regtype regrole regnamespace regconfig regdictionary
   json jsonb bytea uuid date time timetz timestamp timestamptz interval inet cidr macaddr xml
   bit varbit money tsvector tsquery pg_lsn`.split(/\s+/),
);

/** True for a constant, or a cast to a builtin scalar type, which attribute notation can only call. */
function isScalar(node: unknown): boolean {
  const obj = asObject(node);
  if (obj === undefined) return false;
  if (obj.A_Const !== undefined) return true;
  const cast = asObject(obj.TypeCast);
  const typeName = asObject(cast?.typeName);
  const names = Array.isArray(typeName?.names) ? typeName.names : [];
  const last = stringValue(names[names.length - 1]);
  const schema = names.length >= 2 ? stringValue(names[names.length - 2]) : 'pg_catalog';
  return last !== undefined && schema === 'pg_catalog' && SCALAR_TYPES.has(last);
}

function visitOperator(parts: unknown[], ctx: WalkContext): void {
  if (parts.length < 2) return;
  const op = functionName(parts);
  if (op !== undefined && op.schema !== 'pg_catalog') ctx.b.addFunction(op, false);
}

function functionName(parts: unknown[]): QualifiedName | undefined {
  const name = stringValue(parts[parts.length - 1]);
  if (name === undefined) return undefined;
  return { schema: parts.length >= 2 ? stringValue(parts[parts.length - 2]) : undefined, name };
}

function visitFunction(call: Json, ctx: WalkContext): void {
  const fn = functionName(call.funcname as unknown[]);
  if (fn === undefined) {
    ctx.b.fail('unknown-statement', 'function reference without a name');
    return;
  }
  const kinds = FUNCTION_KINDS.get(fn.name);
  const catalog = fn.schema === undefined || fn.schema === 'pg_catalog';
  const special = kinds !== undefined || DYNAMIC.matches(fn) || SETTING_FUNCTIONS.has(fn.name);
  const known = special || (catalog && (BUILTIN_NON_VOLATILE.has(fn.name) || SAFE_VOLATILE.has(fn.name)));
  ctx.b.addFunction(fn, known);
  if (kinds !== undefined) ctx.b.kinds |= kinds;
  const args = Array.isArray(call.args) ? call.args : [];
  if (DYNAMIC.matches(fn)) ctx.b.fail('dynamic-sql', `${fn.name}() runs SQL given as a string`);
  else if (SETTING_FUNCTIONS.has(fn.name)) visitSetConfig(args, ctx);
  else if (RELATION_BY_NAME_FUNCTIONS.has(fn.name)) {
    const text = constantText(args[0]);
    const rel = text === undefined ? undefined : relationFromText(text);
    if (rel === undefined) ctx.b.fail('dynamic-sql', `${fn.name}() with a relation name that is not a constant plain name`);
    else ctx.b.addRelation(rel);
  }
}

const PLAIN_RELATION = /^\s*([A-Za-z_][A-Za-z0-9_$]*)\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_$]*)\s*)?$/;
const NAMEDATALEN = 63;

/**
 * Reads a relation name given as text the way regclass input does for plain names: unquoted
 * parts fold to lower case, spaces around the dot are ignored, long names truncate. Quoted,
 * three-part or otherwise unusual names return undefined (the caller fails closed), because
 * 'PG_AUTHID' and ' pg_catalog . pg_authid ' name the same catalog to the server.
 */
function relationFromText(text: string): QualifiedName | undefined {
  const m = PLAIN_RELATION.exec(text);
  if (m === null) return undefined;
  const first = (m[1] ?? '').toLowerCase().slice(0, NAMEDATALEN);
  const second = m[2]?.toLowerCase().slice(0, NAMEDATALEN);
  return second === undefined ? { schema: undefined, name: first } : { schema: first, name: second };
}

function visitSetConfig(args: unknown[], ctx: WalkContext): void {
  const name = constantText(args[0]);
  if (name === undefined) {
    ctx.b.fail('dynamic-sql', 'set_config() with a setting name that is not a constant');
    return;
  }
  ctx.b.settings.push(name.toLowerCase());
  const values = [constantText(args[1])];
  ctx.b.kinds |= settingKinds(name, values);
  const divergence = parserDivergence(name, values);
  if (divergence !== undefined) ctx.b.fail('parser-divergence', divergence);
}
