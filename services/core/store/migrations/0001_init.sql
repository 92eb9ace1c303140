-- 0001: the audit tables. One DDL for chdb and ClickHouse server.
-- Statements are idempotent (IF NOT EXISTS) so a migration interrupted half way can simply run again.
-- Times are DateTime64(6, 'UTC'): frames carry microsecond stamps and the store never depends on the
-- host's time zone.

-- Every recorded frame, masked. The bulk of the data: ordered for "all frames of session S in order",
-- partitioned by month so retention drops whole parts. The TTL is the default retention (90 days);
-- openStore's frameRetentionDays changes it after migrations.
-- non_replicated_deduplication_window makes insert_deduplication_token work without replication.
CREATE TABLE IF NOT EXISTS frames
(
    session_id        String,
    seq               UInt64,
    ts                DateTime64(6, 'UTC'),
    protocol          LowCardinality(String),
    direction         LowCardinality(String),
    event_type        LowCardinality(String),
    event_code        UInt32,
    message_type      LowCardinality(String),
    channel           Nullable(Int32),
    payload           String CODEC(ZSTD(3)),
    masked_inline     Bool,
    truncated         Bool,
    original_length   UInt64,
    decision_action   LowCardinality(String),
    decision_rule     String,
    decision_reason   String,
    decision_subject  String,
    decision_ref_seq  Nullable(UInt64),
    log_partition     UInt32,
    log_offset        UInt64,
    INDEX idx_ts ts TYPE minmax GRANULARITY 1,
    INDEX idx_event_type event_type TYPE set(256) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (session_id, seq)
TTL toDateTime(ts) + toIntervalDay(90)
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

-- One row per session, rewritten as the session progresses: the highest version wins
-- (read with FINAL or argMax). Small, so not partitioned: a session's rows must meet in one part.
CREATE TABLE IF NOT EXISTS sessions
(
    session_id         String,
    version            UInt64,
    started_at         DateTime64(6, 'UTC'),
    ended_at           Nullable(DateTime64(6, 'UTC')),
    subject            String,
    issuer             String,
    groups             Array(String),
    roles              Array(String),
    grant              String,
    connection         LowCardinality(String),
    protocol           LowCardinality(String),
    target_host        String,
    target_port        UInt16,
    target_database    String,
    target_user        String,
    client_address     String,
    gateway_node       LowCardinality(String),
    recording_policy   LowCardinality(String),
    guardrails         Array(String),
    masking_profiles   Array(String),
    bytes_from_client  UInt64,
    bytes_to_client    UInt64,
    frames             UInt64,
    queries            UInt64,
    commands           UInt64,
    blocked            UInt64,
    alerts             UInt64,
    outcome            LowCardinality(String),
    end_reason         LowCardinality(String),
    error              String,
    INDEX idx_subject subject TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_connection connection TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_started started_at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version)
ORDER BY session_id
SETTINGS non_replicated_deduplication_window = 10000;

-- Database statements, derived from frames. Re-projection rewrites the same (session_id, seq),
-- so ReplacingMergeTree keeps one row per statement.
CREATE TABLE IF NOT EXISTS queries
(
    session_id        String,
    seq               UInt64,
    ts                DateTime64(6, 'UTC'),
    subject           String,
    connection        LowCardinality(String),
    statement         String CODEC(ZSTD(3)),
    fingerprint       String,
    duration_us       UInt64,
    rows              UInt64,
    outcome           LowCardinality(String),
    error             String,
    guardrail_action  LowCardinality(String),
    guardrail_rule    String,
    masking           Array(String),
    INDEX idx_subject subject TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_connection connection TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_fingerprint fingerprint TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_ts ts TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (session_id, seq)
SETTINGS non_replicated_deduplication_window = 10000;

-- Shell lines, exec requests and Kubernetes requests, derived from frames.
CREATE TABLE IF NOT EXISTS commands
(
    session_id        String,
    seq               UInt64,
    ts                DateTime64(6, 'UTC'),
    subject           String,
    connection        LowCardinality(String),
    protocol          LowCardinality(String),
    kind              LowCardinality(String),
    command           String CODEC(ZSTD(3)),
    exit_status       Nullable(Int32),
    outcome           LowCardinality(String),
    decision_action   LowCardinality(String),
    decision_rule     String,
    INDEX idx_subject subject TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_connection connection TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_ts ts TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (session_id, seq)
SETTINGS non_replicated_deduplication_window = 10000;

-- Anomaly alerts. alert_id is deterministic (rule + triggering frame), so a replayed stream or a
-- backtest rewrites the same row instead of adding one.
CREATE TABLE IF NOT EXISTS alerts
(
    alert_id      String,
    rule_id       LowCardinality(String),
    severity      LowCardinality(String),
    title         String,
    subject       String,
    session_id    String,
    seq           Nullable(UInt64),
    ts            DateTime64(6, 'UTC'),
    details_json  String,
    INDEX idx_subject subject TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_ts ts TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree
ORDER BY alert_id
SETTINGS non_replicated_deduplication_window = 10000;

-- Log records ingest could not decode or process, kept whole for inspection and re-drive.
CREATE TABLE IF NOT EXISTS dead_letters
(
    topic          LowCardinality(String),
    log_partition  UInt32,
    log_offset     UInt64,
    reason         String,
    raw            String CODEC(ZSTD(3)),
    ts             DateTime64(6, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (topic, log_partition, log_offset)
SETTINGS non_replicated_deduplication_window = 10000;
