import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import type { AppendRecord } from '../log/port.js';
import { DiskSpool } from './disk-spool.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tg-spool-dmg-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rec = (i: number): AppendRecord => ({ key: `s${i % 4}`, value: Buffer.from(`v${i}`) });
const drainAll = async (spool: DiskSpool): Promise<string[]> => {
  const got: string[] = [];
  await spool.drain((batch) => {
    got.push(...batch.map((r) => r.value.toString()));
    return Promise.resolve();
  });
  return got;
};
const expectCode = async (work: Promise<unknown>, code: 'TG_ERR_LOG_CORRUPT' | 'TG_ERR_LOG_UNAVAILABLE') => {
  const err = await work.then(() => undefined, (e: unknown) => e);
  expect(isTollgateError(err, code)).toBe(true);
};

describe('DiskSpool damage and crashes', () => {
  it('a position file pointing inside a record redelivers everything instead of truncating the spool', async () => {
    const dir = tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await spool.append([rec(0), rec(1), rec(2)]);
    await spool.close();
    for (const bad of ['5', '30', '33', '999999', 'garbage', '-4', '']) {
      writeFileSync(join(dir, 'spool.pos'), bad);
      const reopened = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
      expect(reopened.size()).toBe(3);
      await reopened.close();
    }
    const last = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    expect(await drainAll(last)).toEqual(['v0', 'v1', 'v2']);
    await last.close();
  });

  it('cuts a torn tail at every byte of the last record and keeps every acknowledged record', async () => {
    const dir = tempDir();
    const probe = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await probe.append([rec(0), rec(1)]);
    const twoBytes = statSync(join(dir, 'spool.seg')).size;
    await probe.append([rec(2)]);
    await probe.close();
    const full = readFileSync(join(dir, 'spool.seg'));
    for (let cut = twoBytes + 1; cut < full.length; cut++) {
      writeFileSync(join(dir, 'spool.seg'), full.subarray(0, cut));
      writeFileSync(join(dir, 'spool.pos'), '0');
      const reopened = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
      expect(reopened.size()).toBe(2);
      expect(statSync(join(dir, 'spool.seg')).size).toBe(twoBytes);
      expect(await drainAll(reopened)).toEqual(['v0', 'v1']);
      await reopened.close();
    }
  });

  it('refuses to open (and truncates nothing) when damage is followed by valid records', async () => {
    const dir = tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await spool.append([rec(0)]);
    await spool.append([rec(1), rec(2)]);
    await spool.close();
    const file = join(dir, 'spool.seg');
    const bytes = readFileSync(file);
    bytes[30] = (bytes[30] ?? 0) ^ 0xff; // inside the first record's key/value: its checksum fails
    writeFileSync(file, bytes);
    await expectCode(DiskSpool.open({ dir, maxBytes: 1 << 20 }), 'TG_ERR_LOG_CORRUPT');
    expect(statSync(file).size).toBe(bytes.length);
  });

  it('reports a spool file deleted under it instead of acknowledging appends nobody can recover', async () => {
    const dir = tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await spool.append([rec(0)]);
    unlinkSync(join(dir, 'spool.seg'));
    await expectCode(spool.append([rec(1)]), 'TG_ERR_LOG_UNAVAILABLE');
    expect(await drainAll(spool)).toEqual(['v0']); // what it holds still drains through the open handle
    await spool.close();
  });

  it('after a crash between delivery and saving the position, the batch is delivered again (at least once)', async () => {
    const dir = tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await spool.append([rec(0), rec(1)]);
    const before = readFileSync(join(dir, 'spool.seg'));
    await spool.close();
    // The state a crash right after deliver() resolved leaves: data intact, position not advanced.
    writeFileSync(join(dir, 'spool.pos'), '0');
    const reopened = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    expect(readFileSync(join(dir, 'spool.seg')).equals(before)).toBe(true);
    expect(await drainAll(reopened)).toEqual(['v0', 'v1']);
    await reopened.close();
  });

  it('a stale position that is not a record boundary of the current file skips nothing', async () => {
    const dir = tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await spool.append([rec(0), rec(1)]);
    expect(await drainAll(spool)).toEqual(['v0', 'v1']);
    await spool.append([rec(2), rec(3), rec(4)]);
    await spool.close();
    // A position saved before the cut must not skip records appended after it.
    writeFileSync(join(dir, 'spool.pos'), String(statSync(join(dir, 'spool.seg')).size - 1));
    const reopened = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    expect(await drainAll(reopened)).toEqual(['v2', 'v3', 'v4']);
    await reopened.close();
    truncateSync(join(dir, 'spool.seg'), 0);
  });
});

describe('DiskSpool used concurrently', () => {
  it('concurrent appends, and appends during a drain, neither overwrite nor lose records', async () => {
    const dir = tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    const delivered: string[] = [];
    const appends = Array.from({ length: 20 }, (_, i) => spool.append([rec(i)]));
    const draining = spool.drain(async (batch) => {
      await new Promise((r) => setTimeout(r, 1));
      delivered.push(...batch.map((r) => r.value.toString()));
    });
    const more = Array.from({ length: 10 }, (_, i) => spool.append([rec(20 + i)]));
    await Promise.all([...appends, draining, ...more]);
    delivered.push(...(await drainAll(spool)));
    expect(delivered).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
    await spool.close();
    const reopened = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    expect(reopened.size()).toBe(0);
    await reopened.close();
  });
});
