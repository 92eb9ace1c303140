import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runEventLogContract } from '../contract.js';
import { openEmbeddedLog } from './embedded-log.js';

// One data directory for the whole suite: the contract reopens it to simulate restarts.
let dir = '';
const maxRecordBytes = 1024 * 1024;

runEventLogContract('embedded', {
  setup: async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tg-embedded-contract-'));
  },
  open: () => openEmbeddedLog({
    dir,
    maxRecordBytes,
    // Small segments so the suite crosses segment boundaries; a short retry pause keeps it fast.
    segmentBytes: 256 * 1024,
    consumer: { retryDelayMs: 50 },
  }),
  teardown: async () => {
    await rm(dir, { recursive: true, force: true });
  },
  deliveryTimeoutMs: 10_000,
  capabilities: { maxRecordBytes },
});
