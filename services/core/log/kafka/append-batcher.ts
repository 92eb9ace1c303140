import type { Message, TopicMessages } from 'kafkajs';
import { TollgateError } from '../../errors.js';
import type { EncodedAppend } from './records.js';

interface PendingAppend {
  topic: string;
  messages: Message[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface BatcherLimits {
  lingerMs: number;
  maxRequestBytes: number;
  maxPendingBytes: number;
}

/**
 * Coalesces appends into produce requests. Appends wait up to lingerMs (or until a request's worth
 * of bytes is queued), then go out in call order, one request at a time: with a non-idempotent
 * producer that is what keeps a key's records in order across retries. Appends that arrive while a
 * request is in flight are batched into the next one.
 */
export class AppendBatcher {
  private queue: PendingAppend[] = [];
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly send: (topicMessages: TopicMessages[]) => Promise<void>,
    private readonly limits: BatcherLimits,
  ) {}

  /** Queues one validated append; resolves when every request carrying its records succeeded. */
  enqueue(topic: string, encoded: EncodedAppend): Promise<void> {
    const buffered = this.queuedBytes + this.inFlightBytes;
    if (buffered > 0 && buffered + encoded.bytes > this.limits.maxPendingBytes) {
      return Promise.reject(new TollgateError('TG_ERR_LOG_BACKPRESSURE',
        `Kafka producer has ${buffered} bytes waiting; refusing ${encoded.bytes} more (maxPendingBytes ${this.limits.maxPendingBytes})`,
        { context: { topic, buffered, maxPendingBytes: this.limits.maxPendingBytes } }));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages: encoded.messages, bytes: encoded.bytes, resolve, reject });
      this.queuedBytes += encoded.bytes;
      this.schedule();
    });
  }

  /** Sends everything queued and waits for it; used by close(). */
  async drain(): Promise<void> {
    while (this.flushing !== undefined || this.queue.length > 0) {
      if (this.flushing === undefined) this.startFlush();
      await this.flushing;
    }
  }

  private schedule(): void {
    if (this.flushing !== undefined) return; // the running flush reschedules when it ends
    if (this.queuedBytes >= this.limits.maxRequestBytes || this.limits.lingerMs === 0) {
      this.startFlush();
    } else {
      this.timer ??= setTimeout(() => this.startFlush(), this.limits.lingerMs);
    }
  }

  private startFlush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    this.inFlightBytes += this.queuedBytes;
    this.queuedBytes = 0;
    this.flushing = this.sendInOrder(batch).finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.schedule();
    });
  }

  /** Never rejects: each append's promise carries its own outcome. */
  private async sendInOrder(batch: readonly PendingAppend[]): Promise<void> {
    const { requests, lastRequestOf } = splitIntoRequests(batch, this.limits.maxRequestBytes);
    let settled = 0;
    const settle = (upTo: number, err?: unknown): void => {
      for (; settled < upTo; settled++) {
        const append = batch[settled];
        if (!append) continue;
        this.inFlightBytes -= append.bytes;
        if (err === undefined) append.resolve();
        else append.reject(err);
      }
    };
    for (let r = 0; r < requests.length; r++) {
      try {
        await this.send(requests[r] ?? []);
      } catch (err) {
        // Later requests are not sent: they would land ahead of a retry of this one.
        settle(batch.length, err);
        return;
      }
      let upTo = settled;
      while (upTo < batch.length && (lastRequestOf[upTo] ?? 0) <= r) upTo++;
      settle(upTo);
    }
    settle(batch.length);
  }
}

/** Cuts appends, in order, into requests of at most maxBytes; one append may span several. */
function splitIntoRequests(batch: readonly PendingAppend[], maxBytes: number):
  { requests: TopicMessages[][]; lastRequestOf: number[] } {
  const requests: TopicMessages[][] = [];
  const lastRequestOf: number[] = [];
  let current = new Map<string, Message[]>();
  let currentBytes = 0;
  const close = (): void => {
    if (current.size === 0) return;
    requests.push([...current].map(([topic, messages]) => ({ topic, messages })));
    current = new Map();
    currentBytes = 0;
  };
  for (const append of batch) {
    for (const message of append.messages) {
      const size = messageBytes(message);
      if (currentBytes > 0 && currentBytes + size > maxBytes) close();
      let list = current.get(append.topic);
      if (!list) current.set(append.topic, (list = []));
      list.push(message);
      currentBytes += size;
    }
    lastRequestOf.push(requests.length); // index of the request being filled now
  }
  close();
  return { requests, lastRequestOf };
}

function messageBytes(m: Message): number {
  const key = typeof m.key === 'string' ? m.key.length * 3 : (m.key?.length ?? 0);
  const value = typeof m.value === 'string' ? m.value.length * 3 : (m.value?.length ?? 0);
  return key + value;
}
