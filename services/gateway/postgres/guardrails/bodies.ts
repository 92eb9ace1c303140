import type { Classification } from './classification.js';
import { ClassificationBuilder } from './classification.js';
import { Kind } from './kinds.js';
import { parsePlpgsql, scanSql, sliceBytes } from './parser.js';
import type { Json, WalkContext } from './walker.js';
import { asObject, stringValue } from './walker.js';

/**
 * Code that runs later or elsewhere: DO blocks and function bodies. Their SQL is classified as if
 * it ran now, because defining a function that writes is the first half of running it. PL/pgSQL
 * goes through the real PL/pgSQL parser; dynamic EXECUTE cannot be classified.
 */
const MAX_NESTING = 4;
const DYNAMIC_NODES = new Set(['PLpgSQL_stmt_dynexecute', 'PLpgSQL_stmt_dynfors']);
const TRANSACTION_NODES = new Set(['PLpgSQL_stmt_commit', 'PLpgSQL_stmt_rollback']);

// RawParseMode in PostgreSQL's parser.h: how PL/pgSQL hands an expression to the SQL parser.
const PARSE_STATEMENT = 0;
const PARSE_EXPRESSION = 2;

function option(list: unknown, name: string): unknown {
  for (const item of Array.isArray(list) ? list : []) {
    const def = asObject(asObject(item)?.DefElem);
    if (def?.defname === name) return def.arg;
  }
  return undefined;
}

function failed(reason: 'body-language' | 'body-unparseable' | 'too-deep' | 'dynamic-sql', detail: string): Classification {
  const b = new ClassificationBuilder();
  b.fail(reason, detail);
  return b.build();
}

function statementText(ctx: WalkContext): string {
  const [start, end] = ctx.span;
  return sliceBytes(ctx.sql, start, end);
}

/** Classifies the PL/pgSQL (or other language) body of a DO statement. */
export function classifyDoBlock(body: Json, ctx: WalkContext): Classification {
  const language = stringValue(option(body.args, 'language')) ?? 'plpgsql';
  if (language !== 'plpgsql') return failed('body-language', `DO block in language ${language}`);
  const code = stringValue(option(body.args, 'as'));
  if (code === undefined) return failed('body-unparseable', 'DO block without a body');
  if (asksForDump(code)) return failed('body-unparseable', DUMP_REFUSED);
  // Rebuild the statement around the body: dollar quotes with a tag the body cannot contain.
  let tag = 'tg';
  while (code.includes(`$${tag}$`)) tag += 'x';
  return classifyPlpgsqlText(`DO $${tag}$${code}$${tag}$`, ctx);
}

/** Classifies a CREATE FUNCTION/PROCEDURE body: SQL and PL/pgSQL are read, other languages are not. */
export function classifyFunctionBody(body: Json, ctx: WalkContext): Classification {
  if (body.sql_body !== undefined) return new ClassificationBuilder().build(); // BEGIN ATOMIC: walked as nodes
  const language = (stringValue(option(body.options, 'language')) ?? 'sql').toLowerCase();
  const as = option(body.options, 'as');
  const items = asObject(as)?.List;
  const parts = Array.isArray(asObject(items)?.items) ? (asObject(items)?.items as unknown[]) : [as];
  const code = stringValue(parts[0]);
  if (language === 'sql') {
    if (code === undefined) return failed('body-unparseable', 'SQL function without a body');
    return ctx.classifyNested(code, ctx.nesting + 1);
  }
  if (language !== 'plpgsql') return failed('body-language', `function in language ${language}`);
  if (code === undefined || asksForDump(code)) return failed('body-unparseable', code === undefined ? 'PL/pgSQL function without a body' : DUMP_REFUSED);
  return classifyPlpgsqlText(statementText(ctx), ctx);
}

const DUMP_REFUSED = '#option dump makes the PL/pgSQL compiler print the body to the gateway\'s stdout';

/**
 * `#option dump` makes libpg-query's PL/pgSQL compiler print the function's tree, body text
 * included, straight to the process's stdout, where the gateway's log goes: a body could forge
 * log lines. Compiler options come first in a body (`#name value`, three tokens each, comments
 * anywhere), and `option dump` is the only one named "option". Unscannable text counts as asking.
 */
function asksForDump(code: string): boolean {
  let tokens: string[];
  try {
    tokens = scanSql(code).tokens.map((t) => t.text).filter((t) => !t.startsWith('/*') && !t.startsWith('--'));
  } catch {
    return true;
  }
  for (let i = 0; tokens[i] === '#'; i += 3) if (tokens[i + 1]?.toLowerCase() === 'option') return true;
  return false;
}

function classifyPlpgsqlText(text: string, ctx: WalkContext): Classification {
  if (ctx.nesting >= MAX_NESTING) return failed('too-deep', `bodies nested more than ${MAX_NESTING} deep`);
  let tree: unknown;
  try {
    tree = parsePlpgsql(text);
  } catch (err) {
    return failed('body-unparseable', `PL/pgSQL rejected: ${(err as Error).message}`);
  }
  const b = new ClassificationBuilder();
  walkPlpgsql(tree, b, ctx, 0);
  return b.build();
}

function walkPlpgsql(node: unknown, b: ClassificationBuilder, ctx: WalkContext, depth: number): void {
  if (depth > 500) return b.fail('too-deep', 'PL/pgSQL tree too deep');
  if (Array.isArray(node)) {
    for (const item of node) walkPlpgsql(item, b, ctx, depth + 1);
    return;
  }
  const obj = asObject(node);
  if (obj === undefined) return;
  if (typeof obj.query === 'string') b.absorb(classifyExpression(obj.query, obj.parseMode, ctx));
  for (const key in obj) {
    if (DYNAMIC_NODES.has(key) || key === 'dynquery') b.fail('dynamic-sql', 'PL/pgSQL EXECUTE of a string');
    if (TRANSACTION_NODES.has(key)) b.kinds |= Kind.transaction;
    walkPlpgsql(obj[key], b, ctx, depth + 1);
  }
}

function classifyExpression(query: string, mode: unknown, ctx: WalkContext): Classification {
  const nesting = ctx.nesting + 1;
  if (mode === undefined || mode === PARSE_STATEMENT) return ctx.classifyNested(query, nesting);
  if (mode === PARSE_EXPRESSION) return ctx.classifyNested(`SELECT ${query}`, nesting);
  // Assignment (`target := expr`): classify both sides as expressions; subscripts may call functions.
  const split = assignmentSplit(query);
  if (split === undefined) return failed('body-unparseable', 'PL/pgSQL assignment not understood');
  const b = new ClassificationBuilder();
  b.absorb(ctx.classifyNested(`SELECT ${split[0]}`, nesting));
  b.absorb(ctx.classifyNested(`SELECT ${split[1]}`, nesting));
  return b.build();
}

function assignmentSplit(query: string): [string, string] | undefined {
  let depth = 0;
  for (const token of scanSql(query).tokens) {
    if (token.text === '(' || token.text === '[') depth++;
    else if (token.text === ')' || token.text === ']') depth--;
    else if (depth === 0 && (token.text === ':=' || token.text === '=')) {
      return [sliceBytes(query, 0, token.start), sliceBytes(query, token.end, undefined)];
    }
  }
  return undefined;
}
