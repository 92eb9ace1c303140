import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Clock } from '../../services/core/clock.js';
import type { EventCodec } from '../../services/core/events/codec.js';
import type { Alert } from '../../services/core/events/types.js';
import type { BatchTail, ConsumedBatch, EventLog } from '../../services/core/log/port.js';
import { Topics } from '../../services/core/log/port.js';
import type { Store } from '../../services/core/store/port.js';
import type { StoredFrame } from '../model/stored-frame.js';
import { maskBatch, newMaskState, type SessionMaskState } from '../masking/at-rest.js';
import type { MaskingPlans } from '../masking/profiles.js';
import { Projector, type ProjectionOutput } from '../projection/projector.js';
import { parseSessionStart } from '../projection/session-info.js';
import type { RuleEngine } from '../rules/engine.js';
import { decodeFrames } from './decode.js';
import { EvictedSessions } from './evicted.js';
import { rebuildSessions } from './rebuild.js';
import { loadAlertIds } from '../projection/alert-ids.js';
import { StageClock, type StageTimes } from './stage-clock.js';
import { encodeBatchWrites, writeEncoded, type BatchWrites, type EncodedBatch } from './writer.js';

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
  /** Adds each stage's wall time (ms) per batch here (benchmarks). */
  stageTimes?: StageTimes;
}

/** Sessions kept in memory beyond this are forgotten oldest first (and rebuilt from the store if they return). */
const MAX_OPEN_SESSIONS = 50_000;

/**
 * The ingest pipeline for one consumer: decode -> mask -> project -> rules (`stage`), then write
 * (the batch's tail) -> commit by the log once the tail resolved. Each stage is a function of its own
 * module; this class holds the state that spans batches (projections, masking state, rule state,
 * offset fences, marks of evicted sessions).
 *
 * Overlap: the log may stage batch N+1 while batch N's tail writes. Tails run one at a time in
 * staging order (the log's promise), so "frames of batch N+1 stored" still implies batch N is stored.
 * Store reads while staging (fences, sessions met mid-way) first wait for the running tail.
 */
export class IngestPipeline {
  readonly projector = new Projector();
  readonly maskStates = new Map<string, SessionMaskState>();
  readonly evicted = new EvictedSessions();
  /** Per partition: highest offset whose frame is already stored (from a run that died before committing). */
  private readonly fences = new Map<string, number>();
  /** Per partition: the first offset this pipeline was handed. */
  private readonly starts = new Map<string, number>();
  /** Batches staged whose tail has not succeeded yet, in staging order. */
  private readonly unwritten: ConsumedBatch[] = [];
  /** The tail running now (settled: never rejects). */
  private running: Promise<void> = Promise.resolve();
  /** Set when a tail failed: until its batch comes back, what is staged is dropped (the log redelivers it). */
  private failed: { partition: number; first: number } | undefined;

  constructor(private readonly deps: PipelineDeps) {}

  /** Processes one batch and writes it; resolving lets the log commit its offsets. */
  async handle(batch: ConsumedBatch): Promise<void> {
    const tail = await this.stage(batch);
    await tail?.();
  }

  /**
   * Decodes, masks, projects and evaluates one batch; resolves with its tail (the writes), which the
   * log runs after the previous batch's tail succeeded and before it commits this batch's offsets.
   */
  async stage(batch: ConsumedBatch): Promise<BatchTail | undefined> {
    if (batch.records.length === 0) return undefined;
    const first = batch.records[0]!.offset;
    if (this.failed !== undefined && batch.partition === this.failed.partition && first <= this.failed.first) this.recover();
    let writes: BatchWrites;
    let encoded: EncodedBatch;
    try {
      writes = await this.prepare(batch);
      const t = new StageClock(this.deps.stageTimes);
      encoded = await encodeBatchWrites(this.deps.store, writes);
      t.lap('encode');
    } catch (err) {
      // The batch comes back: forget what it folded so the retry rebuilds those sessions from the
      // store (what was written) instead of skipping frames it already saw.
      this.forget(batch);
      this.fences.delete(`${batch.topic}/${batch.partition}`);
      throw err;
    }
    this.unwritten.push(batch);
    if (this.failed !== undefined) {
      // Staged on state a failed tail left behind: the log redelivers this batch after the failed one.
      return () => Promise.reject(new Error('an earlier batch of this consumer failed to write; redelivered'));
    }
    return () => this.write(batch, writes.alerts, encoded);
  }

  private async write(batch: ConsumedBatch, alerts: readonly Alert[], encoded: EncodedBatch): Promise<void> {
    const t = new StageClock(this.deps.stageTimes);
    const run = (async () => {
      await writeEncoded(this.deps.store, encoded);
      if (alerts.length > 0 && this.deps.log !== undefined) {
        const { codec } = this.deps;
        await this.deps.log.append(Topics.alerts, alerts.map((a) => ({ key: a.sessionId ?? a.subject, value: codec.encodeAlert(a) })));
      }
    })();
    this.running = run.then(() => undefined, () => undefined);
    try {
      await run;
    } catch (err) {
      this.failed ??= { partition: batch.partition, first: batch.records[0]!.offset };
      throw err;
    }
    const at = this.unwritten.indexOf(batch);
    if (at >= 0) this.unwritten.splice(at, 1);
    t.lap('write');
  }

  /** After a failed tail: forget what every unwritten batch folded; the log hands them over again. */
  private recover(): void {
    for (const b of this.unwritten.splice(0)) {
      this.forget(b);
      this.fences.delete(`${b.topic}/${b.partition}`);
    }
    this.failed = undefined;
  }

  private forget(batch: ConsumedBatch): void {
    for (const r of batch.records) {
      this.projector.sessions.delete(r.key);
      this.maskStates.delete(r.key);
      this.evicted.delete(r.key);
    }
  }

  private async prepare(batch: ConsumedBatch): Promise<BatchWrites> {
    const t = new StageClock(this.deps.stageTimes);
    const records = batch.records;
    const { codec } = this.deps;
    await codec.loadWriterSchemas(records.map((r) => r.value));
    const decoded = decodeFrames(codec, records, Number(this.deps.clock.nowMicros()));
    t.lap('decode');
    // Each stage runs over the whole batch without yielding; in embedded mode the event loop also
    // carries the gateway's traffic, so it gets a turn between stages.
    await yieldToEventLoop();
    const first = records[0]!.offset;
    const key = `${batch.topic}/${batch.partition}`;
    const fence = await this.fence(batch, first);
    const fresh = this.dropRepeats(decoded.frames);
    // Replaying: at or below the fence, or inside the first window after the start (a dead run's last batch).
    await this.ensureSessions(batch, fresh, first <= fence || first < this.starts.get(key)! + (this.deps.replayWindow ?? 5000));
    t.lap('sessions');
    maskBatch(fresh, (f) => this.maskStateOf(f));
    t.lap('mask');
    await yieldToEventLoop();
    const out = this.projector.project(fresh);
    t.lap('project');
    await yieldToEventLoop();
    const alerts = this.evaluate(out);
    t.lap('rules');
    await yieldToEventLoop();
    const rows = out.rows();
    this.forgetEnded();
    return {
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: first,
      lastOffset: records[records.length - 1]!.offset,
      dead: decoded.dead,
      alerts,
      queries: rows.queries,
      commands: rows.commands,
      sessions: rows.sessions,
      frames: fresh.filter((f) => f.logOffset > fence && !out.repeated.has(f)),
    };
  }

  /** Frames of evicted sessions at or below their mark: delivered again, dropped before anything sees them. */
  private dropRepeats(frames: StoredFrame[]): StoredFrame[] {
    if (this.evicted.size === 0) return frames;
    return frames.filter((f) => {
      if (this.projector.sessions.has(f.sessionId)) return true;
      const mark = this.evicted.get(f.sessionId);
      return mark === undefined || f.seq > mark;
    });
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
      if (!this.starts.has(key)) this.starts.set(key, firstOffset);
      await this.running;
      const [row] = await this.deps.store.query<{ n: string | number; m: string | number }>(
        'SELECT count() AS n, max(log_offset) AS m FROM frames WHERE log_partition = {p:UInt32} AND log_offset >= {first:UInt64}',
        { p: batch.partition, first: firstOffset },
      );
      fence = row !== undefined && Number(row.n) > 0 ? Number(row.m) : -1;
      this.fences.set(key, fence);
    }
    return fence;
  }

  /** Rebuilds sessions met mid-way (earlier frames folded by another run, or evicted) before folding the batch. */
  private async ensureSessions(batch: ConsumedBatch, frames: readonly StoredFrame[], replaying: boolean): Promise<void> {
    const need = new Set<string>();
    const started: string[] = [];
    for (const f of frames) {
      if (this.projector.sessions.has(f.sessionId) || need.has(f.sessionId)) continue;
      if (f.seq > 0) need.add(f.sessionId);
      else {
        this.projector.session(f.sessionId);
        started.push(f.sessionId);
      }
    }
    if (need.size === 0 && !(replaying && started.length > 0)) return;
    // The store must hold everything folded so far before it is read back.
    await this.running;
    await rebuildSessions(this.deps.store, need, { partition: batch.partition, first: batch.records[0]!.offset }, this.projector, this.maskStates, this.deps.plans);
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
      this.evicted.set(id, s.lastSeq);
    }
  }
}
