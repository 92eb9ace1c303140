import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../services/core/errors.js';
import { compileHours } from './compile.js';
import { compileRule } from './engine.js';
import { loadRules, parseRuleFile } from './load.js';

const fact = (fields: Record<string, unknown>, ts = Date.UTC(2026, 0, 5, 12) * 1000) => ({ kind: 'command' as const, sessionId: 's', seq: 1, tsMicros: ts, fields });

describe('rule files', () => {
  it('reports every problem of an invalid rule in one TG_ERR_CONFIG naming the file', () => {
    const err = (() => {
      try {
        parseRuleFile('id: Bad Id\ntitle: x\nseverity: urgent\non: query\nextra: 1\n', 'x.yaml');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isTollgateError(err, 'TG_ERR_CONFIG')).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('x.yaml');
    expect(message).toContain('id');
    expect(message).toContain('severity');
    expect(message).toContain('extra');
  });

  it('refuses broken YAML, an empty file, unknown fact kinds and bad regular expressions', () => {
    expect(() => parseRuleFile('id: [unclosed', 'a.yaml')).toThrow(/not valid YAML/);
    expect(() => parseRuleFile('', 'b.yaml')).toThrow(/invalid rule/);
    expect(() => parseRuleFile('id: tg.x\ntitle: t\nseverity: low\non: packet\n', 'c.yaml')).toThrow(/on/);
    const [spec] = parseRuleFile('id: tg.x\ntitle: t\nseverity: low\non: command\nwhen: { command: { matches: "(" } }\n', 'd.yaml');
    expect(() => compileRule(spec!, 'd.yaml')).toThrow(/not a valid regular expression/);
  });

  it('compiles conditions: all/any/not, eq on arrays, ranges, glob, contains, nonEmpty', () => {
    const [spec] = parseRuleFile(`
id: tg.test.cond
title: t
severity: low
on: command
when:
  all:
    - groups: admins
    - rows: { gte: 10, lt: 100 }
    - connection: { glob: 'prod-*' }
    - any:
        - command: { contains: SHADOW }
        - masking: { nonEmpty: true }
    - not: { subject: { in: [robot] } }
`, 'e.yaml');
    const rule = compileRule(spec!, 'e.yaml');
    const ok = { groups: ['dev', 'admins'], rows: 10, connection: 'PROD-db', command: 'cat /etc/shadow', masking: [], subject: 'alice' };
    expect(rule.when(ok)).toBe(true);
    expect(rule.when({ ...ok, groups: ['dev'] })).toBe(false);
    expect(rule.when({ ...ok, rows: 100 })).toBe(false);
    expect(rule.when({ ...ok, connection: 'staging' })).toBe(false);
    expect(rule.when({ ...ok, command: 'ls', masking: ['email'] })).toBe(true);
    expect(rule.when({ ...ok, command: 'ls' })).toBe(false);
    expect(rule.when({ ...ok, subject: 'robot' })).toBe(false);
    expect(rule.when({})).toBe(false);
  });

  it('working hours honour the UTC offset and overnight ranges', () => {
    const outside = compileHours({ working: '09:00-17:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], utcOffset: '+02:00' });
    expect(outside(Date.UTC(2026, 0, 5, 7, 30) * 1000)).toBe(false); // 09:30 local
    expect(outside(Date.UTC(2026, 0, 5, 15, 30) * 1000)).toBe(true); // 17:30 local
    const night = compileHours({ working: '22:00-06:00', days: ['mon'], utcOffset: '+00:00' });
    expect(night(Date.UTC(2026, 0, 5, 23, 0) * 1000)).toBe(false);
    expect(night(Date.UTC(2026, 0, 5, 12, 0) * 1000)).toBe(true);
  });

  it('loads extra folders after the built-in pack; the same id replaces, a duplicate in one folder is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-rules-'));
    try {
      await writeFile(join(dir, 'a.yaml'), 'id: tg.session.off-hours\ntitle: quiet\nseverity: info\nenabled: false\non: session.start\n');
      await writeFile(join(dir, 'b.yml'), 'rules:\n  - id: team.custom\n    title: c\n    severity: low\n    on: query\n');
      await writeFile(join(dir, 'notes.txt'), 'ignored');
      const rules = loadRules([dir]);
      const off = rules.find((r) => r.spec.id === 'tg.session.off-hours');
      expect(off?.spec.enabled).toBe(false);
      expect(rules.some((r) => r.spec.id === 'team.custom')).toBe(true);
      expect(rules.filter((r) => r.spec.id === 'tg.session.off-hours')).toHaveLength(1);
      await writeFile(join(dir, 'c.yaml'), 'id: team.custom\ntitle: again\nseverity: low\non: query\n');
      expect(() => loadRules([dir])).toThrow(/defined twice/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a missing rules folder holds no rules (the built-in pack still loads)', () => {
    expect(loadRules(['/nonexistent/tollgate-rules']).length).toBeGreaterThan(10);
  });

  it('a window by session counts per session', () => {
    const [spec] = parseRuleFile('id: tg.test.win\ntitle: t\nseverity: low\non: command\nwindow: { by: session, within: 1m, count: 2 }\n', 'w.yaml');
    const rule = compileRule(spec!, 'w.yaml');
    expect(rule.windowUs).toBe(60_000_000);
    expect(fact({}).fields).toEqual({});
  });
});
