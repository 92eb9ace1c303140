import pg from 'pg';

/** One statement of the scripted agent and what happened to it. */
export interface AgentStep {
  label: string;
  sql: string;
  outcome: 'ok' | 'refused';
  rows: number;
  /** The server's (gateway's) message for a refused statement. */
  error?: string;
  /** First row, for the banner (already masked by the gateway). */
  sample?: Record<string, unknown>;
}

export interface AgentSessionOptions {
  host: string;
  port: number;
  /** The tollgate connection name, sent as the database name. */
  connection: string;
  /** The agent's identity token, sent as the password. */
  token: string;
  /** Pause between statements, so the timeline shows a session rather than a burst. */
  pauseMs?: number;
}

/** What a scripted AI agent does: look around, read customers (masked), try a delete (blocked). */
export const AGENT_SCRIPT: ReadonlyArray<{ label: string; sql: string }> = [
  { label: 'count customers', sql: 'SELECT count(*) AS customers FROM customers' },
  { label: 'read customer contacts (masked)', sql: 'SELECT id, name, email, phone, card_number FROM customers ORDER BY id LIMIT 5' },
  { label: 'revenue by order status', sql: 'SELECT status, count(*) AS orders, sum(amount) AS total FROM orders GROUP BY status ORDER BY status' },
  { label: 'delete a customer (blocked)', sql: 'DELETE FROM customers WHERE id = 1' },
  { label: 'top cities', sql: 'SELECT c.city, count(o.id) AS orders FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.city ORDER BY orders DESC LIMIT 3' },
];

/**
 * Runs the agent script through the gateway with node-postgres, as any client would: the connection
 * name as database, the token as password. A refused statement does not end the session.
 */
export async function runAgentSession(options: AgentSessionOptions): Promise<AgentStep[]> {
  const client = new pg.Client({
    host: options.host, port: options.port, database: options.connection, user: 'demo-agent', password: options.token,
    application_name: 'tollgate-demo-agent', connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  const steps: AgentStep[] = [];
  try {
    for (const { label, sql } of AGENT_SCRIPT) {
      try {
        const res = await client.query<Record<string, unknown>>(sql);
        steps.push({ label, sql, outcome: 'ok', rows: res.rowCount ?? res.rows.length, ...(res.rows[0] === undefined ? {} : { sample: res.rows[0] }) });
      } catch (err) {
        steps.push({ label, sql, outcome: 'refused', rows: 0, error: (err as Error).message });
      }
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 150));
    }
  } finally {
    await client.end();
  }
  return steps;
}
