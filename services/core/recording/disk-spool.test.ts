import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import type { AppendRecord } from '../log/port.js';
import { DiskSpool } from './disk-spool.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tg-spool-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rec = (i: number, pad = 0): AppendRecord => ({ key: `s${i % 4}`, value: Buffer.from(`v${i}`.padEnd(pad, '.')) });
const collect = (into: AppendRecord[]) => (batch: readonly AppendRecord[]): Promise<void> => {
  into.push(...batch);
  return Promise.resolve();
};
const values = (records: readonly AppendRecord[]) => records.map((r) => r.value.toString().replace(/\.+$/, ''));

describe('DiskSpool', () => {
  it('drains what was appended, in order, and is empty afterwards', async () => {
    const spool = await DiskSpool.open({ dir: tempDir(), maxBytes: 1 << 20 });
    await spool.append([rec(0), rec(1)]);
    await spool.append([rec(2)]);
    expect(spool.size()).toBe(3);
    const got: AppendRecord[] = [];
    await spool.drain(collect(got));
    expect(values(got)).toEqual(['v0', 'v1', 'v2']);
    expect(got.map((r) => r.key)).toEqual(['s0', 's1', 's2']);
    expect(spool.size()).toBe(0);
    await spool.close();
  });

  it('keeps undelivered records when delivery fails, and delivers them next time', async () => {
    const spool = await DiskSpool.open({ dir: tempDir(), maxBytes: 1 << 20 });
    await spool.append([rec(0), rec(1), rec(2)]);
    await expect(spool.drain(() => Promise.reject(new Error('log down')))).rejects.toThrow('log down');
    expect(spool.size()).toBe(3);
    const got: AppendRecord[] = [];
    await spool.drain(collect(got));
    expect(values(got)).toEqual(['v0', 'v1', 'v2']);
    await spool.close();
  });

  it('survives a restart: spooled records and the read position persist', async () => {
    const dir = tempDir();
    const first = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await first.append([rec(0), rec(1)]);
    await first.append([rec(2), rec(3)]);
    let calls = 0;
    // Deliver one batch, then fail: the first batch must not come back after the restart.
    await first
      .drain(() => (++calls > 1 ? Promise.reject(new Error('stop')) : Promise.resolve()))
      .catch(() => undefined);
    await first.close();
    const second = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    const got: AppendRecord[] = [];
    await second.drain(collect(got));
    expect(values(got).length).toBeLessThanOrEqual(4);
    expect(values(got)).toEqual(['v0', 'v1', 'v2', 'v3'].slice(4 - got.length));
    await second.close();
  });

  it('cuts a torn tail on open and keeps every whole record before it', async () => {
    const dir = tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await spool.append([rec(0), rec(1)]);
    await spool.close();
    const file = join(dir, 'spool.seg');
    const whole = statSync(file).size;
    appendFileSync(file, Buffer.from([0, 0, 0, 60, 1, 2, 3]));
    const reopened = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    expect(reopened.size()).toBe(2);
    expect(statSync(file).size).toBe(whole);
    await reopened.append([rec(2)]);
    const got: AppendRecord[] = [];
    await reopened.drain(collect(got));
    expect(values(got)).toEqual(['v0', 'v1', 'v2']);
    await reopened.close();
  });

  it('refuses appends beyond its size instead of dropping anything', async () => {
    const spool = await DiskSpool.open({ dir: tempDir(), maxBytes: 400 });
    await spool.append([rec(0, 100), rec(1, 100)]);
    let refused: unknown;
    try {
      await spool.append([rec(2, 200)]);
    } catch (err) {
      refused = err;
    }
    expect(isTollgateError(refused, 'TG_ERR_LOG_BACKPRESSURE')).toBe(true);
    expect(spool.size()).toBe(2);
    await spool.close();
  });

  it('delivers a record larger than one read chunk', async () => {
    const spool = await DiskSpool.open({ dir: tempDir(), maxBytes: 8 << 20 });
    const big = { key: 'k', value: Buffer.alloc(3 << 20, 7) };
    await spool.append([rec(0), big, rec(1)]);
    const got: AppendRecord[] = [];
    await spool.drain(collect(got));
    expect(got.map((r) => r.value.length)).toEqual([2, 3 << 20, 2]);
    expect(got[1]?.value.equals(big.value)).toBe(true);
    await spool.close();
  });
});
