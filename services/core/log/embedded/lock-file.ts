import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { TollgateError } from '../../errors.js';

export const LOCK_FILE = 'LOCK';

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory's lock: a LOCK file holding our pid, created atomically (link). A lock left by
 * a dead process (crash, SIGKILL) is taken over; a live holder, including this process, is refused.
 * Returns the release function. Caveat: a recycled pid of a dead holder looks alive; the message
 * names the file so an operator can remove it.
 */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    // link() publishes the lock with its pid already inside: nobody ever reads a half-written one.
    const tmp = `${file}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w');
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
    await handle.close();
    try {
      await link(tmp, file);
      return () => unlink(file).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
      throw new TollgateError('TG_ERR_LOG_LOCKED',
        `event log directory ${dir} is in use by process ${pid}` +
        `${pid === process.pid ? ' (this process: close the other EventLog first)' : ''}; ` +
        `stop that process, or remove ${file} if it is not a tollgate process`,
        { context: { dir, pid } });
    }
    // Stale lock: move it aside instead of deleting, so of two processes racing here only one's
    // exclusive create succeeds.
    await rename(file, `${file}.stale-${process.pid}`).catch(() => undefined);
    await unlink(`${file}.stale-${process.pid}`).catch(() => undefined);
  }
  throw new TollgateError('TG_ERR_LOG_LOCKED', `could not take the lock ${file}; another process keeps taking it`,
    { context: { dir } });
}
