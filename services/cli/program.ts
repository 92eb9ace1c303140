import { parseArgs } from 'node:util';
import { isTollgateError } from '../core/errors.js';
import { renderHelp, type Command, type CommandIO } from './command.js';
import { commands } from './commands/index.js';

export const processIO: CommandIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'tollgate: an access gateway with an event-sourced audit trail',
    '',
    'Usage: tollgate <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'tollgate <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** Parses argv, runs one command, and returns the exit code. */
export async function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.out(`${await packageVersion()}\n`);
    return 0;
  }
  const cmd: Command | undefined = commands.find((c) => c.name === name);
  if (cmd === undefined) {
    io.err(`tollgate: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: cmd.options, allowPositionals: cmd.allowPositionals ?? false, strict: true });
  } catch (err) {
    io.err(`tollgate ${cmd.name}: ${(err as Error).message}\n\n${renderHelp(cmd)}`);
    return 2;
  }
  if (parsed.values['help'] === true) {
    io.out(renderHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(parsed as Parameters<Command['run']>[0], io);
  } catch (err) {
    io.err(`tollgate ${cmd.name}: ${describe(err)}\n`);
    return 1;
  }
}

function describe(err: unknown): string {
  if (isTollgateError(err)) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.code}: ${err.message}${cause}`;
  }
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { findPackageRoot } = await import('../core/package-root.js');
  const pkg = JSON.parse(await readFile(`${findPackageRoot()}/package.json`, 'utf8')) as { version: string };
  return pkg.version;
}
