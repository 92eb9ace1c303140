import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifySql } from './classify.js';
import { formatName } from './names.js';
import { kindNames } from './kinds.js';
import { loadGuardrailParser } from './parser.js';
import { STATEMENT_KINDS } from './statement-kinds.js';

// What the classifier reports about a text, independent of any profile.
beforeAll(async () => {
  await loadGuardrailParser();
});

function summary(sql: string): { kinds: string[]; functions: string[]; unknown: string[]; relations: string[] } {
  const c = classifySql(sql);
  return {
    kinds: kindNames(c.kinds),
    functions: c.functions.map(formatName),
    unknown: c.unknownFunctions.map(formatName),
    relations: c.relations.map(formatName),
  };
}

describe('classifySql', () => {
  it('counts statements and merges their kinds', () => {
    const c = classifySql('SELECT 1; INSERT INTO t VALUES (1); BEGIN; COMMIT');
    expect(c.statementCount).toBe(4);
    expect(kindNames(c.kinds)).toEqual(['read', 'write', 'transaction']);
  });

  it('finds functions in defaults, VALUES, ORDER BY, LATERAL, CTEs and EXECUTE parameters', () => {
    for (const sql of [
      "CREATE TABLE t (a text DEFAULT pg_ls_dir('.'))",
      "INSERT INTO t VALUES (pg_ls_dir('.'))",
      "SELECT * FROM t ORDER BY pg_ls_dir('.')",
      "SELECT * FROM t, LATERAL pg_ls_dir('.') d",
      "WITH x AS (SELECT pg_ls_dir('.')) SELECT * FROM x",
      "EXECUTE p(pg_ls_dir('.'))",
      "SELECT * FROM t WHERE a IN (SELECT pg_ls_dir('.'))",
      "UPDATE t SET a = pg_ls_dir('.') WHERE id = 1",
      "INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = pg_ls_dir('.')",
    ]) {
      expect(summary(sql).functions, sql).toContain('pg_ls_dir');
      expect(summary(sql).kinds, sql).toContain('server-files');
    }
  });

  it('resolves case, quoting, schema and Unicode escapes the way PostgreSQL does', () => {
    expect(summary('SELECT PG_CATALOG.LOWER(x) FROM t').functions).toEqual(['pg_catalog.lower']);
    expect(summary('SELECT "pg_catalog"."lower"(x) FROM t').functions).toEqual(['pg_catalog.lower']);
    expect(summary('SELECT U&"\\006Cower"(x) FROM t').functions).toEqual(['lower']);
    expect(summary('SELECT "LOWER"(x) FROM t').unknown).toEqual(['LOWER']);
  });

  it('treats only pg_catalog or unqualified builtins as known', () => {
    const s = summary('SELECT lower(a), app.lower(a), my_func(a) FROM t');
    expect(s.unknown).toEqual(['app.lower', 'my_func']);
  });

  it('records relations read, written, and where they are unbounded', () => {
    const c = classifySql('UPDATE app.accounts SET x = 1; DELETE FROM log WHERE id = 2; TRUNCATE audit');
    expect(c.relations.map(formatName)).toEqual(['app.accounts', 'log', 'audit']);
    expect(c.writes.map((w) => [formatName(w.relation), w.bounded])).toEqual([
      ['app.accounts', false],
      ['log', true],
      ['audit', false],
    ]);
  });

  it('records settings changed by SET, RESET and set_config', () => {
    const c = classifySql("SET work_mem = '64MB'; RESET TimeZone; SELECT set_config('App.X', '1', true)");
    expect(c.settings).toEqual(['work_mem', 'timezone', 'app.x']);
  });

  it('keeps the classification of each PREPARE for a later EXECUTE', () => {
    const c = classifySql('PREPARE a AS SELECT 1; PREPARE b AS DELETE FROM t; EXECUTE b');
    expect(c.prepares.map((p) => [p.name, kindNames(p.classification.kinds)])).toEqual([
      ['a', ['read']],
      ['b', ['write', 'unbounded-write']],
    ]);
    expect(c.executes).toEqual(['b']);
  });

  it('locates a PL/pgSQL function after multibyte text (parser offsets are bytes)', () => {
    const sql = "SELECT 'é€漢字'; CREATE FUNCTION f(a int) RETURNS int LANGUAGE plpgsql AS $$BEGIN a := a + pg_ls_dir('x')::int; RETURN a; END$$";
    const c = classifySql(sql);
    expect(c.unclassifiable).toBeUndefined();
    expect(kindNames(c.kinds)).toContain('server-files');
  });

  it('classifies both sides of a PL/pgSQL assignment, subscripts included', () => {
    const c = classifySql("DO $$DECLARE arr int[]; BEGIN arr[length(pg_read_file('x'))] := 1; END$$");
    expect(kindNames(c.kinds)).toContain('server-files');
  });

  it('classifies PL/pgSQL cursors, loops, RETURN QUERY and COMMIT', () => {
    const c = classifySql(`CREATE FUNCTION f() RETURNS SETOF int LANGUAGE plpgsql AS $$
      DECLARE c CURSOR FOR SELECT nextval('s'); r record;
      BEGIN
        FOR r IN SELECT * FROM t LOOP UPDATE t SET a = 1 WHERE id = r.id; END LOOP;
        RETURN QUERY SELECT 1;
      END$$`);
    expect(kindNames(c.kinds)).toEqual(['read', 'write', 'ddl']);
    expect(c.relations.map(formatName)).toContain('t');
    const proc = classifySql('CREATE PROCEDURE p() LANGUAGE plpgsql AS $$BEGIN COMMIT; END$$');
    expect(kindNames(proc.kinds)).toContain('transaction');
  });

  it('reports dynamic SQL and foreign languages as unclassifiable', () => {
    expect(classifySql("DO $$BEGIN EXECUTE 'x'; END$$").unclassifiable?.reason).toBe('dynamic-sql');
    expect(classifySql("DO $$DECLARE c refcursor; BEGIN OPEN c FOR EXECUTE 'x'; END$$").unclassifiable?.reason).toBe('dynamic-sql');
    expect(classifySql("CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'lib', 'sym'").unclassifiable?.reason).toBe('body-language');
    expect(classifySql("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELEC 1'").unclassifiable?.reason).toBe('body-unparseable');
  });

  it('does not mistake the name of a created function for a call', () => {
    expect(summary('CREATE FUNCTION pg_read_file() RETURNS int LANGUAGE sql AS $$SELECT 1$$').functions).toEqual([]);
  });

  it('stops at bodies nested too deep', () => {
    let sql = 'SELECT 1';
    for (let i = 0; i < 6; i++) {
      sql = `CREATE FUNCTION f${i}() RETURNS void LANGUAGE plpgsql AS $b${i}$BEGIN ${sql.replaceAll("'", "''")}; END$b${i}$`;
    }
    expect(classifySql(sql).unclassifiable?.reason).toBe('too-deep');
  });

  it('knows every statement node of the installed parser (a parser upgrade must classify new ones)', () => {
    const typings = createRequire(import.meta.url).resolve('@pgsql/types/types.d.ts');
    const tags = [...readFileSync(typings, 'utf8').matchAll(/export interface (\w+Stmt) \{/g)].map((m) => m[1]);
    expect(tags.length).toBeGreaterThan(100);
    expect(tags.filter((t) => t !== 'RawStmt' && t !== undefined && !STATEMENT_KINDS.has(t))).toEqual([]);
  });

  it('throws the parser error for text PostgreSQL rejects', () => {
    expect(() => classifySql('SELEC 1')).toThrow(/syntax error/);
  });
});
