import type { Alert } from '../../services/core/events/types.js';
import type { Store } from '../../services/core/store/port.js';
import { ProjectionOutput, Projector } from '../projection/projector.js';
import { storedSessions } from '../projection/stored-sessions.js';
import { RuleEngine, type CompiledRule } from './engine.js';

export interface BacktestReport {
  sessions: number;
  facts: number;
  alerts: Alert[];
}

/**
 * Runs rules over stored history without writing anything: sessions with frames since `sinceMicros`
 * are folded in session order by the live projection code and every fact is evaluated. Alert ids
 * equal those live ingest would raise for the same frames.
 */
export async function backtest(store: Store, rules: readonly CompiledRule[], sinceMicros: number): Promise<BacktestReport> {
  const engine = new RuleEngine(rules);
  const report: BacktestReport = { sessions: 0, facts: 0, alerts: [] };
  for await (const frames of storedSessions(store, sinceMicros)) {
    const projector = new Projector();
    const out = projector.project(frames, new ProjectionOutput());
    report.sessions += projector.sessions.size;
    report.facts += out.facts.length;
    for (const fact of out.facts) report.alerts.push(...engine.evaluate(fact));
  }
  return report;
}
