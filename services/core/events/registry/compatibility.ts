import { TollgateError } from '../../errors.js';
import { compileSchemaText } from '../schemas.js';

/**
 * Compact JSON of a schema text: the form registries store and compare. Whitespace and formatting
 * never make a new version; any other difference (a doc, a default) does, as on Confluent.
 */
export function canonicalSchema(text: string): string {
  compileSchemaText(text, 'schema'); // refuse what avsc cannot compile before anyone stores it
  return JSON.stringify(JSON.parse(text));
}

/**
 * Refuses a new version of a subject unless it is fully compatible with every earlier version:
 * a reader with the new schema reads data written with each old one (backward: old events stay
 * readable), and a reader with an old schema reads data written with the new one (forward: a
 * consumer not yet upgraded keeps working during a rolling deploy). avsc decides, by building the
 * resolver each direction needs.
 */
export function assertCompatible(subject: string, next: string, earlier: readonly { version: number; schema: string }[]): void {
  const nextType = compileSchemaText(next, `new schema for ${subject}`);
  for (const old of earlier) {
    const oldType = compileSchemaText(old.schema, `${subject} version ${old.version}`);
    check(subject, old.version, 'backward', 'a reader with the new schema cannot read data written with it', () => nextType.createResolver(oldType));
    check(subject, old.version, 'forward', 'a reader still on it cannot read data written with the new schema', () => oldType.createResolver(nextType));
  }
}

function check(subject: string, version: number, direction: string, meaning: string, resolve: () => unknown): void {
  try {
    resolve();
  } catch (err) {
    throw new TollgateError(
      'TG_ERR_SCHEMA',
      `schema for ${subject} is not ${direction} compatible with version ${version} (${meaning}): ${(err as Error).message}. ` +
        'Add fields only with defaults, never remove or rename a field without an alias, give enums a default; see schemas/README.md',
      { cause: err, context: { subject, version, direction } },
    );
  }
}
