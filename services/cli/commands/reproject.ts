import { loadFingerprinter } from '../../../ingest/projection/fingerprint.js';
import { reproject } from '../../../ingest/projection/reproject.js';
import { openConfiguredStore } from '../../runtime/adapters.js';
import { loadRuntime } from '../../runtime/context.js';
import { commonOptionHelp, commonOptions, type Command } from '../command.js';

/** `tollgate reproject`: rebuild sessions, queries and commands from the stored frames. */
export const reprojectCommand: Command = {
  name: 'reproject',
  summary: 'rebuild the sessions, queries and commands tables from the stored frames',
  usage: 'tollgate reproject [--truncate]',
  description: `
Re-derives every projection from the frames in the store with the same code live ingest runs, so the
rows equal those ingest wrote (use it after upgrading the projection code or to repair a table).
Without --truncate rows are rewritten in place (ReplacingMergeTree); with it the three tables are
emptied first, which also drops rows of sessions whose frames have expired. Alerts are not touched.
In embedded mode chDB locks its directory: run this while 'tollgate start' is stopped.`,
  options: { truncate: { type: 'boolean', default: false }, ...commonOptions },
  optionHelp: { truncate: 'empty sessions, queries and commands before rebuilding', ...commonOptionHelp },
  async run(args, io) {
    const { config } = await loadRuntime({ configPath: str(args.values['config']), dataDir: str(args.values['data-dir']), env: io.env });
    const store = await openConfiguredStore(config);
    try {
      await store.migrate();
      await loadFingerprinter();
      const report = await reproject(store, { truncate: args.values['truncate'] === true });
      io.out(`reprojected ${report.sessions} sessions from ${report.frames} frames: ${report.queries} queries, ${report.commands} commands\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
