import type { EventCodec } from '../../services/core/events/codec.js';
import type { ConsumedBatch } from '../../services/core/log/port.js';
import type { Store } from '../../services/core/store/port.js';
import { deadLetterRow, type DeadLetter } from '../pipeline/decode.js';
import { deliver, wants, type DeliveryIo, type WebhookTarget } from './webhook.js';

/** Consumer group of the webhook dispatcher: its own offsets on tollgate.alerts.v1. */
export const WEBHOOK_GROUP = 'tollgate-alert-webhooks';

/**
 * Delivers alerts from tollgate.alerts.v1 to the webhooks. It is its own consumer group, so a slow
 * or dead receiver never holds up ingest, and a crash redelivers (receivers dedupe on
 * x-tollgate-alert-id). An alert a receiver did not take after every retry becomes a dead-letter row
 * naming the receiver and the last error; an undecodable alert record becomes one too.
 */
export function webhookHandler(deps: { codec: EventCodec; store: Store; targets: readonly WebhookTarget[]; io: DeliveryIo }) {
  return async (batch: ConsumedBatch): Promise<void> => {
    await deps.codec.loadWriterSchemas(batch.records.map((r) => r.value), 'alerts');
    const dead: DeadLetter[] = [];
    await Promise.all(
      batch.records.map(async (r) => {
        let failures: string[];
        try {
          const alert = deps.codec.decodeAlert(r.value);
          const results = await Promise.all(deps.targets.filter((t) => wants(t, alert)).map(async (t) => [t, await deliver(t, alert, deps.io)] as const));
          failures = results.filter(([, res]) => !res.ok).map(([t, res]) => `webhook ${t.name} failed after ${res.attempts} attempt(s): ${res.error}`);
        } catch (err) {
          failures = [`alert could not be decoded: ${err instanceof Error ? err.message : String(err)}`];
        }
        if (failures.length > 0) dead.push({ topic: r.topic, partition: r.partition, offset: r.offset, reason: failures.join('; '), raw: r.value, tsMicros: deps.io.nowMs() * 1000 });
      }),
    );
    if (dead.length > 0) {
      const first = batch.records[0]!.offset;
      const last = batch.records[batch.records.length - 1]!.offset;
      await deps.store.insert('dead_letters', dead.map(deadLetterRow), { dedupToken: `${batch.topic}/${batch.partition}/${first}-${last}/webhooks` });
    }
  };
}
