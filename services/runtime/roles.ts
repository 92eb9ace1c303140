import { startIngest } from '../../ingest/role.js';
import { startPostgresGateway } from '../gateway/postgres/starter.js';
import { startSshGateway } from '../gateway/ssh/starter.js';
import type { RoleName, RoleStarter } from './node.js';

/**
 * The roles a process can run. Each protocol gateway, the ingest pipeline and the replay service
 * add their starter here as they are built; a role with nothing built yet starts nothing.
 */
export const roleStarters: Record<RoleName, RoleStarter[]> = {
  gateway: [startPostgresGateway, startSshGateway],
  ingest: [startIngest],
  replay: [(deps) => import('../replay/starter.js').then((m) => m.startReplay(deps))],
};

/** The starters of the named roles, in the order given. */
export function startersFor(names: readonly RoleName[]): Array<[RoleName, RoleStarter]> {
  return names.flatMap((name) => roleStarters[name].map((s): [RoleName, RoleStarter] => [name, s]));
}
