/** Rows of the derived tables (column names of migrations/0001) and the facts rules see. */

export interface QueryRow {
  session_id: string;
  seq: number;
  ts: number;
  subject: string;
  connection: string;
  statement: string;
  fingerprint: string;
  duration_us: number;
  rows: number;
  /** `skipped`: an Execute the server never ran, because an earlier message of its batch failed. */
  outcome: 'ok' | 'error' | 'blocked' | 'running' | 'skipped';
  error: string;
  guardrail_action: string;
  guardrail_rule: string;
  masking: string[];
}

export interface CommandRow {
  session_id: string;
  seq: number;
  ts: number;
  subject: string;
  connection: string;
  protocol: string;
  kind: 'exec' | 'shell' | 'k8s' | 'k8s-exec';
  command: string;
  exit_status: number | null;
  outcome: 'ok' | 'failed' | 'blocked' | 'running';
  decision_action: string;
  decision_rule: string;
}

export interface SessionRow {
  session_id: string;
  version: number;
  started_at: number;
  ended_at: number | null;
  subject: string;
  issuer: string;
  groups: string[];
  roles: string[];
  grant: string;
  connection: string;
  protocol: string;
  target_host: string;
  target_port: number;
  target_database: string;
  target_user: string;
  client_address: string;
  gateway_node: string;
  recording_policy: string;
  guardrails: string[];
  masking_profiles: string[];
  bytes_from_client: number;
  bytes_to_client: number;
  frames: number;
  queries: number;
  commands: number;
  blocked: number;
  alerts: number;
  outcome: string;
  end_reason: string;
  error: string;
}

export type FactKind = 'session.start' | 'session.end' | 'query' | 'command' | 'decision';

/**
 * What a rule is evaluated on: one event with the fields its conditions may name. `seq` is the
 * triggering frame (the alert points at it); `fields` hold the event's own values.
 */
export interface Fact {
  kind: FactKind;
  sessionId: string;
  seq: number;
  tsMicros: number;
  fields: Record<string, unknown>;
}
