import type { Store } from '../../services/core/store/port.js';
import { STORED_FRAME_COLUMNS, storedFrameFromRow, type StoredFrame } from '../model/stored-frame.js';

/** Sessions read per query when walking stored history (bounds memory, not correctness). */
export const SESSIONS_PER_PAGE = 200;

/**
 * Walks the stored frames session by session, in (session_id, seq) order, a page of sessions at a
 * time. `sinceMicros` keeps sessions with a frame at or after it (0 = all).
 */
export async function* storedSessions(store: Store, sinceMicros = 0, pageSize = SESSIONS_PER_PAGE): AsyncGenerator<StoredFrame[]> {
  const ids = await store.query<{ session_id: string }>(
    'SELECT DISTINCT session_id FROM frames WHERE ts >= fromUnixTimestamp64Micro({since:Int64}) ORDER BY session_id',
    { since: sinceMicros },
  );
  for (let i = 0; i < ids.length; i += pageSize) {
    const page = ids.slice(i, i + pageSize).map((r) => r.session_id);
    const rows = await store.query(`SELECT ${STORED_FRAME_COLUMNS} FROM frames WHERE session_id IN {ids:Array(String)} ORDER BY session_id, seq`, { ids: page });
    yield rows.map(storedFrameFromRow);
  }
}
