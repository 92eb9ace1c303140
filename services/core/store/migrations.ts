import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TollgateError } from '../errors.js';
import type { QueryParams } from './port.js';
import { splitStatements } from './sql-lexer.js';
import { MigrationsTable } from './tables.js';

/** The folder holding the versioned DDL shipped with tollgate. */
export const defaultMigrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  /** sha256 of the file: an applied migration must never change. */
  checksum: string;
  statements: string[];
}

/** What the migrator needs from an adapter: statements without rows, and rows. */
export interface MigrationTarget {
  command(sql: string, params?: QueryParams): Promise<void>;
  query<T>(sql: string, params?: QueryParams): Promise<T[]>;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `NNNN_name.sql` files from `dir`, ordered by version; any other .sql file is an error. */
export async function loadMigrations(dir: string = defaultMigrationsDir): Promise<Migration[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  } catch (cause) {
    throw migrationError(`cannot read the migrations folder ${dir}`, cause, { dir });
  }
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match) throw migrationError(`migration file ${file} is not named NNNN_name.sql`, undefined, { dir, file });
    const text = await readFile(join(dir, file), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw migrationError(`two migration files have version ${version}`, undefined, { dir, file });
    }
    const checksum = createHash('sha256').update(text).digest('hex');
    migrations.push({ version, name: match[2] ?? file, checksum, statements: splitStatements(text) });
  }
  return migrations;
}

interface AppliedRow {
  version: number;
  checksum: string;
}

/**
 * Applies migrations not yet recorded, in version order, each statement in turn, and records each
 * one after all its statements succeeded. Returns the versions applied now. A migration recorded
 * with a different checksum is refused: the file was edited after it ran.
 */
export async function applyMigrations(target: MigrationTarget, migrations: readonly Migration[]): Promise<number[]> {
  await target.command(
    `CREATE TABLE IF NOT EXISTS ${MigrationsTable} (version UInt32, name String, checksum String, ` +
      `applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = ReplacingMergeTree ORDER BY version`,
  );
  const applied = new Map(
    (await target.query<AppliedRow>(`SELECT version, any(checksum) AS checksum FROM ${MigrationsTable} GROUP BY version`)).map(
      (r) => [Number(r.version), r.checksum],
    ),
  );
  const done: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const recorded = applied.get(migration.version);
    if (recorded !== undefined) {
      if (recorded !== migration.checksum) {
        throw migrationError(
          `migration ${label(migration)} changed after it was applied; add a new migration instead of editing it`,
          undefined,
          { version: migration.version },
        );
      }
      continue;
    }
    await applyOne(target, migration);
    done.push(migration.version);
  }
  return done;
}

async function applyOne(target: MigrationTarget, migration: Migration): Promise<void> {
  for (const [index, statement] of migration.statements.entries()) {
    try {
      await target.command(statement);
    } catch (cause) {
      throw migrationError(
        `migration ${label(migration)} failed at statement ${index + 1} of ${migration.statements.length}: ` +
          `${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
        { version: migration.version, statement: index + 1 },
      );
    }
  }
  await target.command(
    `INSERT INTO ${MigrationsTable} (version, name, checksum) SELECT {version:UInt32}, {name:String}, {checksum:String}`,
    { version: migration.version, name: migration.name, checksum: migration.checksum },
  );
}

function label(m: Migration): string {
  return `${String(m.version).padStart(4, '0')}_${m.name}`;
}

function migrationError(message: string, cause: unknown, context: Record<string, unknown>): TollgateError {
  return new TollgateError('TG_ERR_STORE_MIGRATION', message, { cause, context });
}
