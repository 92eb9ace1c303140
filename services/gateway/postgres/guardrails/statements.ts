import { Kind } from './kinds.js';
import { parserDivergence, settingKinds, transactionOptionKinds } from './settings.js';
import { STATEMENT_KINDS } from './statement-kinds.js';
import { classifyDoBlock, classifyFunctionBody } from './bodies.js';
import type { Json, WalkContext } from './walker.js';
import { asObject, constantText, inspect, walk, walkChildren } from './walker.js';
import { isConstantTrue, mentionsRow } from './where-clause.js';

/**
 * Per-statement refinements on top of STATEMENT_KINDS: the fields that change what a statement
 * does (SELECT INTO writes, COPY TO PROGRAM touches the server, UPDATE without WHERE is unbounded)
 * and the statements that carry other statements (PREPARE, DO, CREATE FUNCTION).
 */
// Ownership and row-level security decide who sees what: privilege changes, not only DDL.
const PRIVILEGE_ALTERS = new Set([
  'AT_ChangeOwner', 'AT_EnableRowSecurity', 'AT_DisableRowSecurity', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity',
]);
// ALTER FOREIGN TABLE ... OPTIONS can point file_fdw at another file or program.
const SERVER_FILE_ALTERS = new Set(['AT_GenericOptions', 'AT_AlterColumnGenericOptions']);

type Handler = (body: Json, ctx: WalkContext, depth: number) => void;

function relationOf(v: unknown): { schema: string | undefined; name: string } | undefined {
  const rel = asObject(v);
  if (rel === undefined || typeof rel.relname !== 'string') return undefined;
  return { schema: typeof rel.schemaname === 'string' ? rel.schemaname : undefined, name: rel.relname };
}

function addWrite(ctx: WalkContext, relation: unknown, bounded: boolean): void {
  const rel = relationOf(relation);
  if (rel !== undefined) ctx.b.writes.push({ relation: rel, bounded });
  if (!bounded) ctx.b.kinds |= Kind['unbounded-write'];
}

/** A condition filters rows only if it is not obviously true and looks at some column at all. */
function filters(condition: unknown): boolean {
  return condition !== undefined && !isConstantTrue(condition) && mentionsRow(condition);
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  SelectStmt(body, ctx) {
    if (body.intoClause !== undefined) ctx.b.kinds |= Kind.write | Kind.ddl;
    if (Array.isArray(body.lockingClause) && body.lockingClause.length > 0) ctx.b.kinds |= Kind.lock;
  },
  InsertStmt(body, ctx) {
    addWrite(ctx, body.relation, true);
  },
  UpdateStmt(body, ctx) {
    addWrite(ctx, body.relation, filters(body.whereClause));
  },
  DeleteStmt(body, ctx) {
    addWrite(ctx, body.relation, filters(body.whereClause));
  },
  MergeStmt(body, ctx) {
    addWrite(ctx, body.relation, filters(body.joinCondition));
  },
  TruncateStmt(body, ctx) {
    for (const rel of Array.isArray(body.relations) ? body.relations : []) addWrite(ctx, asObject(rel)?.RangeVar, false);
  },
  CopyStmt(body, ctx) {
    if (body.is_from === true) {
      ctx.b.kinds |= Kind.write;
      addWrite(ctx, body.relation, true);
    }
    // A file name or PROGRAM runs on the database server, as the server's OS user.
    if (body.is_program === true || typeof body.filename === 'string') ctx.b.kinds |= Kind['server-files'];
  },
  VariableSetStmt(body, ctx) {
    const name = typeof body.name === 'string' ? body.name : '';
    const args = Array.isArray(body.args) ? body.args : [];
    if (body.kind === 'VAR_SET_MULTI') {
      ctx.b.kinds |= transactionOptionKinds(args);
      return;
    }
    if (body.kind === 'VAR_RESET_ALL') return;
    ctx.b.settings.push(name.toLowerCase());
    const values = body.kind === 'VAR_SET_VALUE' ? args.map(constantText) : undefined;
    ctx.b.kinds |= settingKinds(name, values);
    const divergence = parserDivergence(name, values);
    if (divergence !== undefined) ctx.b.fail('parser-divergence', divergence);
  },
  AlterTableStmt(body, ctx) {
    for (const cmd of Array.isArray(body.cmds) ? body.cmds : []) {
      const subtype = asObject(asObject(cmd)?.AlterTableCmd)?.subtype;
      if (typeof subtype === 'string' && PRIVILEGE_ALTERS.has(subtype)) ctx.b.kinds |= Kind.privilege;
      if (typeof subtype === 'string' && SERVER_FILE_ALTERS.has(subtype)) ctx.b.kinds |= Kind['server-files'];
    }
  },
  TransactionStmt(body, ctx) {
    ctx.b.kinds |= transactionOptionKinds(Array.isArray(body.options) ? body.options : []);
    // Two-phase commit reaches past this session: COMMIT/ROLLBACK PREPARED settle another
    // session's writes (a read-only session may run them), and PREPARE TRANSACTION leaves locks
    // held after the session ends.
    if (body.kind === 'TRANS_STMT_COMMIT_PREPARED' || body.kind === 'TRANS_STMT_ROLLBACK_PREPARED') ctx.b.kinds |= Kind.write;
    if (body.kind === 'TRANS_STMT_PREPARE') ctx.b.kinds |= Kind.lock;
  },
  ExecuteStmt(body, ctx) {
    if (typeof body.name === 'string') ctx.b.executes.push(body.name);
  },
  DeallocateStmt(body, ctx) {
    if (body.isall === true) ctx.b.deallocatesAll = true;
    else if (typeof body.name === 'string') ctx.b.deallocates.push(body.name);
  },
  DiscardStmt(body, ctx) {
    if (body.target === 'DISCARD_ALL') ctx.b.deallocatesAll = true;
  },
  PrepareStmt(body, ctx, depth) {
    // The prepared statement is classified on its own so EXECUTE can be judged by it later.
    const inner = ctx.classifyNode(body.query, ctx.sql, ctx.nesting);
    if (typeof body.name === 'string') ctx.b.prepares.push({ name: body.name, classification: inner });
    ctx.b.absorb(inner);
    walk(body.argtypes, ctx, depth);
  },
  DoStmt(body, ctx) {
    ctx.b.absorb(classifyDoBlock(body, ctx));
  },
  CreateFunctionStmt(body, ctx, depth) {
    ctx.b.absorb(classifyFunctionBody(body, ctx));
    // funcname is the function being created, not a call: skip it; defaults and sql_body are walked.
    walkChildren(body, ctx, depth, 'funcname');
  },
};

const OWN_WALK = new Set(['PrepareStmt', 'CreateFunctionStmt']);

/** Classifies one statement node (top-level or nested) and walks its children. */
export function onStatement(tag: string, body: Json, ctx: WalkContext, depth: number): void {
  const base = STATEMENT_KINDS.get(tag);
  if (base === undefined) {
    ctx.b.fail('unknown-statement', `${tag} is not a statement the guardrail knows`);
    return;
  }
  ctx.b.kinds |= base;
  HANDLERS[tag]?.(body, ctx, depth);
  if (OWN_WALK.has(tag)) return;
  inspect(body, ctx);
  walkChildren(body, ctx, depth);
}
