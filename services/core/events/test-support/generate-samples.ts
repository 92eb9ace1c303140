/**
 * Writes the stored samples of one frozen schema version: framed events of every Frame body kind and
 * an Alert, encoded with schemas/history/{Frame,Alert}.v<N>.avsc, each as <name>.bin (the exact bytes)
 * and <name>.json (the value written). It lives here rather than in schemas/samples/ so that it is
 * type-checked and linted with the code it calls. Run once, when a version is frozen:
 *
 *   npx tsx services/core/events/test-support/generate-samples.ts 1
 *
 * It refuses to touch a version that already has samples: they stand for data already on the log,
 * and the samples test proves today's readers still read them. Never regenerate, never edit them.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventCodec } from '../codec.js';
import { LocalSchemaRegistry } from '../registry/local.js';
import { findSchemasDir } from '../schema-files.js';
import { schemaHistory, toSampleJson } from './history.js';
import type { Alert, Frame } from '../types.js';

const T0 = Date.UTC(2026, 0, 1) * 1000;

const header = { sessionId: 'sample-session-1', protocol: 'POSTGRES', channel: null } as const;

/** The values each version's samples hold, frozen with that version. */
const VALUES: Record<number, { frames: Record<string, Frame>; alerts: Record<string, Alert> }> = {
  1: {
    frames: {
      'session-start': {
        ...header, seq: 0, tsMicros: T0, protocol: 'GATEWAY', direction: 'GATEWAY', eventType: 'session.start', eventCode: 1000, messageType: '',
        body: {
          kind: 'SessionStart',
          identity: { subject: 'ci@example.com', issuer: 'https://issuer.example', groups: ['ci'], roles: ['reader'], claimsJson: '{"sub":"ci@example.com"}' },
          target: { connection: 'orders', protocol: 'POSTGRES', host: '127.0.0.1', port: 5432, database: 'orders', user: 'tollgate' },
          clientAddress: '127.0.0.1:50000', gatewayNode: 'gw-1', grant: 'reader/orders', guardrails: ['read-only'], maskingProfiles: ['pii'],
          recordingPolicy: 'STRICT', tokenExpiresAtMs: Date.UTC(2026, 0, 1, 1),
        },
      },
      'wire-query': {
        ...header, seq: 1, tsMicros: T0 + 1500, direction: 'CLIENT_TO_GATEWAY', eventType: 'db.query', eventCode: 2002, messageType: 'Query',
        body: { kind: 'Wire', payload: Buffer.from('Q\0\0\0\x15select * from t\0', 'latin1'), maskedInline: false, truncated: false, originalLength: 22 },
      },
      'wire-row-masked-truncated': {
        ...header, seq: 2, tsMicros: T0 + 2500, direction: 'GATEWAY_TO_CLIENT', eventType: 'db.row', eventCode: 2006, messageType: 'DataRow', channel: 1,
        body: { kind: 'Wire', payload: Buffer.from([0x44, 0, 0, 0, 0x20, 0, 1, 0xff, 0xfe]), maskedInline: true, truncated: true, originalLength: 33 },
      },
      'decision-block': {
        ...header, seq: 3, tsMicros: T0 + 3000, protocol: 'POSTGRES', direction: 'GATEWAY', eventType: 'policy.block', eventCode: 1201, messageType: '',
        body: { kind: 'Decision', action: 'BLOCK', rule: 'read-only/write', reason: 'DELETE is a write', subject: 'DELETE FROM t', refSeq: 1, details: { statement: 'DeleteStmt' } },
      },
      'session-end': {
        ...header, seq: 4, tsMicros: T0 + 9000, protocol: 'GATEWAY', direction: 'GATEWAY', eventType: 'session.end', eventCode: 1001, messageType: '',
        body: { kind: 'SessionEnd', reason: 'client_closed', error: null, bytesFromClient: 22, bytesToClient: 2 ** 33, frames: 5 },
      },
    },
    alerts: {
      'alert-high': {
        alertId: 'bulk-read:sample-session-1:2', ruleId: 'bulk-read', severity: 'HIGH', title: 'Bulk read', subject: 'ci@example.com',
        sessionId: 'sample-session-1', seq: 2, tsMicros: T0 + 2500, detailsJson: '{"rows":100000}',
      },
      'alert-no-session': {
        alertId: 'token-reuse:1', ruleId: 'token-reuse', severity: 'CRITICAL', title: 'Token reuse', subject: 'ci@example.com',
        sessionId: null, seq: null, tsMicros: T0, detailsJson: '{}',
      },
    },
  },
};

async function main(version: number): Promise<void> {
  const schemasDir = findSchemasDir();
  const frame = schemaHistory(schemasDir, 'Frame').find((v) => v.version === version);
  const alert = schemaHistory(schemasDir, 'Alert').find((v) => v.version === version);
  const values = VALUES[version];
  if (frame === undefined || alert === undefined || values === undefined) {
    throw new Error(`version ${version} needs schemas/history/Frame.v${version}.avsc, Alert.v${version}.avsc and values in this script`);
  }
  for (const dir of [frame.samplesDir, alert.samplesDir]) {
    if (existsSync(dir)) throw new Error(`${dir} exists: samples of a frozen version are never regenerated`);
  }
  const codec = await EventCodec.create(LocalSchemaRegistry.memory(), { dir: schemasDir, frame: frame.schema, alert: alert.schema });
  const write = (dir: string, name: string, bytes: Buffer, value: unknown): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.bin`), bytes);
    writeFileSync(join(dir, `${name}.json`), toSampleJson(value));
  };
  for (const [name, value] of Object.entries(values.frames)) write(frame.samplesDir, name, codec.encodeFrame(value), value);
  for (const [name, value] of Object.entries(values.alerts)) write(alert.samplesDir, name, codec.encodeAlert(value), value);
  console.log(`wrote samples of version ${version} (frame schema id ${codec.frameSchemaId}, alert schema id ${codec.alertSchemaId})`);
}

await main(Number(process.argv[2] ?? 'NaN'));
