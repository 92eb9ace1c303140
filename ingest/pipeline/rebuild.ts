import type { Store } from '../../services/core/store/port.js';
import { STORED_FRAME_COLUMNS, storedFrameFromRow, type StoredFrame } from '../model/stored-frame.js';
import { isTerminalFrame, newMaskState, type SessionMaskState } from '../masking/at-rest.js';
import type { MaskingPlans } from '../masking/profiles.js';
import { maskPgPayload } from '../masking/postgres.js';
import { STREAM_CONTEXT_CHARS } from '../masking/terminal.js';
import { ProjectionOutput, type Projector } from '../projection/projector.js';
import { parseSessionStart } from '../projection/session-info.js';
import { loadAlertIds } from '../projection/alert-ids.js';

/**
 * Sessions whose earlier frames this worker has not folded (it restarted, took over a partition, or
 * evicted them) are rebuilt from the stored frames before the batch is processed: the projection
 * state by folding them, the masking state from session.start and the last result columns. One query
 * per batch. Every stored frame is folded except those of the batch itself (`partition`, offsets from
 * `first`: stored by a run that died before committing, folded again from the batch), so a frame the
 * recorder delivered again at a later offset is a repeat to the projection and is not stored twice.
 */
export async function rebuildSessions(
  store: Store,
  need: ReadonlySet<string>,
  batch: { partition: number; first: number },
  projector: Projector,
  maskStates: Map<string, SessionMaskState>,
  plans: MaskingPlans,
): Promise<void> {
  if (need.size === 0) return;
  const ids = [...need];
  const rows = await store.query(
    `SELECT ${STORED_FRAME_COLUMNS} FROM frames WHERE session_id IN {ids:Array(String)} ORDER BY session_id, seq`,
    { ids },
  );
  const scratch = new ProjectionOutput();
  for (const id of ids) maskStates.set(id, newMaskState(plans.fallback()));
  for (const r of rows) {
    const f = storedFrameFromRow(r);
    if (f.logPartition === batch.partition && f.logOffset >= batch.first) continue;
    observe(f, maskStates.get(f.sessionId)!, plans);
    projector.fold(f, scratch);
  }
  await loadAlertIds(store, ids, projector);
}

/** Updates a session's masking state from a stored frame without masking it again. */
export function observe(f: StoredFrame, state: SessionMaskState, plans: MaskingPlans): void {
  if (f.eventType === 'session.start') {
    const info = parseSessionStart(f.payload);
    state.plan = plans.planFor(info.connection, info.maskingProfiles);
  } else if (f.protocol === 'POSTGRES' && f.messageType === 'RowDescription') {
    maskPgPayload(state.plan, state.pg, f.direction, f.messageType, f.payload);
  } else if (isTerminalFrame(f)) {
    const key = `${f.channel ?? -1}/${f.direction}`;
    state.tails.set(key, ((state.tails.get(key) ?? '') + f.payload.toString('utf8')).slice(-STREAM_CONTEXT_CHARS));
  }
}
