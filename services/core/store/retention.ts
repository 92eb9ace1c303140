import { applyMigrations, loadMigrations, type MigrationTarget } from './migrations.js';

const TTL_DAYS = /TTL toDateTime\(ts\) \+ toIntervalDay\((\d+)\)/;

/**
 * Makes the TTL on frames match `days` (0: no TTL). The DDL creates frames with the default; this
 * runs after migrations and alters the table only when the configured value differs, because
 * MODIFY TTL rewrites TTL information in every part.
 */
export async function applyFrameRetention(target: MigrationTarget, days: number): Promise<boolean> {
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`frame retention must be a whole number of days, got ${days}`);
  const [table] = await target.query<{ engine_full: string }>(
    'SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {name:String}',
    { name: 'frames' },
  );
  if (table === undefined) return false;
  const current = TTL_DAYS.exec(table.engine_full)?.[1];
  if ((current === undefined && days === 0) || Number(current) === days) return false;
  // days is a validated integer: DDL takes no bound parameters.
  await target.command(
    days === 0 ? 'ALTER TABLE frames REMOVE TTL' : `ALTER TABLE frames MODIFY TTL toDateTime(ts) + toIntervalDay(${days})`,
  );
  return true;
}

/**
 * What every adapter's migrate() does: apply the pending migrations from dir, then set the frames
 * TTL for the configured retention. Returns the versions applied now.
 */
export async function migrateToCurrent(target: MigrationTarget, config: { migrationsDir: string; frameRetentionDays: number }): Promise<number[]> {
  const applied = await applyMigrations(target, await loadMigrations(config.migrationsDir));
  await applyFrameRetention(target, config.frameRetentionDays);
  return applied;
}
