import type { EventLog } from '../port.js';

/** Stable ids of the contract cases; factories name them in `capabilities.unsupported`. */
export type ContractCaseId =
  | 'per-key-order'
  | 'record-fields'
  | 'large-batch'
  | 'slow-consumer'
  | 'independent-groups'
  | 'redelivery-on-handler-error'
  | 'redelivery-after-crash'
  | 'resume-from-commit'
  | 'restart'
  | 'start-latest'
  | 'closed'
  | 'bad-input'
  | 'oversize-record';

/** What a case gets from the runner. */
export interface CaseContext {
  /** Opens a log over the suite's namespace; the runner closes it after the case. */
  open(): Promise<EventLog>;
  /** A unique topic or group name for this case. */
  name(label: string): string;
  timeoutMs: number;
  maxRecordBytes: number | undefined;
}

export interface ContractCase {
  id: ContractCaseId;
  title: string;
  run(ctx: CaseContext): Promise<void>;
}
