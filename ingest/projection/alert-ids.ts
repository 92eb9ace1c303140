import type { Store } from '../../services/core/store/port.js';
import type { Projector } from './projector.js';

/** Adds the ids of stored alerts to their sessions' projections (the alert count is their number). */
export async function loadAlertIds(store: Store, sessionIds: readonly string[], projector: Projector): Promise<void> {
  if (sessionIds.length === 0) return;
  const rows = await store.query<{ session_id: string; alert_id: string }>(
    'SELECT session_id, alert_id FROM alerts FINAL WHERE session_id IN {ids:Array(String)}',
    { ids: sessionIds },
  );
  for (const r of rows) projector.session(r.session_id).alertIds.add(r.alert_id);
}
