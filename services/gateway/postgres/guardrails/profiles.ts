import type { KindName } from './kinds.js';
import type { RuleSpec } from './rules.js';

/**
 * The shipped profiles, written in the same rule type a policy uses. Kind order inside a profile
 * decides which rule id a statement that does several forbidden things is reported under: the
 * most dangerous first.
 */
export const PROFILES = {
  'read-only': {
    id: 'read-only',
    description: 'reads only: no writes, DDL, privilege or setting changes, server files, locks, or unknown functions',
    denyKinds: [
      'privilege', 'server-config', 'server-files', 'write', 'ddl', 'read-write-transaction', 'search-path',
      'lock', 'procedure', 'notify', 'maintenance',
    ],
    denyUnknownFunctions: true,
  },
  'no-ddl': {
    id: 'no-ddl',
    description: 'no schema changes (CREATE, ALTER, DROP, COMMENT, CREATE TABLE AS, SELECT INTO)',
    denyKinds: ['ddl'],
  },
  'no-unbounded-writes': {
    id: 'no-unbounded-writes',
    description: 'no UPDATE/DELETE without a filtering WHERE, no TRUNCATE, no MERGE ON true',
    denyKinds: ['unbounded-write'],
  },
  'no-privilege-change': {
    id: 'no-privilege-change',
    description: 'no GRANT/REVOKE, role changes, SET ROLE/SESSION AUTHORIZATION, or search_path shadowing pg_catalog',
    denyKinds: ['privilege', 'search-path'],
  },
  'no-server-files': {
    id: 'no-server-files',
    description: 'no server-side files, programs or outbound connections (COPY file/PROGRAM, pg_read_file, lo_import, dblink, CREATE EXTENSION, LOAD)',
    denyKinds: ['server-files'],
  },
  'no-catalog-secrets': {
    id: 'no-catalog-secrets',
    description: 'no reads of catalogs holding password hashes, user-mapping options, subscription connection strings or raw statistics',
    denyTables: [
      'pg_authid', 'pg_shadow', 'pg_user_mapping', 'pg_user_mappings', 'pg_subscription', 'pg_statistic',
      'pg_largeobject', 'pg_hba_file_rules', 'pg_file_settings',
    ],
    // Whole-schema dumps read every table in them, the secret catalogs included.
    denyFunctions: ['database_to_xml', 'database_to_xml_and_xmlschema', 'schema_to_xml', 'schema_to_xml_and_xmlschema'],
  },
} as const satisfies Record<string, RuleSpec>;

export type ProfileName = keyof typeof PROFILES;

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** Why each kind is denied, for block messages. */
export const KIND_MESSAGES: Readonly<Record<KindName, string>> = {
  read: 'the statement reads data',
  write: 'the statement writes data (INSERT, UPDATE, DELETE, MERGE, COPY FROM, SELECT INTO, CREATE TABLE AS, nextval...)',
  ddl: 'the statement changes the schema (CREATE, ALTER, DROP...)',
  privilege: 'the statement changes privileges or the acting role (GRANT, REVOKE, roles, SET ROLE, SET SESSION AUTHORIZATION)',
  'server-config': 'the statement changes server configuration or affects other sessions (ALTER SYSTEM, LOAD, protected settings, pg_terminate_backend...)',
  'server-files': 'the statement reaches server files, programs or other servers (COPY file/PROGRAM, pg_read_file, lo_import, dblink, CREATE EXTENSION)',
  transaction: 'the statement controls transactions',
  utility: 'the statement is a utility command',
  'unbounded-write': 'the statement writes every row of a table (UPDATE/DELETE without a filtering WHERE, TRUNCATE, MERGE ON true)',
  lock: 'the statement takes locks (SELECT ... FOR UPDATE/SHARE, LOCK TABLE, advisory locks)',
  procedure: 'the statement calls a procedure (CALL)',
  notify: 'the statement sends a notification (NOTIFY, pg_notify)',
  maintenance: 'the statement runs maintenance (VACUUM, ANALYZE, CLUSTER, REINDEX, CHECKPOINT)',
  'search-path': 'the statement puts pg_catalog after another schema in search_path, so builtin names can be shadowed',
  'read-write-transaction': 'the statement starts or allows read-write transactions',
  session: 'the statement changes session settings',
};
