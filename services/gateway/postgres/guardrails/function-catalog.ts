import { Kind } from './kinds.js';

/**
 * Functions whose call does more than compute a value, by what they do. Matched on the function's
 * own name whatever its schema: extensions (dblink, adminpack) install into any schema, and a
 * false match only costs a denial. Volatile builtins not listed here and not in SAFE_VOLATILE are
 * "unknown" to the read-only profile.
 */
const FILES = Kind['server-files'];
const CONFIG = Kind['server-config'];

const groups: [number, string][] = [
  [
    FILES,
    // server files, programs and outbound connections (core, adminpack, dblink, file_fdw helpers)
    `pg_read_file pg_read_binary_file pg_ls_dir pg_stat_file pg_ls_logdir pg_ls_waldir pg_ls_tmpdir
     pg_ls_archive_statusdir pg_ls_logicalmapdir pg_ls_logicalsnapdir pg_ls_replslotdir pg_ls_summariesdir
     lo_import lo_export pg_file_write pg_file_rename pg_file_unlink pg_file_sync pg_file_read
     pg_file_length pg_logdir_ls pg_hba_file_rules pg_ident_file_mappings pg_show_all_file_settings
     pg_current_logfile dblink dblink_exec dblink_connect dblink_connect_u dblink_disconnect
     dblink_open dblink_fetch dblink_close dblink_send_query dblink_get_result dblink_get_connections
     dblink_is_busy dblink_cancel_query dblink_error_message dblink_get_notify dblink_build_sql_insert
     dblink_build_sql_update dblink_build_sql_delete`,
  ],
  [
    CONFIG,
    // server operation, other sessions, replication and statistics state
    `pg_reload_conf pg_rotate_logfile pg_promote pg_switch_wal pg_create_restore_point pg_backup_start
     pg_backup_stop pg_wal_replay_pause pg_wal_replay_resume pg_log_backend_memory_contexts
     pg_log_standby_snapshot pg_cancel_backend pg_terminate_backend pg_stat_reset pg_stat_reset_shared
     pg_stat_reset_single_table_counters pg_stat_reset_single_function_counters pg_stat_reset_slru
     pg_stat_reset_replication_slot pg_stat_reset_subscription_stats pg_stat_reset_backend_stats
     pg_stat_force_next_flush pg_create_physical_replication_slot pg_create_logical_replication_slot
     pg_drop_replication_slot pg_copy_physical_replication_slot pg_copy_logical_replication_slot
     pg_replication_slot_advance pg_sync_replication_slots pg_logical_slot_get_changes
     pg_logical_slot_get_binary_changes pg_logical_slot_peek_changes pg_logical_slot_peek_binary_changes
     pg_logical_emit_message pg_replication_origin_create pg_replication_origin_drop
     pg_replication_origin_advance pg_replication_origin_session_setup pg_replication_origin_session_reset
     pg_replication_origin_xact_setup pg_replication_origin_xact_reset pg_stop_making_pinned_objects
     pg_import_system_collations pg_restore_relation_stats pg_restore_attribute_stats
     pg_clear_relation_stats pg_clear_attribute_stats pg_extension_config_dump`,
  ],
  [
    Kind.write,
    // change data or consume identifiers: sequences, large objects, transaction ids, index upkeep
    `nextval setval lo_create lo_creat lo_from_bytea lo_put lowrite lo_unlink lo_truncate lo_truncate64
     txid_current pg_current_xact_id pg_nextoid brin_summarize_range brin_summarize_new_values
     brin_desummarize_range gin_clean_pending_list`,
  ],
  [
    Kind.lock,
    `pg_advisory_lock pg_advisory_lock_shared pg_advisory_xact_lock pg_advisory_xact_lock_shared
     pg_try_advisory_lock pg_try_advisory_lock_shared pg_try_advisory_xact_lock
     pg_try_advisory_xact_lock_shared`,
  ],
  [Kind.notify, 'pg_notify'],
  [Kind.privilege, 'binary_upgrade_set_next_pg_authid_oid binary_upgrade_set_record_init_privs'],
];

function indexGroups(): Map<string, number> {
  const map = new Map<string, number>();
  for (const [kind, names] of groups) {
    for (const name of names.split(/\s+/)) if (name !== '') map.set(name, (map.get(name) ?? 0) | kind);
  }
  return map;
}

/** Function name to the kinds its call adds to a statement. */
export const FUNCTION_KINDS: ReadonlyMap<string, number> = indexGroups();

/**
 * Functions that run SQL given to them as a string (or name a relation by string): what they run
 * cannot be classified from the parse tree, so a call is unclassifiable.
 */
export const DYNAMIC_SQL_FUNCTIONS: readonly string[] = (
  `query_to_xml query_to_xml_and_xmlschema query_to_xmlschema ts_stat ts_rewrite crosstab crosstab2
   crosstab3 crosstab4 connectby pg_background_launch pg_background_result cron.schedule
   cron.schedule_in_database cron.alter_job xpath_table dblink dblink_exec dblink_open
   dblink_send_query`.split(/\s+/)
);

/**
 * Volatile pg_catalog functions reviewed as harmless for a read-only session: clocks, randomness,
 * sleeping, session-local sequence reads, size and status probes.
 */
export const SAFE_VOLATILE: ReadonlySet<string> = new Set(
  `clock_timestamp timeofday random random_normal setseed gen_random_uuid uuidv4 uuidv7 array_sample
   array_shuffle pg_sleep pg_sleep_for pg_sleep_until currval lastval pg_is_in_recovery
   pg_database_size pg_relation_size pg_table_size pg_indexes_size pg_total_relation_size
   pg_tablespace_size pg_blocking_pids pg_safe_snapshot_blocking_pids pg_lock_status pg_jit_available
   pg_current_wal_lsn pg_current_wal_insert_lsn pg_current_wal_flush_lsn pg_last_wal_receive_lsn
   pg_last_wal_replay_lsn pg_last_xact_replay_timestamp pg_is_wal_replay_paused
   pg_get_wal_replay_pause_state pg_notification_queue_usage pg_partition_ancestors pg_partition_tree
   pg_xact_commit_timestamp pg_xact_commit_timestamp_origin pg_last_committed_xact pg_xact_status
   txid_status pg_sequence_last_value pg_collation_actual_version pg_database_collation_actual_version
   pg_stat_clear_snapshot pg_stat_have_stats pg_get_wait_events pg_get_backend_memory_contexts
   pg_stat_get_io pg_stat_get_backend_io pg_stat_get_backend_wal pg_stat_get_xact_blocks_fetched
   pg_stat_get_xact_blocks_hit pg_stat_get_xact_function_calls pg_stat_get_xact_function_self_time
   pg_stat_get_xact_function_total_time pg_stat_get_xact_numscans pg_stat_get_xact_tuples_deleted
   pg_stat_get_xact_tuples_fetched pg_stat_get_xact_tuples_hot_updated pg_stat_get_xact_tuples_inserted
   pg_stat_get_xact_tuples_newpage_updated pg_stat_get_xact_tuples_returned
   pg_stat_get_xact_tuples_updated lo_get loread lo_open lo_close lo_lseek lo_lseek64 lo_tell lo_tell64
   cursor_to_xml cursor_to_xmlschema currtid2 pg_export_snapshot`.split(/\s+/),
);

/** Functions whose first argument names a relation as a string: checked against table rules. */
export const RELATION_BY_NAME_FUNCTIONS: ReadonlySet<string> = new Set(
  ['table_to_xml', 'table_to_xmlschema', 'table_to_xml_and_xmlschema'],
);

/** Functions that change a setting by name (handled like SET). */
export const SETTING_FUNCTIONS: ReadonlySet<string> = new Set(['set_config']);
