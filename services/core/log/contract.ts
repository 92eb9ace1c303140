/**
 * The EventLog contract: one behavioural test suite every adapter (embedded, kafka) must pass.
 * An adapter's test file calls `runEventLogContract('kafka (mock cluster)', factory)`.
 *
 * Isolation: every case uses fresh, uniquely named topics and groups (prefixed by `topicPrefix`),
 * so all cases can share one namespace (one data directory, one cluster) and run one after another.
 * A case opens at most one EventLog at a time and always closes it, even when it fails.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { EventLog } from './port.js';
import { deliveryCases } from './contract/delivery.cases.js';
import { recoveryCases } from './contract/recovery.cases.js';
import { edgeCases } from './contract/edges.cases.js';
import type { CaseContext, ContractCase, ContractCaseId } from './contract/case.js';

export type { ContractCaseId } from './contract/case.js';

export interface ContractCapabilities {
  /**
   * Cases this adapter cannot run, each with the reason. They are not skipped silently: each one
   * becomes a passing test whose name and console output state the reason.
   */
  unsupported?: Partial<Record<ContractCaseId, string>>;
  /**
   * Largest record value (bytes) one append accepts. When set, the 'oversize-record' case checks that
   * a value of this size is delivered and one byte more is refused with TG_ERR_MESSAGE_TOO_LARGE.
   */
  maxRecordBytes?: number;
}

/**
 * How the contract gets logs from an adapter.
 *
 * - `setup()` runs once before all cases (start a cluster, make a temp dir).
 * - `open()` returns a new EventLog over the SAME namespace every time: after `close()` of one log,
 *   the next `open()` must see its records and committed offsets. That is how the 'restart' case
 *   simulates a process restart. Fresh data per case comes from unique topic names, not from open().
 * - `teardown()` runs once after all cases (stop the cluster, delete the dir).
 */
export interface ContractFactory {
  setup?(): Promise<void>;
  open(): Promise<EventLog>;
  teardown?(): Promise<void>;
  /** Prepended to every topic and group name (e.g. to fit a real broker's ACLs). Default ''. */
  topicPrefix?: string;
  /** How long a case waits for records to arrive before failing. Default 20 s. */
  deliveryTimeoutMs?: number;
  capabilities?: ContractCapabilities;
}

const allCases: readonly ContractCase[] = [...deliveryCases, ...recoveryCases, ...edgeCases];

/** Registers the EventLog contract cases for one adapter under `describe(name)`. */
export function runEventLogContract(name: string, factory: ContractFactory): void {
  const timeoutMs = factory.deliveryTimeoutMs ?? 20_000;
  const prefix = factory.topicPrefix ?? '';
  const unsupported = unsupportedCases(factory.capabilities);

  describe(`EventLog contract: ${name}`, () => {
    beforeAll(async () => { await factory.setup?.(); }, 120_000);
    afterAll(async () => { await factory.teardown?.(); }, 60_000);

    for (const c of allCases) {
      const reason = unsupported.get(c.id);
      if (reason !== undefined) {
        it(`${c.id}: NOT RUN for ${name}, because ${reason}`, () => {
          console.info(`[EventLog contract] ${name}: case '${c.id}' not run: ${reason}`);
        });
        continue;
      }
      it(`${c.id}: ${c.title}`, async () => {
        const ctx = new LiveContext(factory, prefix, timeoutMs);
        try {
          await c.run(ctx);
        } finally {
          await ctx.closeAll();
        }
      }, timeoutMs * 4);
    }
  });
}

function unsupportedCases(caps: ContractCapabilities | undefined): Map<ContractCaseId, string> {
  const out = new Map<ContractCaseId, string>();
  for (const [id, reason] of Object.entries(caps?.unsupported ?? {})) {
    out.set(id as ContractCaseId, reason);
  }
  if (caps?.maxRecordBytes === undefined && !out.has('oversize-record')) {
    out.set('oversize-record', 'the factory declares no capabilities.maxRecordBytes');
  }
  return out;
}

/** Tracks every log a case opened so a failing case still releases them. */
class LiveContext implements CaseContext {
  private readonly opened: EventLog[] = [];
  constructor(
    private readonly factory: ContractFactory,
    private readonly prefix: string,
    readonly timeoutMs: number,
  ) {}

  get maxRecordBytes(): number | undefined {
    return this.factory.capabilities?.maxRecordBytes;
  }

  async open(): Promise<EventLog> {
    const log = await this.factory.open();
    this.opened.push(log);
    return log;
  }

  name(label: string): string {
    return uniqueLabel(this.prefix, label);
  }

  async closeAll(): Promise<void> {
    const logs = this.opened.splice(0);
    await Promise.allSettled(logs.map((log) => log.close()));
  }
}

function uniqueLabel(prefix: string, label: string): string {
  return `${prefix}tg-contract-${label}-${Math.random().toString(36).slice(2, 10)}`;
}
