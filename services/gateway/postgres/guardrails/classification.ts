import type { QualifiedName } from './names.js';
import { formatName } from './names.js';

/** Why a query could not be classified; a guarded role is denied whatever its profiles. */
export type UnclassifiableReason =
  | 'dynamic-sql'
  | 'unknown-statement'
  | 'body-language'
  | 'body-unparseable'
  | 'too-deep'
  | 'unknown-prepared'
  | 'parser-divergence';

export interface WriteTarget {
  readonly relation: QualifiedName;
  /** False for UPDATE/DELETE without a filtering WHERE, TRUNCATE, MERGE ON true. */
  readonly bounded: boolean;
}

export interface PreparedDefinition {
  readonly name: string;
  readonly classification: Classification;
}

/**
 * Everything a guardrail needs to know about one query text, independent of the session and of
 * any profile, so it can be cached by the exact text and judged by many compiled guardrails.
 */
export interface Classification {
  /** OR of Kind bits over every statement, nested statement and function call. */
  readonly kinds: number;
  readonly statementCount: number;
  /** Every function called or referenced, deduplicated. */
  readonly functions: readonly QualifiedName[];
  /** Called functions that are not known pg_catalog builtins (read-only judges these). */
  readonly unknownFunctions: readonly QualifiedName[];
  readonly relations: readonly QualifiedName[];
  readonly writes: readonly WriteTarget[];
  /** Run-time settings changed (SET, RESET, set_config), lower case. */
  readonly settings: readonly string[];
  readonly prepares: readonly PreparedDefinition[];
  readonly executes: readonly string[];
  readonly deallocates: readonly string[];
  readonly deallocatesAll: boolean;
  readonly unclassifiable: { readonly reason: UnclassifiableReason; readonly detail: string } | undefined;
}

/** Mutable accumulator the walkers fill; frozen into a Classification at the end. */
export class ClassificationBuilder {
  kinds = 0;
  statementCount = 0;
  private readonly functionKeys = new Set<string>();
  readonly functions: QualifiedName[] = [];
  readonly unknownFunctions: QualifiedName[] = [];
  private readonly relationKeys = new Set<string>();
  readonly relations: QualifiedName[] = [];
  readonly writes: WriteTarget[] = [];
  readonly settings: string[] = [];
  readonly prepares: PreparedDefinition[] = [];
  readonly executes: string[] = [];
  readonly deallocates: string[] = [];
  deallocatesAll = false;
  unclassifiable: Classification['unclassifiable'] = undefined;

  /** Records a function use; returns false when it was already recorded. */
  addFunction(fn: QualifiedName, known: boolean): boolean {
    const key = formatName(fn);
    if (this.functionKeys.has(key)) return false;
    this.functionKeys.add(key);
    this.functions.push(fn);
    if (!known) this.unknownFunctions.push(fn);
    return true;
  }

  addRelation(rel: QualifiedName): void {
    const key = formatName(rel);
    if (this.relationKeys.has(key)) return;
    this.relationKeys.add(key);
    this.relations.push(rel);
  }

  /** Marks the query unclassifiable; the first reason wins because it is the root cause. */
  fail(reason: UnclassifiableReason, detail: string): void {
    this.unclassifiable ??= { reason, detail };
  }

  /** Merges a nested classification (function body, embedded PL/pgSQL SQL) into this one. */
  absorb(inner: Classification): void {
    this.kinds |= inner.kinds;
    for (const fn of inner.functions) this.addFunction(fn, !inner.unknownFunctions.includes(fn));
    for (const rel of inner.relations) this.addRelation(rel);
    this.writes.push(...inner.writes);
    this.settings.push(...inner.settings);
    if (inner.unclassifiable !== undefined) this.fail(inner.unclassifiable.reason, inner.unclassifiable.detail);
  }

  build(): Classification {
    return {
      kinds: this.kinds,
      statementCount: this.statementCount,
      functions: this.functions,
      unknownFunctions: this.unknownFunctions,
      relations: this.relations,
      writes: this.writes,
      settings: this.settings,
      prepares: this.prepares,
      executes: this.executes,
      deallocates: this.deallocates,
      deallocatesAll: this.deallocatesAll,
      unclassifiable: this.unclassifiable,
    };
  }
}
