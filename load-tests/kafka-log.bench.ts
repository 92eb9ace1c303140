/**
 * Kafka EventLog append throughput beside plain kafkajs, both against librdkafka's mock cluster.
 *
 *   node --import tsx load-tests/kafka-log.bench.ts [records] [producers]
 *
 * Both runs: `producers` concurrent loops (one per gateway session), each appending
 * `recordsPerAppend` records of a 200-byte value keyed by its session id and awaiting the ack.
 * The adapter run goes through createKafkaEventLog (linger + coalescing into sendBatch, acks all,
 * one request in flight). The peer run is what a caller would write with kafkajs directly:
 * producer.send per append with acks all and the same partitioner. The mock is no broker (no disk,
 * no replication), so only the ratio means anything, and only on a quiet machine.
 */
import { pathToFileURL } from 'node:url';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { startKafkaMock } from '../test/support/kafka-mock.js';
import { createKafkaEventLog } from '../services/core/log/kafka/event-log.js';

export interface KafkaLogBenchOptions {
  records?: number;
  producers?: number;
  recordsPerAppend?: number;
  valueBytes?: number;
}

export interface KafkaRunFigures {
  seconds: number;
  recordsPerSec: number;
  appendsPerSec: number;
}

export interface KafkaLogBenchResult {
  records: number;
  producers: number;
  recordsPerAppend: number;
  valueBytes: number;
  adapter: KafkaRunFigures;
  kafkajsSendPerAppend: KafkaRunFigures;
  /** adapter records/s divided by plain kafkajs records/s. */
  ratio: number;
}

type AppendFn = (topic: string, key: string, count: number, value: Buffer) => Promise<void>;

async function drive(append: AppendFn, topic: string, o: Required<KafkaLogBenchOptions>): Promise<KafkaRunFigures> {
  const value = Buffer.alloc(o.valueBytes, 0x61);
  const perProducer = Math.ceil(o.records / o.producers / o.recordsPerAppend);
  await append(topic, 'warmup', 1, value);
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: o.producers }, async (_, p) => {
    const key = `00000000-0000-4000-8000-${String(p).padStart(12, '0')}`;
    for (let i = 0; i < perProducer; i++) await append(topic, key, o.recordsPerAppend, value);
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const appends = perProducer * o.producers;
  return { seconds, recordsPerSec: (appends * o.recordsPerAppend) / seconds, appendsPerSec: appends / seconds };
}

/** Starts a mock cluster, runs both loops once, and returns the figures. */
export async function run(options: KafkaLogBenchOptions = {}): Promise<KafkaLogBenchResult> {
  const o: Required<KafkaLogBenchOptions> = {
    records: options.records ?? 50_000,
    producers: options.producers ?? 64,
    recordsPerAppend: options.recordsPerAppend ?? 4,
    valueBytes: options.valueBytes ?? 200,
  };
  const mock = await startKafkaMock();
  try {
    const log = createKafkaEventLog({ brokers: mock.brokers });
    const adapter = await drive((topic, key, count, value) =>
      log.append(topic, Array.from({ length: count }, () => ({ key, value }))), 'bench.adapter.v1', o);
    await log.close();

    const kafka = new Kafka({ brokers: mock.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const peer = await drive(async (topic, key, count, value) => {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, () => ({ key, value })) });
    }, 'bench.kafkajs.v1', o);
    await producer.disconnect();
    return { ...o, adapter, kafkajsSendPerAppend: peer, ratio: adapter.recordsPerSec / peer.recordsPerSec };
  } finally {
    await mock.stop();
  }
}

function print(r: KafkaLogBenchResult): void {
  const row = (name: string, f: KafkaRunFigures): string =>
    `${name.padEnd(24)} ${f.recordsPerSec.toFixed(0).padStart(9)} rec/s ${f.appendsPerSec.toFixed(0).padStart(8)} appends/s ${f.seconds.toFixed(2).padStart(6)} s`;
  console.log(`kafka-log: ${r.records} records, ${r.valueBytes}-byte values, ${r.producers} producers x ` +
    `${r.recordsPerAppend} records per append, acks all, librdkafka mock cluster (3 brokers)`);
  console.log(row('EventLog (kafka adapter)', r.adapter));
  console.log(row('kafkajs send per append', r.kafkajsSendPerAppend));
  console.log(`ratio adapter/kafkajs: ${r.ratio.toFixed(2)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [records, producers] = process.argv.slice(2).map(Number);
  run({ ...(records ? { records } : {}), ...(producers ? { producers } : {}) }).then(print, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
