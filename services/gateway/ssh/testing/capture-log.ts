import { TollgateError } from '../../../core/errors.js';
import type { AppendRecord, Consumer, EventLog } from '../../../core/log/port.js';

/** An EventLog that keeps appended values in memory and can be switched off (a log that went down). */
export class CaptureLog implements EventLog {
  up = true;
  /** Keep values (tests) or only count them (benchmarks). */
  keep = true;
  readonly values: Buffer[] = [];
  records = 0;
  bytes = 0;

  append(_topic: string, records: readonly AppendRecord[]): Promise<void> {
    if (!this.up) return Promise.reject(new TollgateError('TG_ERR_LOG_UNAVAILABLE', 'test: log is down'));
    for (const r of records) {
      this.records++;
      this.bytes += r.value.length;
      if (this.keep) this.values.push(r.value);
    }
    return Promise.resolve();
  }

  consume(): Promise<Consumer> {
    return Promise.reject(new TollgateError('TG_ERR_INTERNAL', 'CaptureLog does not serve consumers'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
