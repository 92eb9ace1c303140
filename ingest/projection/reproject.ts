import type { Store } from '../../services/core/store/port.js';
import { ProjectionOutput, Projector } from './projector.js';
import { loadAlertIds } from './alert-ids.js';
import { storedSessions } from './stored-sessions.js';

export interface ReprojectReport {
  sessions: number;
  queries: number;
  commands: number;
  frames: number;
}

/**
 * Rebuilds sessions, queries and commands from the stored frames with the live projection code, so
 * the rows equal those ingest wrote. `truncate` empties the three tables first (rows of sessions
 * whose frames expired go too); otherwise rows are rewritten in place (ReplacingMergeTree).
 */
export async function reproject(store: Store, options: { truncate?: boolean; onProgress?: (r: ReprojectReport) => void } = {}): Promise<ReprojectReport> {
  if (options.truncate === true) {
    for (const table of ['sessions', 'queries', 'commands']) await store.command(`TRUNCATE TABLE ${table}`);
  }
  const report: ReprojectReport = { sessions: 0, queries: 0, commands: 0, frames: 0 };
  for await (const frames of storedSessions(store)) {
    const projector = new Projector();
    const out = projector.project(frames, new ProjectionOutput());
    const ids = [...projector.sessions.keys()];
    await loadAlertIds(store, ids, projector);
    const rows = out.rows();
    if (rows.queries.length > 0) await store.insert('queries', rows.queries as unknown as Record<string, unknown>[]);
    if (rows.commands.length > 0) await store.insert('commands', rows.commands as unknown as Record<string, unknown>[]);
    if (rows.sessions.length > 0) await store.insert('sessions', rows.sessions as unknown as Record<string, unknown>[]);
    report.sessions += rows.sessions.length;
    report.queries += rows.queries.length;
    report.commands += rows.commands.length;
    report.frames += frames.length;
    options.onProgress?.(report);
  }
  return report;
}
