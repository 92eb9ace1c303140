import { Kind } from './kinds.js';

/**
 * Every raw statement node the PostgreSQL 18 grammar produces, mapped to what running it does.
 * A statement tag missing here makes the query unclassifiable (denied for guarded roles), so a
 * parser upgrade that adds statements fails closed until someone classifies them.
 * Statements whose kind depends on their fields (SELECT INTO, COPY, SET) get the base kind here
 * and are refined by the classifier.
 */
const K = Kind;
const DDL = K.ddl;

export const STATEMENT_KINDS: ReadonlyMap<string, number> = new Map<string, number>([
  // reads and cursors
  ['SelectStmt', K.read],
  ['SetOperationStmt', K.read],
  ['ReturnStmt', K.read],
  ['PLAssignStmt', K.read],
  ['DeclareCursorStmt', K.read],
  ['FetchStmt', K.read],
  ['ClosePortalStmt', K.read],
  ['ExplainStmt', K.read],
  ['VariableShowStmt', K.session],
  // writes
  ['InsertStmt', K.write],
  ['UpdateStmt', K.write],
  ['DeleteStmt', K.write],
  ['MergeStmt', K.write],
  ['CopyStmt', K.read],
  ['TruncateStmt', K.write | K['unbounded-write']],
  ['CreateTableAsStmt', K.write | DDL],
  ['RefreshMatViewStmt', K.write],
  // privilege
  ['GrantStmt', K.privilege],
  ['GrantRoleStmt', K.privilege],
  ['CreateRoleStmt', K.privilege],
  ['AlterRoleStmt', K.privilege],
  ['AlterRoleSetStmt', K.privilege],
  ['DropRoleStmt', K.privilege],
  ['AlterDefaultPrivilegesStmt', K.privilege],
  ['AlterOwnerStmt', DDL | K.privilege],
  ['ReassignOwnedStmt', DDL | K.privilege],
  ['DropOwnedStmt', DDL | K.privilege],
  ['CreatePolicyStmt', DDL | K.privilege],
  ['AlterPolicyStmt', DDL | K.privilege],
  ['CreateUserMappingStmt', DDL | K.privilege],
  ['AlterUserMappingStmt', DDL | K.privilege],
  ['DropUserMappingStmt', DDL | K.privilege],
  // With a label provider such as sepgsql, security labels are mandatory access control.
  ['SecLabelStmt', DDL | K.privilege],
  // server configuration and server-side files or connections
  ['AlterSystemStmt', K['server-config']],
  ['LoadStmt', K['server-config'] | K['server-files']],
  ['CreateExtensionStmt', DDL | K['server-files']],
  ['CreatePLangStmt', DDL | K['server-files']],
  ['CreateTableSpaceStmt', DDL | K['server-files']],
  ['CreateSubscriptionStmt', DDL | K['server-files']],
  ['AlterSubscriptionStmt', DDL | K['server-files']],
  ['CreateFdwStmt', DDL | K['server-files']],
  ['AlterFdwStmt', DDL | K['server-files']],
  // A foreign server is an outbound connection, like dblink.
  ['CreateForeignServerStmt', DDL | K['server-files']],
  ['AlterForeignServerStmt', DDL | K['server-files']],
  ['ImportForeignSchemaStmt', DDL | K['server-files']],
  // file_fdw's filename/program options read server files or run programs, like COPY.
  ['CreateForeignTableStmt', DDL | K['server-files']],
  ['AlterDatabaseSetStmt', DDL | K['server-config']],
  ['VariableSetStmt', K.session],
  // transaction control
  ['TransactionStmt', K.transaction],
  ['ConstraintsSetStmt', K.transaction],
  // utility
  ['PrepareStmt', K.utility],
  ['ExecuteStmt', K.utility],
  ['DeallocateStmt', K.utility],
  ['DoStmt', K.utility],
  ['ListenStmt', K.utility],
  ['UnlistenStmt', K.utility],
  ['DiscardStmt', K.session],
  ['CallStmt', K.procedure],
  ['NotifyStmt', K.notify],
  ['LockStmt', K.lock],
  ['VacuumStmt', K.maintenance],
  ['ClusterStmt', K.maintenance],
  ['ReindexStmt', K.maintenance],
  ['CheckPointStmt', K.maintenance],
  // schema changes (DDL)
  ...[
    'AlterCollationStmt', 'AlterDatabaseRefreshCollStmt', 'AlterDatabaseStmt', 'AlterDomainStmt',
    'AlterEnumStmt', 'AlterEventTrigStmt', 'AlterExtensionContentsStmt', 'AlterExtensionStmt',
    'AlterFunctionStmt', 'AlterObjectDependsStmt', 'AlterObjectSchemaStmt',
    'AlterOpFamilyStmt', 'AlterOperatorStmt', 'AlterPublicationStmt', 'AlterSeqStmt', 'AlterStatsStmt',
    'AlterTSConfigurationStmt', 'AlterTSDictionaryStmt', 'AlterTableMoveAllStmt',
    'AlterTableSpaceOptionsStmt', 'AlterTableStmt', 'AlterTypeStmt', 'CommentStmt', 'CompositeTypeStmt',
    'CreateAmStmt', 'CreateCastStmt', 'CreateConversionStmt', 'CreateDomainStmt', 'CreateEnumStmt',
    'CreateEventTrigStmt', 'CreateFunctionStmt',
    'CreateOpClassStmt', 'CreateOpFamilyStmt', 'CreatePublicationStmt', 'CreateRangeStmt',
    'CreateSchemaStmt', 'CreateSeqStmt', 'CreateStatsStmt', 'CreateStmt', 'CreateTransformStmt',
    'CreateTrigStmt', 'CreatedbStmt', 'DefineStmt', 'DropStmt', 'DropSubscriptionStmt',
    'DropTableSpaceStmt', 'DropdbStmt', 'IndexStmt', 'RenameStmt',
    'ReplicaIdentityStmt', 'RuleStmt', 'ViewStmt',
  ].map((tag): [string, number] => [tag, DDL]),
]);

/** Node tags that are statements: the classifier treats any such tag it does not know as unclassifiable. */
export function isStatementTag(tag: string): boolean {
  return tag.endsWith('Stmt') && tag.charCodeAt(0) >= 65 && tag.charCodeAt(0) <= 90;
}
