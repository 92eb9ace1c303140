import type { Classification } from './classification.js';
import type { CompiledGuardrails, JudgeContext } from './compile.js';
import { LruCache } from './decision-cache.js';
import type { Decision } from './decision.js';
import { ALLOW, decide, verdict } from './decision.js';

/**
 * Per-connection guardrail state. What a statement does can depend on what came before it:
 * `EXECUTE p` does whatever `PREPARE p` (or a named Parse) defined. PostgreSQL keeps SQL-level
 * and protocol-level prepared statements in one namespace, and so does this object.
 */
export interface GuardrailSessionOptions {
  /** FunctionCall messages name a function by OID: only these OIDs (to schema.name) may be called. */
  readonly functionCallAllowlist?: ReadonlyMap<number, string>;
  /** Most named prepared statements remembered; the least recently used is forgotten, so EXECUTE of it is denied. */
  readonly maxPrepared?: number;
}

export class GuardrailSession {
  private readonly named: LruCache<Classification>;
  private unnamed: Classification | undefined;
  private readonly ctx: JudgeContext;

  constructor(
    private readonly guardrails: CompiledGuardrails,
    private readonly options: GuardrailSessionOptions = {},
  ) {
    this.named = new LruCache(options.maxPrepared ?? 10_000);
    this.ctx = { prepared: (name) => this.named.get(name) };
  }

  /** Judges a simple-protocol Query; an allowed PREPARE/DEALLOCATE updates the session. */
  judgeQuery(sql: string): Decision {
    if (!this.guardrails.guarded) return ALLOW;
    const analysis = this.guardrails.analyze(sql);
    const decision = this.guardrails.judge(analysis, this.ctx);
    if (decision.action !== 'block' && 'classification' in analysis) this.apply(analysis.classification);
    return decision;
  }

  /**
   * Judges an extended-protocol Parse; when it is forwarded, its classification is remembered
   * under the statement name ('' is the unnamed statement) for Bind/Execute.
   */
  judgeParse(statementName: string, sql: string): Decision {
    if (!this.guardrails.guarded) return ALLOW;
    const analysis = this.guardrails.analyze(sql);
    const decision = this.guardrails.judge(analysis, this.ctx);
    if (decision.action === 'block' || !('classification' in analysis)) return decision;
    // A blocked Parse is never forwarded, so the server keeps the previous statement: so do we.
    if (statementName === '') this.unnamed = analysis.classification;
    else this.named.set(statementName, analysis.classification);
    return decision;
  }

  /** Judges a Bind/Execute of a parsed statement by what it was parsed as. */
  judgeExecute(statementName: string): Decision {
    if (!this.guardrails.guarded) return ALLOW;
    const c = statementName === '' ? this.unnamed : this.named.get(statementName);
    if (c === undefined) {
      return decide(verdict('unclassifiable/unknown-prepared', `statement "${statementName}" was not parsed through this gateway session`), this.guardrails.mode);
    }
    return this.guardrails.judge({ classification: c }, this.ctx);
  }

  /** Forgets a statement the client closed (Close message). */
  closeStatement(statementName: string): void {
    if (statementName === '') this.unnamed = undefined;
    else this.forget([statementName]);
  }

  /**
   * Judges a FunctionCall message. It carries only an OID, which the gateway cannot resolve
   * without the catalog, so guarded roles may call only allowlisted OIDs, judged as a SELECT of
   * that function.
   */
  judgeFunctionCall(oid: number): Decision {
    if (!this.guardrails.guarded) return ALLOW;
    const name = this.options.functionCallAllowlist?.get(oid);
    if (name === undefined) {
      return decide(verdict('function-call/not-allowlisted', `FunctionCall of OID ${oid}, which is not allowlisted`), this.guardrails.mode);
    }
    const quoted = name.split('.').map((part) => `"${part.replaceAll('"', '""')}"`).join('.');
    return this.guardrails.judge(this.guardrails.analyze(`SELECT ${quoted}()`), this.ctx);
  }

  /** Number of named prepared statements remembered. */
  get preparedCount(): number {
    return this.named.size;
  }

  private apply(c: Classification): void {
    if (c.deallocatesAll) {
      this.named.clear();
      this.unnamed = undefined;
    }
    this.forget(c.deallocates);
    for (const p of c.prepares) this.named.set(p.name, p.classification);
  }

  private forget(names: readonly string[]): void {
    for (const name of names) this.named.delete(name);
  }
}
