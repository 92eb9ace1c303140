import type { Alert, Severity } from '../../services/core/events/types.js';
import type { Fact } from '../projection/rows.js';
import { asText, compileCondition, compileHours, durationMs, keyOf, type KeyKind, type Predicate } from './compile.js';
import type { RuleSpec } from './format.js';
import { RuleState } from './state.js';

/** A rule compiled to functions, with its spec kept for listing and alert text. */
export interface CompiledRule {
  spec: RuleSpec;
  kinds: ReadonlySet<string>;
  when: Predicate;
  outsideHours: ((tsMicros: number) => boolean) | undefined;
  after: { kinds: ReadonlySet<string>; when: Predicate; withinUs: number; by: KeyKind } | undefined;
  windowUs: number;
  source: string;
}

const asSet = (on: RuleSpec['on']): ReadonlySet<string> => new Set(Array.isArray(on) ? on : [on]);

/** Compiles a validated rule; `source` names the file it came from (for `rules list`). */
export function compileRule(spec: RuleSpec, source: string): CompiledRule {
  return {
    spec,
    kinds: asSet(spec.on),
    when: compileCondition(spec.when, spec.id),
    outsideHours: spec.hours === undefined ? undefined : compileHours(spec.hours),
    after: spec.after === undefined ? undefined : { kinds: asSet(spec.after.on), when: compileCondition(spec.after.when, spec.id), withinUs: durationMs(spec.after.within) * 1000, by: spec.after.by },
    windowUs: spec.window === undefined ? 0 : durationMs(spec.window.within) * 1000,
    source,
  };
}

/** The alert id: rule, session and triggering seq, so reprocessing the same frames raises the same id. */
export function alertIdOf(ruleId: string, sessionId: string, seq: number): string {
  return `${ruleId}/${sessionId}/${seq}`;
}

/** Fields an alert's details repeat from the fact, when present. */
const DETAIL_FIELDS = ['connection', 'client_address', 'protocol', 'statement', 'command', 'command_kind', 'rows', 'outcome', 'action', 'rule', 'target_host', 'target_database'];

/**
 * Evaluates compiled rules over facts in order. State (windows, first-seen values, sequence marks)
 * lives in a RuleState, which the caller warms from the store at start (ingest/README.md).
 */
export class RuleEngine {
  constructor(
    readonly rules: readonly CompiledRule[],
    readonly state = new RuleState(),
  ) {}

  /** The longest time any rule looks back (windows and sequences), for warming state at start. */
  get lookbackUs(): number {
    return Math.max(0, ...this.rules.map((r) => Math.max(r.windowUs, r.after?.withinUs ?? 0)));
  }

  /** Evaluates one fact; returns the alerts it raises (none while warming). */
  evaluate(fact: Fact, emit = true): Alert[] {
    const alerts: Alert[] = [];
    for (const rule of this.rules) {
      if (!rule.spec.enabled) continue;
      const a = this.evaluateRule(rule, fact);
      if (a !== undefined && emit) alerts.push(a);
    }
    return alerts;
  }

  private evaluateRule(rule: CompiledRule, fact: Fact): Alert | undefined {
    const spec = rule.spec;
    const prior = rule.after;
    let sequenced = true;
    if (prior !== undefined) {
      const key = `${spec.id}\u0000${keyOf(prior.by, fact)}`;
      sequenced = rule.kinds.has(fact.kind) && this.state.markWithin(key, fact.tsMicros, prior.withinUs);
      if (prior.kinds.has(fact.kind) && prior.when(fact.fields)) this.state.mark(key, fact.tsMicros);
    }
    if (!rule.kinds.has(fact.kind) || !sequenced || !rule.when(fact.fields)) return undefined;
    if (rule.outsideHours !== undefined && !rule.outsideHours(fact.tsMicros)) return undefined;
    if (spec.firstSeen !== undefined) {
      const key = `${spec.id}\u0000${keyOf(spec.firstSeen.by, fact)}`;
      if (!this.state.firstSeen(key, asText(fact.fields[spec.firstSeen.of]))) return undefined;
    }
    let count = 1;
    if (spec.window !== undefined) {
      const key = `${spec.id}\u0000${keyOf(spec.window.by, fact)}`;
      const distinct = spec.window.distinct === undefined ? undefined : asText(fact.fields[spec.window.distinct]);
      count = this.state.windowAdd(key, fact.tsMicros, rule.windowUs, distinct);
      if (count < spec.window.count) return undefined;
      // One alert per threshold crossing: the window starts over.
      this.state.windowReset(key);
    }
    return this.alert(rule, fact, count);
  }

  private alert(rule: CompiledRule, fact: Fact, count: number): Alert {
    const details: Record<string, unknown> = { kind: fact.kind, description: rule.spec.description };
    for (const f of DETAIL_FIELDS) if (fact.fields[f] !== undefined && fact.fields[f] !== '') details[f] = fact.fields[f];
    if (rule.spec.window !== undefined) details['count'] = count;
    return {
      alertId: alertIdOf(rule.spec.id, fact.sessionId, fact.seq),
      ruleId: rule.spec.id,
      severity: rule.spec.severity.toUpperCase() as Severity,
      title: rule.spec.title,
      subject: asText(fact.fields['subject']),
      sessionId: fact.sessionId,
      seq: fact.seq,
      tsMicros: fact.tsMicros,
      detailsJson: JSON.stringify(details),
    };
  }
}
