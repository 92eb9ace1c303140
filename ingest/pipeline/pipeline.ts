import type { Clock } from '../../services/core/clock.js';
import type { EventCodec } from '../../services/core/events/codec.js';
import type { Alert } from '../../services/core/events/types.js';
import type { ConsumedBatch, EventLog } from '../../services/core/log/port.js';
import { Topics } from '../../services/core/log/port.js';
import type { Store } from '../../services/core/store/port.js';
import type { StoredFrame } from '../model/stored-frame.js';
import { maskBatch, newMaskState, type SessionMaskState } from '../masking/at-rest.js';
import type { MaskingPlans } from '../masking/profiles.js';
import { Projector, type ProjectionOutput } from '../projection/projector.js';
import { parseSessionStart } from '../projection/session-info.js';
import type { RuleEngine } from '../rules/engine.js';
import { decodeFrames } from './decode.js';
import { rebuildSessions } from './rebuild.js';
import { loadAlertIds } from '../projection/alert-ids.js';
import { writeBatch, type BatchWrites } from './writer.js';

export interface PipelineDeps {
  codec: EventCodec;
  store: Store;
  plans: MaskingPlans;
  rules: RuleEngine;
  clock: Clock;
  /** Where alerts are published (tollgate.alerts.v1); absent: store only (backtests, tests). */
  log?: EventLog;
  /**
   * Records after a start within which a dead run may have written alerts without frames: its last,
   * uncommitted batch, however the log splits it on redelivery. Sessions starting there load their
   * stored alert ids, so an alert the warmed rules do not raise again still counts. Set it to the
   * largest batch a worker takes (ingest.batchRecords); default 5000.
   */
  replayWindow?: number;
}

/** Sessions kept in memory beyond this are forgotten oldest first (and rebuilt from the store if they return). */
const MAX_OPEN_SESSIONS = 50_000;

/**
 * The ingest pipeline for one consumer: decode -> mask -> project -> rules -> write -> (commit by
 * the log once handle() resolved). Each stage is a function of its own module; this class holds the
 * state that spans batches (projections, masking state, rule state, offset fences).
 */
export class IngestPipeline {
  readonly projector = new Projector();
  readonly maskStates = new Map<string, SessionMaskState>();
  /** Per partition: highest offset whose frame is already stored (from a run that died before committing). */
  private readonly fences = new Map<string, number>();
  /** Per partition: the first offset this pipeline was handed. */
  private readonly starts = new Map<string, number>();

  constructor(private readonly deps: PipelineDeps) {}

  /** Processes one consumed batch; resolving lets the log commit its offsets. */
  async handle(batch: ConsumedBatch): Promise<void> {
    if (batch.records.length === 0) return;
    try {
      await this.process(batch);
    } catch (err) {
      // The batch comes back: forget what it folded so the retry rebuilds those sessions from the
      // store (what was written) instead of skipping frames it already saw.
      for (const r of batch.records) {
        const id = r.key;
        this.projector.sessions.delete(id);
        this.maskStates.delete(id);
      }
      this.fences.delete(`${batch.topic}/${batch.partition}`);
      throw err;
    }
  }

  private async process(batch: ConsumedBatch): Promise<void> {
    const records = batch.records;
    const { codec, store } = this.deps;
    await codec.loadWriterSchemas(records.map((r) => r.value));
    const decoded = decodeFrames(codec, records, Number(this.deps.clock.nowMicros()));
    const fence = await this.fence(batch, records[0]!.offset);
    await this.ensureSessions(decoded.frames, records[0]!.offset <= Math.max(fence, this.starts.get(`${batch.topic}/${batch.partition}`)! + (this.deps.replayWindow ?? 5000)));
    maskBatch(decoded.frames, (f) => this.maskStateOf(f));
    const out = this.projector.project(decoded.frames);
    const alerts = this.evaluate(out);
    const rows = out.rows();
    const writes: BatchWrites = {
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: records[0]!.offset,
      lastOffset: records[records.length - 1]!.offset,
      dead: decoded.dead,
      alerts,
      queries: rows.queries,
      commands: rows.commands,
      sessions: rows.sessions,
      frames: decoded.frames.filter((f) => f.logOffset > fence && !out.repeated.has(f)),
    };
    await writeBatch(store, writes);
    if (alerts.length > 0 && this.deps.log !== undefined) {
      await this.deps.log.append(Topics.alerts, alerts.map((a) => ({ key: a.sessionId ?? a.subject, value: codec.encodeAlert(a) })));
    }
    this.forgetEnded();
  }

  /** Rules over the batch's facts; each alert counts once on its session's row. */
  private evaluate(out: ProjectionOutput): Alert[] {
    const alerts: Alert[] = [];
    for (const fact of out.facts) {
      for (const a of this.deps.rules.evaluate(fact)) {
        alerts.push(a);
        const s = this.projector.sessions.get(fact.sessionId);
        if (s !== undefined && !s.alertIds.has(a.alertId)) {
          s.alertIds.add(a.alertId);
          out.touched.add(s);
        }
      }
    }
    return alerts;
  }

  /**
   * The offset fence of a partition, read from the store on the first batch this pipeline sees of
   * it: frames at or below it were stored by a run that died before committing.
   */
  private async fence(batch: ConsumedBatch, firstOffset: number): Promise<number> {
    const key = `${batch.topic}/${batch.partition}`;
    let fence = this.fences.get(key);
    if (fence === undefined) {
      this.starts.set(key, firstOffset);
      const [row] = await this.deps.store.query<{ n: string | number; m: string | number }>(
        'SELECT count() AS n, max(log_offset) AS m FROM frames WHERE log_partition = {p:UInt32} AND log_offset >= {first:UInt64}',
        { p: batch.partition, first: firstOffset },
      );
      fence = row !== undefined && Number(row.n) > 0 ? Number(row.m) : -1;
      this.fences.set(key, fence);
    }
    return fence;
  }

  /** Rebuilds sessions met mid-way (earlier frames folded by another run) before folding the batch. */
  private async ensureSessions(frames: readonly StoredFrame[], replaying: boolean): Promise<void> {
    const need = new Map<string, number>();
    const started: string[] = [];
    for (const f of frames) {
      if (this.projector.sessions.has(f.sessionId) || need.has(f.sessionId)) continue;
      if (f.seq > 0) need.set(f.sessionId, f.seq);
      else {
        this.projector.session(f.sessionId);
        started.push(f.sessionId);
      }
    }
    await rebuildSessions(this.deps.store, need, this.projector, this.maskStates, this.deps.plans);
    // Batches a dead run may have processed in part: alerts it stored for sessions starting here
    // must count once, and not be missed when the warmed rules do not raise them again.
    if (replaying) await loadAlertIds(this.deps.store, started, this.projector);
  }

  private maskStateOf(f: StoredFrame): SessionMaskState {
    let state = this.maskStates.get(f.sessionId);
    if (state === undefined) {
      state = newMaskState(this.deps.plans.fallback());
      this.maskStates.set(f.sessionId, state);
    }
    if (f.eventType === 'session.start') {
      const info = parseSessionStart(f.payload);
      state.plan = this.deps.plans.planFor(info.connection, info.maskingProfiles);
    }
    return state;
  }

  private forgetEnded(): void {
    for (const [id, s] of this.projector.sessions) {
      if (s.endedAt === null && this.projector.sessions.size <= MAX_OPEN_SESSIONS) continue;
      this.projector.sessions.delete(id);
      this.maskStates.delete(id);
    }
  }
}
