import { TollgateError } from '../errors.js';
import { scanSql, type SqlToken } from './sql-lexer.js';

/**
 * Statement guard for read-only queries, on top of the engine's `readonly=1`.
 *
 * Why a second layer: in chDB the engine runs as `clickhouse local` inside the gateway process, and
 * there `readonly=1` still lets `SELECT file('/etc/...')` read any file the process can read,
 * `SELECT ... INTO OUTFILE` write one, and `KILL QUERY` run, which could stop ingest's inserts (all
 * verified against chdb 3.4.0 / engine 26.7). The guard admits one statement of a reading kind and
 * refuses file and network access by name; values to search for belong in bound parameters, which it
 * never sees.
 */

/** First words a read-only statement may start with. */
const READING_STATEMENTS = new Set(['select', 'with', 'show', 'describe', 'desc', 'explain', 'exists']);

/**
 * Functions and table functions that reach files, processes or the network. Table functions are
 * refused by readonly=1 too (verified for file() and url()); they are listed so the guard alone is
 * enough. Compared lower-cased.
 */
const OUTSIDE_ACCESS_FUNCTIONS = new Set([
  'file', 'filecluster', 'url', 'urlcluster', 's3', 's3cluster', 'gcs', 'oss', 'cosn', 'hdfs', 'hdfscluster',
  'azureblobstorage', 'azureblobstoragecluster', 'remote', 'remotesecure', 'cluster', 'clusterallreplicas',
  'executable', 'mysql', 'postgresql', 'mongodb', 'sqlite', 'odbc', 'jdbc', 'redis', 'input', 'iceberg',
  'icebergs3', 'icebergazure', 'iceberghdfs', 'iceberglocal', 'deltalake', 'hudi', 'ytsaurus',
  'arrowflight', 'prometheusquery', 'loop', 'fuzzjson', 'fuzzquery',
  // Scalar functions that load a file named in the query.
  'catboostevaluate', 'naivebayesclassifier',
]);

/** Words refused anywhere in the text, literals included: fail closed if the lexer and engine disagree. */
const RAW_REFUSALS: readonly RegExp[] = [/outfile/i, /(?<![\w$])file[`"\s]*(\(|\/\*|--|#)/i];

/** Throws TG_ERR_READ_ONLY unless `sql` is a single statement that only reads from the store. */
export function assertReadOnlyStatement(sql: string): void {
  const tokens = scanSql(sql);
  const first = tokens[0];
  if (first === undefined) refuse('the statement is empty');
  const opening = first.kind === 'punct' && first.text === '(' ? firstWord(tokens) : first;
  if (opening?.kind !== 'word' || !READING_STATEMENTS.has(opening.text.toLowerCase())) {
    refuse(`only SELECT, WITH, SHOW, DESCRIBE, EXPLAIN and EXISTS statements are allowed`);
  }
  tokens.forEach((token, i) => checkToken(token, tokens[i + 1], i === tokens.length - 1));
  for (const pattern of RAW_REFUSALS) {
    if (pattern.test(sql)) refuse(`the statement mentions ${pattern.source.startsWith('out') ? 'OUTFILE' : 'file()'}`);
  }
}

function checkToken(token: SqlToken, next: SqlToken | undefined, isLast: boolean): void {
  if (token.kind === 'punct' && token.text === ';' && !isLast) refuse('only one statement per query is allowed');
  if (token.kind === 'word' && token.text.toLowerCase() === 'outfile') refuse('INTO OUTFILE is not allowed');
  const isName = token.kind === 'word' || token.kind === 'quoted-identifier';
  const isCall = next?.kind === 'punct' && next.text === '(';
  if (isName && isCall && OUTSIDE_ACCESS_FUNCTIONS.has(token.text.toLowerCase())) {
    refuse(`${token.text}() reaches outside the store and is not allowed`);
  }
}

function firstWord(tokens: readonly SqlToken[]): SqlToken | undefined {
  return tokens.find((t) => t.kind !== 'punct' || t.text !== '(');
}

function refuse(why: string): never {
  throw new TollgateError('TG_ERR_READ_ONLY', `statement refused: ${why} on this read-only query`);
}
