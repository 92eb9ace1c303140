import { TollgateError } from '../../errors.js';
import type { AppendRecord, BatchHandler, ConsumeOptions, Consumer, EventLog, LogRecord } from '../port.js';

/**
 * An in-memory EventLog used only to test the contract suite itself (fast, no broker, no disk).
 * State lives in a MemoryLogState the caller keeps, so a new MemoryLog over the same state
 * behaves like a restarted process. Not for production: nothing is durable.
 */
export class MemoryLogState {
  readonly topics = new Map<string, LogRecord[][]>();
  readonly committed = new Map<string, number>(); // `${group}\0${topic}\0${partition}` -> next offset
  readonly partitions = 4;
}

const topicPattern = /^[a-zA-Z0-9._-]{1,249}$/;

export class MemoryLog implements EventLog {
  private closed = false;
  private readonly consumers = new Set<MemoryConsumer>();
  constructor(private readonly state: MemoryLogState, private readonly maxRecordBytes = 1024 * 1024) {}

  // eslint-disable-next-line @typescript-eslint/require-await -- async so validation errors reject
  async append(topic: string, records: readonly AppendRecord[]): Promise<void> {
    if (this.closed) throw new TollgateError('TG_ERR_LOG_CLOSED');
    checkTopic(topic);
    for (const r of records) {
      checkRecord(r);
      if (r.value.length > this.maxRecordBytes) throw new TollgateError('TG_ERR_MESSAGE_TOO_LARGE');
    }
    const parts = this.partitionsOf(topic);
    for (const r of records) {
      const part = parts[hash(r.key) % parts.length] ?? [];
      part.push({ topic, partition: parts.indexOf(part), offset: part.length, key: r.key, value: r.value,
        timestampMs: r.timestampMs ?? Date.now() });
    }
    for (const c of this.consumers) c.wake();
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so validation errors reject
  async consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer> {
    if (this.closed) throw new TollgateError('TG_ERR_LOG_CLOSED');
    if (options.group === '' || options.topics.length === 0) throw new TollgateError('TG_ERR_CONFIG', 'group and topics required');
    for (const t of options.topics) checkTopic(t);
    const consumer = new MemoryConsumer(this.state, options, handler, (t) => this.partitionsOf(t),
      () => this.consumers.delete(consumer));
    this.consumers.add(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.consumers].map((c) => c.stop()));
  }

  private partitionsOf(topic: string): LogRecord[][] {
    let parts = this.state.topics.get(topic);
    if (!parts) {
      parts = Array.from({ length: this.state.partitions }, () => []);
      this.state.topics.set(topic, parts);
    }
    return parts;
  }
}

class MemoryConsumer implements Consumer {
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private readonly positions = new Map<string, number>();
  private readonly loop: Promise<void>;

  constructor(
    private readonly state: MemoryLogState,
    private readonly options: ConsumeOptions,
    private readonly handler: BatchHandler,
    partitionsOf: (topic: string) => LogRecord[][],
    private readonly onStop: () => void,
  ) {
    const parts = options.topics.map((t) => [t, partitionsOf(t)] as const);
    for (const [topic, ps] of parts) {
      ps.forEach((p, i) => {
        const key = `${options.group}\0${topic}\0${i}`;
        this.positions.set(key, state.committed.get(key) ?? (options.start === 'latest' ? p.length : 0));
      });
    }
    this.loop = this.run(parts);
  }

  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    this.onStop();
  }

  private async run(parts: ReadonlyArray<readonly [string, LogRecord[][]]>): Promise<void> {
    while (!this.stopped) {
      let progressed = false;
      for (const [topic, ps] of parts) {
        for (let i = 0; i < ps.length && !this.stopped; i++) {
          const key = `${this.options.group}\0${topic}\0${i}`;
          const from = this.positions.get(key) ?? 0;
          const records = (ps[i] ?? []).slice(from, from + (this.options.maxBatchRecords ?? 500));
          if (records.length === 0) continue;
          progressed = true;
          const batch = { topic, partition: i, records };
          try {
            const tail = await this.handler(batch);
            if (tail !== undefined) await tail();
            this.positions.set(key, from + records.length);
            this.state.committed.set(key, from + records.length);
          } catch (err) {
            this.options.onHandlerError?.(err, batch);
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      }
      if (!progressed && !this.stopped) await new Promise<void>((r) => { this.wakeUp = r; });
    }
  }
}

function checkTopic(topic: string): void {
  if (!topicPattern.test(topic) || topic === '.' || topic === '..') {
    throw new TollgateError('TG_ERR_CONFIG', `invalid topic name ${JSON.stringify(topic)}`);
  }
}

function checkRecord(r: AppendRecord | null): void {
  const ok = r !== null && typeof r === 'object' && typeof r.key === 'string' && Buffer.isBuffer(r.value) &&
    (r.timestampMs === undefined || Number.isFinite(r.timestampMs));
  if (!ok) throw new TollgateError('TG_ERR_CONFIG', 'record needs a string key, a Buffer value, a finite timestampMs');
}

function hash(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return h;
}
