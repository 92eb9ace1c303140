import { describe, expect, it } from 'vitest';
import { pgClient } from './testing/clients.js';
import { useHarness, type Harness } from './testing/harness.js';

let h: Harness;
useHarness((started) => (h = started), { limits: { idleTimeout: '2s', statementTimeout: '1s', tokenExpiryGrace: 0 } });

const errorOf = (c: { on(e: 'error', f: (err: Error) => void): unknown }) => new Promise<Error>((resolve) => c.on('error', resolve));

describe('limits', () => {
  it('cancels a statement that runs past the statement timeout; the session stays usable', async () => {
    const c = await pgClient(h.port, 'app', await h.token('lee', ['dev']));
    try {
      await expect(c.query('SELECT pg_sleep(10)')).rejects.toMatchObject({ code: '57014' });
      expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await c.end();
    }
    const frames = await h.frames();
    expect(frames.some((f) => f.body.kind === 'Decision' && f.body.rule === 'limits/statement-timeout')).toBe(true);
  });

  it('ends an idle session with SQLSTATE 57P05', async () => {
    const c = await pgClient(h.port, 'app', await h.token('lee', ['dev']));
    const err = await errorOf(c);
    expect(err).toMatchObject({ code: '57P05' });
    expect(err.message).toMatch(/idle for longer than 2000 ms/);
  });

  it('ends a session once its token expires (grace 0)', async () => {
    const c = await pgClient(h.port, 'app', await h.token('lee', ['dev'], 1500));
    const err = errorOf(c);
    const busy = setInterval(() => void c.query('SELECT 1').catch(() => undefined), 300);
    try {
      expect(await err).toMatchObject({ code: '28000', message: expect.stringMatching(/identity token expired/) as unknown });
    } finally {
      clearInterval(busy);
    }
  });
});
