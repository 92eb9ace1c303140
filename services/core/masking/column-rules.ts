import { TollgateError } from '../errors.js';
import type { ColumnAction, ColumnRef } from './types.js';

/** A column rule as configured: which columns, and what to do with their values. */
export interface ColumnRuleConfig {
  /**
   * "column", "table.column" or "schema.table.column"; each part a case-insensitive glob (`*`, `?`),
   * double quotes allowed around a part; or "/regex/" tested (case-insensitively) against the column name.
   */
  readonly column: string;
  readonly action?: ColumnAction | undefined;
  /** For `partial`: how many trailing characters stay visible (default 4). */
  readonly keep?: number | undefined;
}

export interface CompiledColumnRule {
  readonly index: number;
  readonly source: string;
  readonly action: ColumnAction;
  readonly keep: number;
  test(column: ColumnRef): boolean;
}

/** The compiled rule list; first matching rule wins, in configuration order. */
export interface ColumnRules {
  readonly rules: readonly CompiledColumnRule[];
  match(column: ColumnRef): CompiledColumnRule | undefined;
}

const actions: readonly ColumnAction[] = ['redact', 'partial', 'hash', 'null', 'email'];

/** Splits on dots outside double quotes and unquotes each part (`""` inside quotes is one quote). */
export function splitQualified(pattern: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '"') {
      if (quoted && pattern[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === '.' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw new TollgateError('TG_ERR_CONFIG', `masking column rule "${pattern}" has an unterminated double quote`);
  parts.push(cur);
  return parts;
}

type PartMatcher = (part: string | undefined) => boolean;

function globPart(glob: string): PartMatcher {
  // A bare "*" also matches an unknown part (a computed column has no table): fail closed.
  if (glob === '*') return () => true;
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'is');
  return (part) => part !== undefined && re.test(part);
}

function compileTest(source: string): (column: ColumnRef) => boolean {
  if (source.length > 2 && source.startsWith('/') && source.endsWith('/')) {
    let re: RegExp;
    try {
      re = new RegExp(source.slice(1, -1), 'i');
    } catch (cause) {
      throw new TollgateError('TG_ERR_CONFIG', `masking column rule "${source}" is not a valid regular expression`, { cause });
    }
    return (c) => re.test(c.name);
  }
  const parts = splitQualified(source);
  if (parts.length > 3 || parts.some((p) => p.length === 0)) {
    throw new TollgateError('TG_ERR_CONFIG', `masking column rule "${source}" must be "column", "table.column" or "schema.table.column"`);
  }
  const [col, table, schema] = parts.reverse().map(globPart);
  return (c) => col!(c.name) && (table === undefined || table(c.table)) && (schema === undefined || schema(c.schema));
}

function compileRule(cfg: ColumnRuleConfig, index: number): CompiledColumnRule {
  const action = cfg.action ?? 'redact';
  if (!actions.includes(action)) {
    throw new TollgateError('TG_ERR_CONFIG', `masking column rule "${cfg.column}": unknown action "${String(action)}" (use ${actions.join(', ')})`);
  }
  const keep = cfg.keep ?? 4;
  if (!Number.isInteger(keep) || keep < 0 || keep > 64) {
    throw new TollgateError('TG_ERR_CONFIG', `masking column rule "${cfg.column}": keep must be an integer from 0 to 64`);
  }
  return { index, source: cfg.column, action, keep, test: compileTest(cfg.column) };
}

const CACHE_LIMIT = 4096;

/** Compiles column rules once; lookups are cached per (schema, table, column). */
export function compileColumnRules(configs: readonly ColumnRuleConfig[]): ColumnRules {
  const rules = configs.map(compileRule);
  const cache = new Map<string, CompiledColumnRule | null>();
  return {
    rules,
    match(column) {
      if (rules.length === 0) return undefined;
      const key = `${column.schema ?? '\u0001'}\u0000${column.table ?? '\u0001'}\u0000${column.name}`;
      let hit = cache.get(key);
      if (hit === undefined) {
        hit = rules.find((r) => r.test(column)) ?? null;
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(key, hit);
      }
      return hit ?? undefined;
    },
  };
}
