import type { Admin, Kafka } from 'kafkajs';
import type { KafkaEventLogConfig } from './config.js';
import { fromKafkaError } from './errors.js';

/**
 * Creates topics through the admin API on first use when configured. The admin API needs a broker
 * that names a controller, which librdkafka's mock cluster does not: there, leave creation off and
 * rely on the broker's auto-creation (the mock creates 4 partitions per topic).
 */
export class TopicCreator {
  private readonly ready = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();
  private admin: Promise<Admin> | undefined;

  constructor(private readonly kafka: Kafka, private readonly settings: KafkaEventLogConfig['createTopics']) {}

  /** True when appends to the topic need not wait (created, or creation is off). */
  isReady(topic: string): boolean {
    return this.settings === false || this.ready.has(topic);
  }

  /** Creates the topic once if creation is on; an existing topic counts as created. */
  ensure(topic: string): Promise<void> {
    if (this.isReady(topic)) return Promise.resolve();
    let creating = this.pending.get(topic);
    if (!creating) {
      creating = this.create(topic).finally(() => this.pending.delete(topic));
      this.pending.set(topic, creating);
    }
    return creating;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await (await admin).disconnect();
  }

  private async create(topic: string): Promise<void> {
    if (this.settings === false) return;
    try {
      const admin = await this.connectedAdmin();
      // createTopics resolves false (no error) when the topic already exists.
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: this.settings.partitions, replicationFactor: this.settings.replicationFactor }],
      });
      this.ready.add(topic);
    } catch (err) {
      throw fromKafkaError(err, `creating topic ${topic}`, { topic });
    }
  }

  private connectedAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((err: unknown) => {
      this.admin = undefined;
      throw err;
    });
    return this.admin;
  }
}
