import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandIO {
  /** Command output (results, tokens): stdout, so it can be piped. */
  out: (text: string) => void;
  /** Progress and diagnostics for a person: stderr. */
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** One `tollgate` subcommand. `run` resolves to the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Longer help: what it does, examples. */
  description: string;
  options: OptionSpec;
  /** Help text for each option, by option name. */
  optionHelp: Record<string, string>;
  allowPositionals?: boolean;
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}

/** Options every command takes. */
export const commonOptions: OptionSpec = {
  config: { type: 'string', short: 'c' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const commonOptionHelp: Record<string, string> = {
  config: 'configuration file (YAML or JSON); default: $TOLLGATE_CONFIG, else built-in embedded defaults',
  'data-dir': 'where embedded state lives (event log, store, dev issuer keys); overrides the config',
  help: 'show this help',
};

export function renderHelp(cmd: Command): string {
  const lines = [`Usage: ${cmd.usage}`, '', cmd.description.trim(), '', 'Options:'];
  const entries = Object.entries(cmd.options);
  const width = Math.max(...entries.map(([name, spec]) => flagText(name, spec).length));
  for (const [name, spec] of entries) {
    lines.push(`  ${flagText(name, spec).padEnd(width)}  ${cmd.optionHelp[name] ?? ''}`);
  }
  return lines.join('\n') + '\n';
}

function flagText(name: string, spec: OptionSpec[string]): string {
  const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
  return `${short}--${name}${spec.type === 'string' ? ' VALUE' : ''}`;
}
