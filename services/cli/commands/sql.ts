import { TollgateError } from '../../core/errors.js';
import { openConfiguredStore } from '../../runtime/adapters.js';
import { loadRuntime } from '../../runtime/context.js';
import { commonOptionHelp, commonOptions, type Command } from '../command.js';
import { formatRows, type OutputFormat } from './format-rows.js';

/** `tollgate sql`: read-only SQL against the store. */
export const sqlCommand: Command = {
  name: 'sql',
  summary: 'run a read-only SQL query against the store (sessions, queries, commands, frames, alerts)',
  usage: "tollgate sql [--format table|json|csv] [--limit N] 'SELECT ...'",
  description: `
Runs one read-only query against the store (chDB in embedded mode, ClickHouse in distributed mode).
The engine enforces read-only (readonly=1): writes and settings changes are refused. In embedded
mode chDB locks its directory, so run this while 'tollgate start' is stopped, or query a running
node through its replay service.

Examples:
  tollgate sql "SELECT subject, count() FROM sessions FINAL GROUP BY subject"
  tollgate sql --format csv "SELECT * FROM queries WHERE outcome = 'blocked'"`,
  allowPositionals: true,
  options: {
    format: { type: 'string', short: 'f', default: 'table' },
    limit: { type: 'string', default: '10000' },
    ...commonOptions,
  },
  optionHelp: {
    format: 'table (default), json (one object per line) or csv',
    limit: 'maximum rows the engine returns (default 10000)',
    ...commonOptionHelp,
  },
  async run(args, io) {
    const sql = args.positionals.join(' ').trim();
    if (sql === '') throw new TollgateError('TG_ERR_CONFIG', "give the query as an argument: tollgate sql 'SELECT ...'");
    const format = String(args.values['format']) as OutputFormat;
    if (!['table', 'json', 'csv'].includes(format)) throw new TollgateError('TG_ERR_CONFIG', `--format must be table, json or csv, not "${format}"`);
    const limit = Number(args.values['limit']);
    if (!Number.isInteger(limit) || limit < 1) throw new TollgateError('TG_ERR_CONFIG', '--limit must be a positive whole number');
    const { config } = await loadRuntime({ configPath: str(args.values['config']), dataDir: str(args.values['data-dir']), env: io.env });
    const store = await openConfiguredStore(config);
    try {
      await store.migrate();
      const rows = await store.query(sql, {}, { readOnly: true, maxResultRows: limit, maxExecutionSeconds: 60 });
      io.out(formatRows(rows, format));
      return 0;
    } finally {
      await store.close();
    }
  },
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
