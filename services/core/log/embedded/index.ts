export { openEmbeddedLog } from './embedded-log.js';
export type { EmbeddedEventLog, EmbeddedLogStats } from './embedded-log.js';
export type { EmbeddedLogOptions, NormalizedOptions } from './options.js';
export type { LogIo } from './io.js';
export { nodeIo } from './io.js';
export type { RecoveryNote } from './partition-recovery.js';
export type { RetentionReport } from './retention-run.js';
