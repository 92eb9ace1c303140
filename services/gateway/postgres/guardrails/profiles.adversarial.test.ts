import { beforeAll, describe, expect, it } from 'vitest';
import { compileGuardrails } from './compile.js';
import { loadGuardrailParser } from './parser.js';
import type { ProfileName } from './profiles.js';

// The narrower profiles: each must block its own concern by every route, and must not get in the
// way of everything else (a no-ddl role still writes, a no-server-files role still does DDL).
beforeAll(async () => {
  await loadGuardrailParser();
});

function ruleOf(profile: ProfileName, sql: string): string {
  const d = compileGuardrails([profile])(sql);
  return d.action === 'allow' ? 'allow' : d.ruleId;
}

const cases: Record<Exclude<ProfileName, 'read-only'>, { blocked: [string, string][]; allowed: string[] }> = {
  'no-ddl': {
    blocked: [
      ['SELECT 1; CREATE TABLE x (a int)', 'no-ddl/ddl'],
      ['select 1; drop table x', 'no-ddl/ddl'],
      ['CREATE TABLE c AS SELECT * FROM t', 'no-ddl/ddl'],
      ['SELECT * INTO c FROM t', 'no-ddl/ddl'],
      ['EXPLAIN ANALYZE CREATE TABLE c AS SELECT 1', 'no-ddl/ddl'],
      ['DO $$BEGIN CREATE TABLE x (); END$$', 'no-ddl/ddl'],
      ["DO $$BEGIN EXECUTE 'CREATE TABLE x ()'; END$$", 'unclassifiable/dynamic-sql'],
      ['CREATE SCHEMA s CREATE TABLE t (a int)', 'no-ddl/ddl'],
      ['CREATE TEMP TABLE scratch (a int)', 'no-ddl/ddl'],
      ['CREATE INDEX ON t (a)', 'no-ddl/ddl'],
      ['ALTER TABLE t ADD COLUMN b int', 'no-ddl/ddl'],
      ["COMMENT ON TABLE t IS 'x'", 'no-ddl/ddl'],
      ['CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING', 'no-ddl/ddl'],
      ['CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$SELECT 1$$', 'no-ddl/ddl'],
      ['CREATE OR REPLACE PROCEDURE p() LANGUAGE plpgsql AS $$BEGIN COMMIT; END$$', 'no-ddl/ddl'],
      ['CREATE EXTENSION pgcrypto', 'no-ddl/ddl'],
      ['PREPARE p AS CREATE TABLE x (a int)', 'parse/syntax'],
    ],
    allowed: [
      'INSERT INTO t VALUES (1)',
      'UPDATE t SET a = 1 WHERE id = 2',
      'DELETE FROM t',
      'TRUNCATE t',
      'GRANT SELECT ON t TO bob',
      'VACUUM t',
      "SELECT nextval('s')",
    ],
  },
  'no-unbounded-writes': {
    blocked: [
      ['UPDATE t SET a = 1', 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t', 'no-unbounded-writes/unbounded-write'],
      ['UPDATE t SET a = 1 WHERE true', 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t WHERE 1=1', 'no-unbounded-writes/unbounded-write'],
      ["DELETE FROM t WHERE 'a' = 'a'", 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t WHERE id = id', 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t WHERE t.id IS NOT DISTINCT FROM t.id', 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t WHERE id = 5 OR true', 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t WHERE 1 = 1 AND 2 = 2', 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t WHERE NOT false', 'no-unbounded-writes/unbounded-write'],
      ["DELETE FROM t WHERE 'yes'::boolean", 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t WHERE 1 < 2', 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t WHERE 0 = 0', 'no-unbounded-writes/unbounded-write'],
      ['DELETE FROM t WHERE 1 IS NOT NULL', 'no-unbounded-writes/unbounded-write'],
      ['TRUNCATE t, u', 'no-unbounded-writes/unbounded-write'],
      ['MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE', 'no-unbounded-writes/unbounded-write'],
      ['WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d', 'no-unbounded-writes/unbounded-write'],
      ['EXPLAIN ANALYZE DELETE FROM t', 'no-unbounded-writes/unbounded-write'],
      ['SELECT 1; UPDATE t SET a = 2', 'no-unbounded-writes/unbounded-write'],
      ['DO $$BEGIN DELETE FROM t; END$$', 'no-unbounded-writes/unbounded-write'],
      ['PREPARE p AS DELETE FROM t', 'no-unbounded-writes/unbounded-write'],
      // A condition that names no column has one value for every row: all rows or none, never a filter.
      ['DELETE FROM t WHERE 1 = 2', 'no-unbounded-writes/unbounded-write'],
      ["CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS 'DELETE FROM t'", 'no-unbounded-writes/unbounded-write'],
      ['CREATE FUNCTION wipe() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END', 'no-unbounded-writes/unbounded-write'],
    ],
    allowed: [
      'UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2',
      'DELETE FROM t WHERE id = 1',
      'DELETE FROM t WHERE id IN (SELECT id FROM old)',
      'UPDATE t SET a = 1 WHERE CURRENT OF c',
      'INSERT INTO t SELECT * FROM u',
      'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE',
      'DROP TABLE t',
    ],
  },
  'no-privilege-change': {
    blocked: [
      ['GRANT ALL ON t TO public', 'no-privilege-change/privilege'],
      ['GRANT pg_read_server_files TO me', 'no-privilege-change/privilege'],
      ['REVOKE ALL ON t FROM bob', 'no-privilege-change/privilege'],
      ['CREATE ROLE eve SUPERUSER', 'no-privilege-change/privilege'],
      ["ALTER USER bob PASSWORD 'x'", 'no-privilege-change/privilege'],
      ['DROP ROLE bob', 'no-privilege-change/privilege'],
      ['SET ROLE postgres', 'no-privilege-change/privilege'],
      ['set role "postgres"', 'no-privilege-change/privilege'],
      ['RESET ROLE', 'no-privilege-change/privilege'],
      ['SET SESSION AUTHORIZATION DEFAULT', 'no-privilege-change/privilege'],
      ["SELECT set_config('role', 'postgres', false)", 'no-privilege-change/privilege'],
      ["SELECT 1 WHERE set_config('role', 'admin', true) IS NOT NULL", 'no-privilege-change/privilege'],
      ['ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO public', 'no-privilege-change/privilege'],
      ['ALTER TABLE t OWNER TO bob', 'no-privilege-change/privilege'],
      ['ALTER TABLE t DISABLE ROW LEVEL SECURITY', 'no-privilege-change/privilege'],
      ['CREATE POLICY p ON t USING (true)', 'no-privilege-change/privilege'],
      ["CREATE USER MAPPING FOR me SERVER s OPTIONS (user 'x')", 'no-privilege-change/privilege'],
      ['REASSIGN OWNED BY bob TO eve', 'no-privilege-change/privilege'],
      ['DO $$BEGIN GRANT ALL ON t TO public; END$$', 'no-privilege-change/privilege'],
      ['SET search_path = public, pg_catalog', 'no-privilege-change/search-path'],
      ['SET search_path TO "$user", public, pg_catalog', 'no-privilege-change/search-path'],
    ],
    allowed: ['SELECT 1', 'INSERT INTO t VALUES (1)', 'CREATE TABLE x (a int)', 'SET search_path = app', "SELECT set_config('statement_timeout', '5s', false)"],
  },
  'no-server-files': {
    blocked: [
      ["COPY t TO '/tmp/x'", 'no-server-files/server-files'],
      ["COPY t FROM '/etc/passwd'", 'no-server-files/server-files'],
      ["COPY t FROM PROGRAM 'id'", 'no-server-files/server-files'],
      ["COPY (SELECT 1) TO PROGRAM 'sh -c evil'", 'no-server-files/server-files'],
      ["COPY (SELECT pg_read_file('x')) TO STDOUT", 'no-server-files/server-files'],
      ["SELECT pg_read_file('/etc/passwd')", 'no-server-files/server-files'],
      ["SELECT PG_CATALOG.PG_READ_FILE('/etc/passwd')", 'no-server-files/server-files'],
      ["SELECT lo_import('/etc/passwd')", 'no-server-files/server-files'],
      ["SELECT lo_export(1234, '/tmp/x')", 'no-server-files/server-files'],
      // dblink runs SQL given as text on another connection: unclassifiable before it is server-files.
      ["SELECT * FROM public.dblink('host=evil', 'SELECT 1') AS t(a int)", 'unclassifiable/dynamic-sql'],
      ["SELECT dblink_connect('c', 'host=10.0.0.1')", 'no-server-files/server-files'],
      ["SELECT pg_file_write('/tmp/x', 'd', false)", 'no-server-files/server-files'],
      ["WITH f AS (SELECT pg_ls_dir('/')) SELECT * FROM f", 'no-server-files/server-files'],
      ['CREATE EXTENSION IF NOT EXISTS dblink', 'no-server-files/server-files'],
      ["LOAD '/tmp/evil.so'", 'no-server-files/server-files'],
      ["CREATE TABLESPACE ts LOCATION '/tmp/ts'", 'no-server-files/server-files'],
      ["CREATE SUBSCRIPTION s CONNECTION 'host=evil' PUBLICATION p", 'no-server-files/server-files'],
      ["CREATE SERVER evil FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'evil')", 'no-server-files/server-files'],
      ['IMPORT FOREIGN SCHEMA public FROM SERVER evil INTO local', 'no-server-files/server-files'],
      ["DO $$BEGIN PERFORM pg_read_file('x'); END$$", 'no-server-files/server-files'],
      ["CREATE TABLE t (a text DEFAULT pg_read_file('x'))", 'no-server-files/server-files'],
    ],
    allowed: [
      'COPY t FROM STDIN',
      'COPY t TO STDOUT',
      'CREATE TABLE x (a int)',
      'DELETE FROM t',
      // A different function: quoted upper case is not the builtin (it would have to be user-made).
      'SELECT "PG_READ_FILE"(1)',
    ],
  },
  'no-catalog-secrets': {
    blocked: [
      ['SELECT rolpassword FROM pg_authid', 'no-catalog-secrets/table'],
      ['SELECT * FROM pg_catalog.pg_shadow', 'no-catalog-secrets/table'],
      ['TABLE pg_authid', 'no-catalog-secrets/table'],
      ['COPY pg_authid TO STDOUT', 'no-catalog-secrets/table'],
      ['SELECT 1 WHERE EXISTS (SELECT 1 FROM "pg_authid")', 'no-catalog-secrets/table'],
      ['SELECT * FROM pg_user_mappings', 'no-catalog-secrets/table'],
      ["SELECT table_to_xml('pg_authid', true, false, '')", 'no-catalog-secrets/table'],
      ["SELECT table_to_xml($1, true, false, '')", 'unclassifiable/dynamic-sql'],
      ["SELECT schema_to_xml('pg_catalog', true, false, '')", 'no-catalog-secrets/function'],
      ["SELECT database_to_xml(true, false, '')", 'no-catalog-secrets/function'],
    ],
    allowed: ['SELECT rolname FROM pg_roles', 'SELECT usename FROM pg_user', 'SELECT * FROM pg_stats'],
  },
};

for (const [profile, { blocked, allowed }] of Object.entries(cases)) {
  describe(`${profile} profile`, () => {
    it.each(blocked)(`blocks %s as %s`, (sql, rule) => {
      expect(ruleOf(profile as ProfileName, sql)).toBe(rule);
    });
    it.each(allowed.map((s) => [s]))('allows %s', (sql) => {
      expect(ruleOf(profile as ProfileName, sql)).toBe('allow');
    });
  });
}

describe('settings that would make the server tokenise differently from the guardrail', () => {
  // With standard_conforming_strings off, the server reads 'a\'' as "a'" and runs the DROP; the
  // guardrail (always standard strings) would see one string literal. Deny for every profile.
  it.each([
    'SET standard_conforming_strings = off',
    "SELECT set_config('standard_conforming_strings', 'off', false)",
    "SET client_encoding = 'SJIS'",
    "SET NAMES 'BIG5'",
    "SELECT set_config('client_encoding', 'GBK', false)",
  ])('%s', (sql) => {
    for (const profile of ['no-ddl', 'no-unbounded-writes', 'no-server-files'] as const) {
      expect(ruleOf(profile, sql)).toBe('unclassifiable/parser-divergence');
    }
  });

  // DEFAULT and RESET return to the startup value, which the gateway pins to on / UTF8.
  it.each(['SET standard_conforming_strings = on', 'SET standard_conforming_strings TO DEFAULT', "SET client_encoding = 'UTF8'", "SET NAMES 'utf-8'", 'RESET client_encoding'])(
    'allows %s',
    (sql) => {
      expect(ruleOf('no-ddl', sql)).toBe('allow');
    },
  );

  it('reads quotes as the server does while strings are standard, and only then', () => {
    // One string literal with standard strings (what server and guardrail both see here); with
    // standard_conforming_strings off the server would end the string early and run the DROP.
    expect(ruleOf('no-ddl', "SELECT 'a\\''; DROP TABLE t; --'")).toBe('allow');
    expect(ruleOf('no-ddl', "SELECT E'a\\''; DROP TABLE t; --'")).toBe('no-ddl/ddl');
  });
});

describe('profiles combined', () => {
  it('reports the first profile that objects, in the order given', () => {
    const g = compileGuardrails(['read-only', 'no-catalog-secrets']);
    const d = g('SELECT rolpassword FROM pg_authid');
    expect(d.action === 'block' && d.ruleId).toBe('no-catalog-secrets/table');
    const both = g('DELETE FROM pg_authid');
    expect(both.action === 'block' && both.ruleId).toBe('read-only/write');
  });
});
