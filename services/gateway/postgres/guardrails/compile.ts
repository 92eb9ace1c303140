import { TollgateError } from '../../../core/errors.js';
import type { Classification } from './classification.js';
import { classifySql } from './classify.js';
import { LruCache } from './decision-cache.js';
import type { Decision, Verdict } from './decision.js';
import { ALLOW, SQLSTATE, decide, verdict } from './decision.js';
import { Kind } from './kinds.js';
import { formatName, NameMatcher } from './names.js';
import { isGuardrailParserLoaded } from './parser.js';
import type { ProfileName } from './profiles.js';
import { KIND_MESSAGES, PROFILES } from './profiles.js';
import type { RuleSpec } from './rules.js';
import { validateRules } from './rules.js';

/**
 * Profiles and rules compiled once into plain checks over a Classification (STYLE 8), behind an
 * LRU of classifications keyed by exact SQL text: the parse is the expensive part.
 */
export interface GuardrailOptions {
  readonly mode?: 'enforce' | 'observe';
  /** Larger query texts are refused without parsing (default 1 MiB). */
  readonly maxStatementBytes?: number;
  /** Classifications kept (default 2048). */
  readonly cacheEntries?: number;
  /** Texts longer than this are classified but not cached, bounding the cache's memory (default 16 KiB). */
  readonly cacheMaxTextLength?: number;
}

/** What the session knows that the text alone does not: statements prepared earlier. */
export interface JudgeContext {
  prepared?(name: string): Classification | undefined;
}

/** The parse result of one text: a classification, or the verdict that it cannot be parsed. */
export type Analysis = { readonly classification: Classification } | { readonly rejected: Verdict };

export interface CompiledGuardrails {
  (sql: string, ctx?: JudgeContext): Decision;
  /** Classifies (cached) without judging. */
  analyze(sql: string): Analysis;
  /** Judges an analysis in a session context. */
  judge(analysis: Analysis, ctx?: JudgeContext): Decision;
  readonly guarded: boolean;
  readonly mode: 'enforce' | 'observe';
  cacheStats(): { hits: number; misses: number; size: number };
}

type Check = (c: Classification) => Verdict | undefined;

function compileSpec(spec: RuleSpec, allowed: NameMatcher): Check[] {
  const checks: Check[] = [];
  const kinds = spec.denyKinds ?? [];
  if (kinds.length > 0) {
    // One AND decides the common case; the ordered scan only runs for a statement that fails.
    let mask = 0;
    for (const k of kinds) mask |= Kind[k];
    const table = kinds.map((k) => [Kind[k], verdict(`${spec.id}/${k}`, KIND_MESSAGES[k])] as const);
    checks.push((c) => ((c.kinds & mask) === 0 ? undefined : table.find(([bit]) => (c.kinds & bit) !== 0)?.[1]));
  }
  if (spec.denyUnknownFunctions === true) {
    const id = `${spec.id}/unknown-function`;
    checks.push((c) => {
      const fn = c.unknownFunctions.find((f) => !allowed.matches(f));
      return fn && verdict(id, `function ${formatName(fn)} is not a known builtin nor allowed by policy`);
    });
  }
  if (spec.denyFunctions !== undefined) {
    const m = new NameMatcher(spec.denyFunctions);
    checks.push((c) => {
      const fn = c.functions.find((f) => m.matches(f));
      return fn && verdict(`${spec.id}/function`, `function ${formatName(fn)} is denied`);
    });
  }
  if (spec.denyTables !== undefined) {
    const m = new NameMatcher(spec.denyTables);
    checks.push((c) => {
      const rel = c.relations.find((r) => m.matches(r));
      return rel && verdict(`${spec.id}/table`, `relation ${formatName(rel)} is denied`);
    });
  }
  if (spec.requireWhere !== undefined) {
    const m = new NameMatcher(spec.requireWhere);
    checks.push((c) => {
      const w = c.writes.find((t) => !t.bounded && m.matches(t.relation));
      return w && verdict(`${spec.id}/require-where`, `writes to ${formatName(w.relation)} need a filtering WHERE`);
    });
  }
  if (spec.denySettings !== undefined) {
    const names = new Set(spec.denySettings.map((s) => s.toLowerCase()));
    checks.push((c) => {
      const s = c.settings.find((n) => names.has(n));
      return s === undefined ? undefined : verdict(`${spec.id}/setting`, `setting ${s} may not be changed`);
    });
  }
  const max = spec.maxStatements;
  if (max !== undefined) {
    checks.push((c) => (c.statementCount <= max ? undefined : verdict(`${spec.id}/max-statements`, `more than ${max} statements in one query`)));
  }
  return checks;
}

function unclassifiable(c: Classification): Verdict | undefined {
  const u = c.unclassifiable;
  return u && verdict(`unclassifiable/${u.reason}`, `${u.detail}; statements that cannot be classified are denied`);
}

/** Compiles shipped profiles plus a policy's own rules into one decision function. */
export function compileGuardrails(
  profileNames: readonly ProfileName[],
  customRules: unknown = [],
  options: GuardrailOptions = {},
): CompiledGuardrails {
  if (!isGuardrailParserLoaded()) {
    throw new TollgateError('TG_ERR_INTERNAL', 'guardrail parser not loaded: await loadGuardrailParser() before compiling');
  }
  const unknownProfiles = profileNames.filter((p) => !(p in PROFILES));
  if (unknownProfiles.length > 0) {
    throw new TollgateError('TG_ERR_CONFIG', `unknown guardrail profile(s): ${unknownProfiles.join(', ')}`);
  }
  const specs: RuleSpec[] = [...profileNames.map((p) => PROFILES[p]), ...validateRules(customRules)];
  const allowed = new NameMatcher(specs.flatMap((s) => s.allowFunctions ?? []));
  const checks = [unclassifiable, ...specs.flatMap((s) => compileSpec(s, allowed))];
  const mode = options.mode ?? 'enforce';
  const maxBytes = options.maxStatementBytes ?? 1024 * 1024;
  const maxCached = options.cacheMaxTextLength ?? 16 * 1024;
  const cache = new LruCache<Analysis>(options.cacheEntries ?? 2048);
  const guarded = specs.length > 0;

  const evaluate = (c: Classification): Verdict | undefined => {
    for (const check of checks) {
      const v = check(c);
      if (v !== undefined) return v;
    }
    return undefined;
  };

  const judge = (analysis: Analysis, ctx?: JudgeContext): Decision => {
    if (!guarded) return ALLOW;
    if ('rejected' in analysis) return decide(analysis.rejected, mode);
    const c = analysis.classification;
    let v = evaluate(c);
    for (let i = 0; v === undefined && i < c.executes.length; i++) {
      const name = c.executes[i] as string;
      const prepared = c.prepares.find((p) => p.name === name)?.classification ?? ctx?.prepared?.(name);
      v = prepared === undefined
        ? verdict('unclassifiable/unknown-prepared', `EXECUTE of ${name}, which was not prepared through this gateway session`)
        : evaluate(prepared);
    }
    return v === undefined ? ALLOW : decide(v, mode);
  };

  const analyze = (sql: string): Analysis => {
    const hit = cache.get(sql);
    if (hit !== undefined) return hit;
    const analysis = analyzeUncached(sql, maxBytes);
    if (sql.length <= maxCached) cache.set(sql, analysis);
    return analysis;
  };

  const fn = (sql: string, ctx?: JudgeContext): Decision => (guarded ? judge(analyze(sql), ctx) : ALLOW);
  return Object.assign(fn, {
    analyze,
    judge,
    guarded,
    mode,
    cacheStats: () => ({ hits: cache.hits, misses: cache.misses, size: cache.size }),
  });
}

function analyzeUncached(sql: string, maxBytes: number): Analysis {
  if (sql.length > maxBytes || (sql.length * 3 > maxBytes && Buffer.byteLength(sql, 'utf8') > maxBytes)) {
    return { rejected: verdict('parse/too-large', `query text exceeds ${maxBytes} bytes`, SQLSTATE.programLimitExceeded) };
  }
  // The parser reads a C string: text after a NUL would be invisible to it but not to a server.
  if (sql.includes('\0')) {
    return { rejected: verdict('parse/null-byte', 'query text contains a NUL byte', SQLSTATE.characterNotInRepertoire) };
  }
  // An empty text is a valid (empty) query to PostgreSQL; the parser alone refuses it.
  if (sql.length === 0) return { classification: classifySql(';') };
  try {
    return { classification: classifySql(sql) };
  } catch (err) {
    if (err instanceof TollgateError) throw err;
    if (err instanceof RangeError) {
      // Nesting deep enough to exhaust the stack; PostgreSQL answers such text the same way.
      return { rejected: verdict('parse/too-complex', 'query text is nested too deeply to analyse', SQLSTATE.statementTooComplex) };
    }
    const detail = err instanceof Error ? err.message : String(err);
    return { rejected: verdict('parse/syntax', `PostgreSQL's parser rejected the text (${detail})`, SQLSTATE.syntaxError) };
  }
}
