import { join } from 'node:path';
import type { TollgateConfig } from '../core/config/index.js';
import type { Logger } from '../core/logger.js';
import { Topics, type EventLog } from '../core/log/port.js';
import { DiskSpool } from '../core/recording/disk-spool.js';
import { RecordingSink } from '../core/recording/sink.js';

/**
 * The node's recording sink. A disk spool is opened only when some connection records in buffered
 * mode; it is as large as the largest spoolMaxBytes (one spool per node, shared by its sessions).
 */
export async function openRecordingSink(config: TollgateConfig, log: EventLog, logger: Logger): Promise<RecordingSink> {
  const spoolBytes = Math.max(
    0,
    ...Object.values(config.connections).map((c) => (c.recording.mode === 'buffered' ? c.recording.spoolMaxBytes : 0)),
  );
  const spool = spoolBytes > 0 ? await DiskSpool.open({ dir: join(config.dataDir, 'spool'), maxBytes: spoolBytes }) : undefined;
  const sink = new RecordingSink(log, {
    topic: Topics.frames,
    maxPendingBytes: 64 * 1024 * 1024,
    retryDelayMs: 500,
    ...(spool === undefined ? {} : { spool }),
  });
  sink.on('state', (state, err) => {
    const level = state === 'healthy' ? 'info' : 'error';
    logger[level]({ state, err }, state === 'healthy' ? 'recording recovered' : 'recording degraded: the event log refuses frames');
  });
  return sink;
}
