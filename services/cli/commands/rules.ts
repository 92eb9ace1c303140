import { TollgateError } from '../../core/errors.js';
import { parseDurationMs } from '../../core/config/index.js';
import { loadFingerprinter } from '../../../ingest/projection/fingerprint.js';
import { backtest } from '../../../ingest/rules/backtest.js';
import { loadRuleFile, loadRules } from '../../../ingest/rules/load.js';
import { openConfiguredStore } from '../../runtime/adapters.js';
import { loadRuntime } from '../../runtime/context.js';
import { commonOptionHelp, commonOptions, type Command } from '../command.js';

/** `tollgate rules list|backtest`: the anomaly rules in force, and a dry run of a rule over history. */
export const rulesCommand: Command = {
  name: 'rules',
  summary: 'list anomaly rules, or backtest a rule file over stored history',
  usage: 'tollgate rules list | tollgate rules backtest RULE_FILE [--since 30d] [--format table|json]',
  description: `
list      the rules ingest loads: the built-in pack, then the files in ingest.rulesDir (a rule with
          the id of a built-in one replaces it).
backtest  runs the rules of RULE_FILE over the stored frames of sessions active within --since, in
          session order, and prints the alerts they would have raised. Nothing is written.
          In embedded mode run it while 'tollgate start' is stopped (chDB locks its directory).

Examples:
  tollgate rules list
  tollgate rules backtest my-rules/exfil.yaml --since 7d --format json`,
  allowPositionals: true,
  options: { since: { type: 'string', default: '30d' }, format: { type: 'string', short: 'f', default: 'table' }, ...commonOptions },
  optionHelp: { since: 'history to replay for backtest (e.g. 24h, 30d)', format: 'table (default) or json (one alert per line)', ...commonOptionHelp },
  async run(args, io) {
    const [sub, file] = args.positionals;
    const { config } = await loadRuntime({ configPath: str(args.values['config']), dataDir: str(args.values['data-dir']), env: io.env });
    if (sub === 'list') {
      for (const r of loadRules([config.ingest.rulesDir])) {
        io.out(`${r.spec.id.padEnd(36)} ${r.spec.severity.padEnd(8)} ${r.spec.enabled ? 'on ' : 'off'} ${r.spec.title}\n`);
      }
      return 0;
    }
    if (sub !== 'backtest' || file === undefined) throw new TollgateError('TG_ERR_CONFIG', 'usage: tollgate rules list | tollgate rules backtest RULE_FILE [--since 30d]');
    const sinceMs = parseDurationMs(String(args.values['since']));
    if (sinceMs === undefined || sinceMs <= 0) throw new TollgateError('TG_ERR_CONFIG', `--since must be a duration like 24h or 30d, not "${String(args.values['since'])}"`);
    const rules = loadRuleFile(file);
    const store = await openConfiguredStore(config);
    try {
      await store.migrate();
      await loadFingerprinter();
      const report = await backtest(store, rules, (Date.now() - sinceMs) * 1000);
      for (const a of report.alerts) {
        if (args.values['format'] === 'json') io.out(`${JSON.stringify(a)}\n`);
        else io.out(`${new Date(a.tsMicros / 1000).toISOString()}  ${a.severity.padEnd(8)} ${a.ruleId}  ${a.subject}  ${a.sessionId ?? ''}#${a.seq ?? ''}  ${a.title}\n`);
      }
      io.err(`${report.alerts.length} alert(s) from ${rules.length} rule(s) over ${report.sessions} session(s), ${report.facts} event(s)\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
