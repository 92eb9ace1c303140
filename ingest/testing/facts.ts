import type { AppendRecord } from '../../services/core/log/port.js';
import type { Alert } from '../../services/core/events/types.js';
import type { EventCodec } from '../../services/core/events/codec.js';
import { decodeFrames } from '../pipeline/decode.js';
import { ProjectionOutput, Projector } from '../projection/projector.js';
import type { Fact } from '../projection/rows.js';
import { RuleEngine, type CompiledRule } from '../rules/engine.js';

/** The rule facts recorded frames produce (decoded and projected, no masking, no store). */
export function factsOf(codec: EventCodec, records: readonly AppendRecord[]): Fact[] {
  const decoded = decodeFrames(codec, records.map((r, i) => ({ topic: 't', partition: 0, offset: i, key: r.key, value: r.value, timestampMs: 0 })), 0);
  return new Projector().project(decoded.frames, new ProjectionOutput()).facts;
}

/** Alerts the rules raise over recorded frames, in order. */
export function alertsOf(codec: EventCodec, records: readonly AppendRecord[], rules: readonly CompiledRule[]): Alert[] {
  const engine = new RuleEngine(rules);
  return factsOf(codec, records).flatMap((f) => engine.evaluate(f));
}
