import { runEventLogContract } from '../contract.js';
import { MemoryLog, MemoryLogState } from './memory-log.js';

// Runs the contract against a trivial in-memory log, so a change to the suite is checked in
// milliseconds before it is pointed at the real adapters.
let state = new MemoryLogState();

runEventLogContract('in-memory reference', {
  setup: () => { state = new MemoryLogState(); return Promise.resolve(); },
  open: () => Promise.resolve(new MemoryLog(state)),
  deliveryTimeoutMs: 5_000,
  capabilities: { maxRecordBytes: 1024 * 1024 },
});
