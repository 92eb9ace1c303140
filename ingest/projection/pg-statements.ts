import type { StoredFrame } from '../model/stored-frame.js';
import { maskLabelsOf } from './mask-labels.js';

/** A Parse's text and the decisions on it, kept until its Executes (or until its name is reused). */
export interface Prepared {
  text: string;
  seq: number;
  ts: number;
  action: string;
  rule: string;
  masking: string[];
  executed: boolean;
}

/** A Bind: the statement its portal runs, and decisions on the Bind itself (guardrails judge Binds too). */
export interface Portal {
  prepared: Prepared | undefined;
  seq: number;
  action: string;
  rule: string;
}

/** Parses and Binds kept for decisions by seq (a statement's own entry lives as long as its name). */
const MAX_BY_SEQ = 1024;

/** One session's prepared statements and portals by name, and the decisions recorded on them. */
export class PgStatements {
  private readonly prepared = new Map<string, Prepared>();
  private readonly preparedBySeq = new Map<number, Prepared>();
  private readonly portals = new Map<string, Portal>();
  private readonly portalsBySeq = new Map<number, Portal>();

  parse(f: StoredFrame, name: string, text: string): Prepared {
    const p: Prepared = { text, seq: f.seq, ts: f.tsMicros, action: '', rule: '', masking: [], executed: false };
    this.prepared.set(name, p);
    bounded(this.preparedBySeq, f.seq, p);
    return p;
  }

  bind(f: StoredFrame, name: string, statement: string): Portal {
    const portal: Portal = { prepared: this.prepared.get(statement), seq: f.seq, action: '', rule: '' };
    this.portals.set(name, portal);
    bounded(this.portalsBySeq, f.seq, portal);
    return portal;
  }

  portal(name: string): Portal | undefined {
    return this.portals.get(name);
  }

  /** A decision naming a Parse or Bind (by refSeq): kept for the Executes that follow. */
  decide(f: StoredFrame, mask: boolean, refSeq: number): void {
    for (const t of [this.preparedBySeq.get(refSeq), this.portalsBySeq.get(refSeq)]) {
      if (t === undefined) continue;
      if (mask && 'masking' in t) addMasking(t.masking, f);
      else if (!mask && t.action !== 'BLOCK') {
        t.action = f.decisionAction;
        t.rule = f.decisionRule;
      }
    }
  }
}

/** The decision an Execute's row starts with: a block on the Bind wins; else the Parse's decision, else the Bind's. */
export function decidedBy(p: Prepared | undefined, portal: Portal | undefined): { action: string; rule: string } {
  const by = portal?.action === 'BLOCK' || (p?.action ?? '') === '' ? portal : p;
  return { action: by?.action ?? '', rule: by?.rule ?? '' };
}

export function addMasking(masking: string[], f: StoredFrame): void {
  for (const label of maskLabelsOf(f)) if (!masking.includes(label)) masking.push(label);
}

function bounded<V>(m: Map<number, V>, seq: number, v: V): void {
  m.set(seq, v);
  if (m.size > MAX_BY_SEQ) m.delete(m.keys().next().value!);
}
