/**
 * What a guardrail answers for one message. A block carries a stable rule id (recorded, matched
 * by alerts, shown to the client) and the SQLSTATE the gateway sends in its ErrorResponse.
 */
export const SQLSTATE = {
  /** Blocks and unclassifiable input: the role may not run this. */
  insufficientPrivilege: '42501',
  /** Text the PostgreSQL parser rejects. */
  syntaxError: '42601',
  /** Text larger than the configured limit. */
  programLimitExceeded: '54000',
  /** Nesting too deep to analyse (PostgreSQL's own code for stack depth exceeded). */
  statementTooComplex: '54001',
  /** A NUL byte: PostgreSQL's own answer to one in query text. */
  characterNotInRepertoire: '22021',
} as const;

export interface AllowDecision {
  readonly action: 'allow';
}

export interface Verdict {
  /** Stable id such as `read-only/write`; never reused for a different meaning. */
  readonly ruleId: string;
  readonly sqlstate: string;
  /** Names the rule and what triggered it; safe to show to the client (no values from the query). */
  readonly message: string;
}

export interface BlockDecision extends Verdict {
  readonly action: 'block';
}

/** Observe mode: the statement would have been blocked, but runs; the verdict is recorded. */
export interface ObserveDecision extends Verdict {
  readonly action: 'observe';
}

export type Decision = AllowDecision | BlockDecision | ObserveDecision;

/** The one allow decision, shared so the hot path allocates nothing for it. */
export const ALLOW: AllowDecision = Object.freeze({ action: 'allow' });

// Quoted identifiers may hold line breaks, terminal escapes and bidi overrides; the message is
// recorded and logged, so a name like "x\nINFO ..." must not start a forged line there.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Builds a verdict whose message names the rule. */
export function verdict(ruleId: string, what: string, sqlstate: string = SQLSTATE.insufficientPrivilege): Verdict {
  return { ruleId, sqlstate, message: `blocked by guardrail ${ruleId}: ${what.replace(UNPRINTABLE, '?')}` };
}

/** Turns a verdict into the decision for the configured mode. */
export function decide(v: Verdict, mode: 'enforce' | 'observe'): BlockDecision | ObserveDecision {
  return { action: mode === 'enforce' ? 'block' : 'observe', ruleId: v.ruleId, sqlstate: v.sqlstate, message: v.message };
}
