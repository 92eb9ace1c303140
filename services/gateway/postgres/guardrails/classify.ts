import type { Classification } from './classification.js';
import { ClassificationBuilder } from './classification.js';
import { parseSql } from './parser.js';
import { onStatement } from './statements.js';
import type { WalkContext } from './walker.js';
import { asObject, walkChildren } from './walker.js';

/**
 * Entry point of the classifier: SQL text in, Classification out. Throws the parser's error for
 * text PostgreSQL would reject; the compiled guardrail turns that into a syntax-error decision.
 */
export function classifySql(sql: string): Classification {
  return classifyText(sql, 0, true);
}

// Bodies inside bodies (a SQL function creating a function...): past this, stop and deny.
const MAX_NESTING = 8;

function classifyText(sql: string, nesting: number, topLevel: boolean): Classification {
  const b = new ClassificationBuilder();
  if (nesting > MAX_NESTING) {
    b.fail('too-deep', `SQL bodies nested more than ${MAX_NESTING} deep`);
    return b.build();
  }
  let parsed;
  try {
    parsed = parseSql(sql);
  } catch (err) {
    if (topLevel) throw err;
    b.fail('body-unparseable', `embedded SQL rejected by the parser: ${(err as Error).message}`);
    return b.build();
  }
  const stmts = parsed.stmts ?? [];
  b.statementCount = stmts.length;
  for (const raw of stmts) {
    const start = raw.stmt_location ?? 0;
    const ctx = context(b, sql, [start, raw.stmt_len === undefined || raw.stmt_len === 0 ? undefined : start + raw.stmt_len], nesting);
    walkChildren(asObject(raw.stmt) ?? {}, ctx, 0);
  }
  return b.build();
}

function classifyNode(node: unknown, sql: string, nesting: number): Classification {
  const b = new ClassificationBuilder();
  b.statementCount = 1;
  const obj = asObject(node);
  if (obj !== undefined) walkChildren({ query: obj }, context(b, sql, [0, undefined], nesting), 0);
  return b.build();
}

function context(b: ClassificationBuilder, sql: string, span: [number, number | undefined], nesting: number): WalkContext {
  return {
    b,
    sql,
    span,
    nesting,
    onStatement,
    classifyNested: (text, n) => classifyText(text, n, false),
    classifyNode,
  };
}
