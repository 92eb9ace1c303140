import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CompiledGuardrails } from './compile.js';
import { compileGuardrails } from './compile.js';
import { loadGuardrailParser } from './parser.js';
import type { ProfileName } from './profiles.js';

// Routes found in an adversarial review, each checked against a real PostgreSQL server first:
// the statement does what its comment says there, and must be caught here.
const guards = new Map<ProfileName, CompiledGuardrails>();
beforeAll(async () => {
  await loadGuardrailParser();
  for (const p of ['read-only', 'no-ddl', 'no-server-files', 'no-catalog-secrets', 'no-unbounded-writes'] as const) guards.set(p, compileGuardrails([p]));
});

function ruleOf(profile: ProfileName, sql: string): string {
  const d = guards.get(profile)?.(sql);
  if (d === undefined) throw new Error(`no guard for ${profile}`);
  return d.action === 'allow' ? 'allow' : d.ruleId;
}

describe('attribute notation: (x).f calls f(x) when x is not composite', () => {
  it.each([
    // PostgreSQL 15 returns the file's contents for this.
    ["SELECT ('/etc/hostname'::text).pg_read_file", 'no-server-files', 'no-server-files/server-files'],
    ["SELECT ('/etc'::text).\"pg_ls_dir\"", 'no-server-files', 'no-server-files/server-files'],
    ["SELECT ((('/etc/hostname')::text)).pg_read_file", 'read-only', 'read-only/server-files'],
    // nextval(regclass) through a field access advances the sequence.
    ["SELECT ('s'::regclass).nextval", 'read-only', 'read-only/write'],
    ['SELECT (1234).pg_terminate_backend', 'read-only', 'read-only/server-config'],
    ['SELECT (42::bigint).pg_advisory_lock', 'read-only', 'read-only/lock'],
    ["SELECT x FROM t WHERE (('c'::text)).pg_read_file IS NOT NULL", 'no-server-files', 'no-server-files/server-files'],
  ] as const)('%s under %s -> %s', (sql, profile, rule) => {
    expect(ruleOf(profile, sql)).toBe(rule);
  });

  it('read-only judges a field of a scalar as a call, so user functions are unknown there', () => {
    expect(ruleOf('read-only', "SELECT ('x'::text).my_writer")).toBe('read-only/unknown-function');
    expect(ruleOf('read-only', 'SELECT (42).my_writer')).toBe('read-only/unknown-function');
    expect(ruleOf('read-only', "SELECT ('{}'::pg_catalog.jsonb).my_writer")).toBe('read-only/unknown-function');
    // Builtins stay known: ('abc'::text).length is length('abc').
    expect(ruleOf('read-only', "SELECT ('abc'::text).length, ('x'::varchar(3)).upper")).toBe('allow');
    // A cast to a composite type is field access, not a call.
    expect(ruleOf('read-only', "SELECT ('(1,2)'::pair).a")).toBe('allow');
  });

  it('still allows ordinary composite field access in read-only', () => {
    expect(ruleOf('read-only', 'SELECT (t.addr).city, (pg_stat_file_info).size FROM t')).toBe('allow');
    expect(ruleOf('read-only', "SELECT (row(1, 2)::pair).a, (ARRAY[1])[1]")).toBe('allow');
  });

  it('lets a policy deny a function reached by attribute notation', () => {
    const g = compileGuardrails([], [{ id: 'acme', denyFunctions: ['pg_sleep'] }]);
    const d = g('SELECT (5::float8).pg_sleep');
    expect(d.action === 'block' && d.ruleId).toBe('acme/function');
  });
});

describe('operators from another schema run that schema\'s code', () => {
  it('read-only treats OPERATOR(schema.op) outside pg_catalog as an unknown function', () => {
    expect(ruleOf('read-only', 'SELECT 1 OPERATOR(public.+) 2')).toBe('read-only/unknown-function');
    expect(ruleOf('read-only', 'SELECT 1 OPERATOR(pg_catalog.+) 2, 3 + 4')).toBe('allow');
  });
});

describe('file_fdw foreign tables are server files, like COPY FROM a file', () => {
  it.each([
    "CREATE FOREIGN TABLE ft (a text) SERVER files OPTIONS (filename '/etc/passwd')",
    "CREATE FOREIGN TABLE ft (a text) SERVER files OPTIONS (program 'id')",
    "ALTER FOREIGN TABLE ft OPTIONS (SET filename '/etc/shadow')",
    "ALTER FOREIGN TABLE ft ALTER COLUMN a OPTIONS (ADD x 'y')",
  ])('%s', (sql) => {
    expect(ruleOf('no-server-files', sql)).toBe('no-server-files/server-files');
  });

  it('leaves other ALTER TABLE commands alone', () => {
    expect(ruleOf('no-server-files', 'ALTER TABLE t ADD COLUMN b int')).toBe('allow');
  });
});

describe('#option dump: the PL/pgSQL compiler would print the body to the gateway\'s stdout', () => {
  // stdout is where the gateway's JSON log goes: a body line like '\n{"level":30,...}' forges entries.
  it.each([
    'DO $$ #option dump\nBEGIN PERFORM 1; END $$',
    "DO $$ /* c */ # /* x */ OPTION -- y\n DuMp BEGIN PERFORM '\n{\"level\":30,\"msg\":\"forged\"}'; END $$",
    'DO $$ #variable_conflict use_column #option dump BEGIN PERFORM 1; END $$',
    'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ #option dump\nBEGIN RETURN 1; END $$',
  ])('%s is refused without being compiled', (sql) => {
    const out = vi.spyOn(process.stdout, 'write');
    const log = vi.spyOn(console, 'log');
    try {
      expect(ruleOf('no-ddl', sql)).toBe('unclassifiable/body-unparseable');
      const printed = [...out.mock.calls, ...log.mock.calls].map((c) => String(c[0])).join('');
      expect(printed).not.toContain('Execution tree');
    } finally {
      out.mockRestore();
      log.mockRestore();
    }
  });

  it('other compiler options still work', () => {
    expect(ruleOf('no-ddl', 'DO $$ #print_strict_params on\n#variable_conflict use_column\nBEGIN PERFORM 1; END $$')).toBe('allow');
  });
});

describe('block messages are recorded and logged', () => {
  // eslint-disable-next-line no-control-regex
  const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  it.each([
    'SELECT "evil\nINFO forged\u001b[31m"()',
    'EXECUTE "p\nq"',
    'DO LANGUAGE "x\ny" $$x$$',
    'SELECT "pg\u202eauthid"()',
    'CREATE FUNCTION f() RETURNS int LANGUAGE "evil\r\nlang" AS $$x$$',
    'SELECT 1 +',
  ])('carry no line breaks, escapes or bidi controls from %j', (sql) => {
    const d = guards.get('read-only')?.(sql);
    expect(d?.action).toBe('block');
    expect(d?.action === 'block' && d.message).not.toMatch(UNSAFE);
  });
});

describe('two-phase commit reaches other sessions', () => {
  // PostgreSQL 15 with default_transaction_read_only=on ran COMMIT PREPARED of another session's INSERT.
  it.each([
    ["COMMIT PREPARED 'gx'", 'read-only/write'],
    ["ROLLBACK PREPARED 'gx'", 'read-only/write'],
    ["PREPARE TRANSACTION 'gx'", 'read-only/lock'],
  ])('%s -> %s', (sql, rule) => {
    expect(ruleOf('read-only', sql)).toBe(rule);
  });

  it('leaves ordinary transaction control alone', () => {
    expect(ruleOf('read-only', 'BEGIN; SELECT 1; SAVEPOINT s; ROLLBACK TO s; RELEASE s; COMMIT')).toBe('allow');
  });
});

describe('security labels are access control', () => {
  it('SECURITY LABEL (sepgsql) is a privilege change', () => {
    expect(ruleOf('read-only', "SECURITY LABEL FOR sepgsql ON TABLE t IS 'system_u:object_r:sepgsql_table_t:s0'")).toBe('read-only/privilege');
    const g = compileGuardrails(['no-privilege-change']);
    const d = g("SECURITY LABEL ON TABLE t IS 'x'");
    expect(d.action === 'block' && d.ruleId).toBe('no-privilege-change/privilege');
  });
});

describe('dblink runs SQL given as text', () => {
  it.each(["SELECT dblink_exec('dbname=app', 'DROP TABLE t')", "SELECT dblink_open('c', 'SELECT 1')", "SELECT dblink_send_query('c', 'DROP TABLE t')"])(
    '%s is unclassifiable even where server files are allowed',
    (sql) => {
      expect(ruleOf('no-ddl', sql)).toBe('unclassifiable/dynamic-sql');
    },
  );
});

describe('table_to_xml names its relation as the server reads regclass text', () => {
  // The server folds unquoted case and ignores spaces around the dot: all of these are pg_authid.
  it.each([
    "SELECT table_to_xml('PG_AUTHID', true, false, '')",
    "SELECT table_to_xml(' pg_catalog . pg_authid ', true, false, '')",
    "SELECT table_to_xml('Pg_Catalog.Pg_Shadow', true, false, '')",
  ])('%s', (sql) => {
    expect(ruleOf('no-catalog-secrets', sql)).toBe('no-catalog-secrets/table');
  });

  it.each([
    "SELECT table_to_xml('\"pg_authid\"', true, false, '')",
    "SELECT table_to_xml('postgres.pg_catalog.pg_authid', true, false, '')",
    "SELECT table_to_xml('pg_authid;', true, false, '')",
  ])('fails closed on names it does not read itself: %s', (sql) => {
    expect(ruleOf('no-catalog-secrets', sql)).toBe('unclassifiable/dynamic-sql');
  });

  it('still allows a plain table', () => {
    expect(ruleOf('no-catalog-secrets', "SELECT table_to_xml('public.Orders', true, false, '')")).toBe('allow');
  });
});

describe('a write condition that names no column bounds nothing', () => {
  it.each([
    'UPDATE t SET a = 1 WHERE 1 IN (1)',
    'UPDATE t SET a = 1 WHERE NOT (1 = 2)',
    'UPDATE t SET a = 1 WHERE 1 BETWEEN 0 AND 2',
    "UPDATE t SET a = 1 WHERE 'a' LIKE '%'",
    'UPDATE t SET a = 1 WHERE EXISTS (SELECT 1)',
    'UPDATE t SET a = 1 WHERE NULL IS NULL',
    'DELETE FROM t WHERE TRUE IS TRUE',
    'DELETE FROM t WHERE coalesce(true)',
    "DELETE FROM t WHERE now() > '2000-01-01'",
    'DELETE FROM t WHERE $1',
    'MERGE INTO t USING s ON 2 > 1 WHEN MATCHED THEN DELETE',
  ])('%s', (sql) => {
    expect(ruleOf('no-unbounded-writes', sql)).toBe('no-unbounded-writes/unbounded-write');
  });

  it.each([
    'UPDATE t SET a = 1 WHERE id = $1',
    'UPDATE t SET a = 1 WHERE CURRENT OF c',
    'DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id)',
    'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE',
  ])('still allows %s', (sql) => {
    expect(ruleOf('no-unbounded-writes', sql)).toBe('allow');
  });
});

describe('already blocked (regression guard for the review)', () => {
  it.each([
    ['EXPLAIN (ANALYZE on) DELETE FROM t WHERE a = 1', 'read-only', 'read-only/write'],
    ["EXPLAIN (ANALYZE 'yes') DELETE FROM t WHERE a = 1", 'read-only', 'read-only/write'],
    ['EXPLAIN ANALYSE DELETE FROM t WHERE a = 1', 'read-only', 'read-only/write'],
    ['DECLARE c CURSOR WITH HOLD FOR WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x', 'read-only', 'read-only/write'],
    ['SET LOCAL role = postgres', 'read-only', 'read-only/privilege'],
    ['SET SESSION AUTHORIZATION DEFAULT', 'read-only', 'read-only/privilege'],
    ['ALTER ROLE CURRENT_USER SET default_transaction_read_only = off', 'read-only', 'read-only/privilege'],
    ["SELECT set_config('ro' || 'le', 'postgres', false)", 'read-only', 'unclassifiable/dynamic-sql'],
    ["SELECT * FROM ROWS FROM (pg_ls_dir('/'))", 'no-server-files', 'no-server-files/server-files'],
    ["SELECT * FROM XMLTABLE('/a' PASSING xmlparse(document pg_read_file('/x')) COLUMNS a text)", 'no-server-files', 'no-server-files/server-files'],
    ["SELECT * FROM JSON_TABLE(pg_read_file('/x')::jsonb, '$' COLUMNS (a text))", 'no-server-files', 'no-server-files/server-files'],
    ['SELECT myagg(x) OVER () FROM t', 'read-only', 'read-only/unknown-function'],
    ['CALL p()', 'read-only', 'read-only/procedure'],
    ["SECURITY LABEL ON TABLE t IS 'x'", 'no-ddl', 'no-ddl/ddl'],
    ['CREATE OR REPLACE RULE r AS ON SELECT TO t DO INSTEAD SELECT 1', 'no-ddl', 'no-ddl/ddl'],
    ['CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f()', 'no-ddl', 'no-ddl/ddl'],
    ['IMPORT FOREIGN SCHEMA s FROM SERVER x INTO y', 'no-server-files', 'no-server-files/server-files'],
    ["LOAD 'x'", 'no-server-files', 'no-server-files/server-files'],
    ['DO LANGUAGE plpythonu $$import os$$', 'no-ddl', 'unclassifiable/body-language'],
    ['DO LANGUAGE sql $$DELETE FROM t$$', 'no-ddl', 'unclassifiable/body-language'],
    ['SELECT lo_unlink(123)', 'read-only', 'read-only/write'],
    ["SELECT pg_file_write('x', 'y', false)", 'no-server-files', 'no-server-files/server-files'],
    ['SELECT postgres_fdw_disconnect_all()', 'read-only', 'read-only/unknown-function'],
    ['SELECT (pg_authid).rolpassword FROM pg_authid', 'no-catalog-secrets', 'no-catalog-secrets/table'],
    ['SELECT * FROM t FOR KEY SHARE', 'read-only', 'read-only/lock'],
  ] as const)('%s under %s -> %s', (sql, profile, rule) => {
    expect(ruleOf(profile, sql)).toBe(rule);
  });

  it('compares names as the server does after NAMEDATALEN truncation (the parser truncates too)', () => {
    // A 70-character name reaches the server as its first 63 characters; the guardrail sees the same.
    const g = compileGuardrails([], [{ id: 'acme', denyFunctions: [`f${'x'.repeat(62)}`] }]);
    const d = g(`SELECT f${'x'.repeat(69)}()`);
    expect(d.action === 'block' && d.ruleId).toBe('acme/function');
  });
});
