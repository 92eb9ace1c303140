import { Topics } from '../services/core/log/port.js';
import type { Consumer } from '../services/core/log/port.js';
import type { NodeDeps, RoleHandle } from '../services/runtime/node.js';
import { TollgateError } from '../services/core/errors.js';
import { WEBHOOK_GROUP, webhookHandler } from './alerts/dispatcher.js';
import type { WebhookTarget } from './alerts/webhook.js';
import { MaskingPlans } from './masking/profiles.js';
import { IngestPipeline } from './pipeline/pipeline.js';
import { loadFingerprinter } from './projection/fingerprint.js';
import { RuleEngine } from './rules/engine.js';
import { loadRules } from './rules/load.js';
import { warmRules } from './rules/warm.js';

/**
 * Starts the ingest role: the frames consumer (decode, mask, project, rules, write) and, when
 * webhooks are configured, the alert dispatcher on its own consumer group.
 */
export async function startIngest(deps: NodeDeps): Promise<RoleHandle[]> {
  const { config, store, log, codec, clock, logger } = deps;
  if (!config.ingest.enabled) return [];
  if (store === undefined) throw new TollgateError('TG_ERR_INTERNAL', 'the ingest role needs the store; start it in a process that opens one');
  await loadFingerprinter();
  const rules = loadRules([config.ingest.rulesDir]);
  const engine = new RuleEngine(rules);
  const warmed = await warmRules(store, engine, Number(clock.nowMicros()));
  const plans = new MaskingPlans({
    profiles: config.masking,
    byConnection: config.ingest.maskingByConnection,
    defaultProfile: config.ingest.defaultMaskingProfile,
    ...(config.maskingHashKey === undefined ? {} : { hashKey: config.maskingHashKey.reveal() }),
  });
  const pipeline = new IngestPipeline({ codec, store, plans, rules: engine, clock, log, replayWindow: config.ingest.batchRecords });
  const ingestLog = logger.child({ role: 'ingest' });
  const consumers: Consumer[] = [];
  consumers.push(
    await log.consume(
      {
        group: config.ingest.consumerGroup,
        topics: [Topics.frames],
        maxBatchRecords: config.ingest.batchRecords,
        onHandlerError: (err, batch) => ingestLog.error({ err, partition: batch.partition, records: batch.records.length }, 'ingest batch failed; it will be retried'),
      },
      // stage() resolves with the batch's writes as its tail: the next batch is decoded, masked and
      // projected while they run; offsets commit after them.
      (batch) => pipeline.stage(batch),
    ),
  );
  const targets: WebhookTarget[] = config.ingest.webhooks.map((w) => ({
    name: w.name,
    url: w.url,
    minSeverity: w.minSeverity,
    timeoutMs: w.timeout,
    format: w.format,
    maxAttempts: w.maxAttempts,
    ...(w.secret === undefined ? {} : { secret: w.secret.reveal() }),
  }));
  if (targets.length > 0) {
    const io = { fetch: globalThis.fetch, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), nowMs: () => clock.nowMs() };
    consumers.push(
      await log.consume(
        { group: WEBHOOK_GROUP, topics: [Topics.alerts], onHandlerError: (err) => ingestLog.error({ err }, 'alert webhook batch failed; it will be retried') },
        webhookHandler({ codec, store, targets, io }),
      ),
    );
  }
  return [
    {
      name: 'ingest',
      describe: () => [`ingest: ${rules.length} rules (state warmed from ${warmed} stored facts), ${targets.length} webhook(s)`],
      stop: async () => {
        for (const c of consumers.reverse()) await c.stop();
      },
    },
  ];
}
