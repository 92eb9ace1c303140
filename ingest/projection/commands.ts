import type { StoredFrame } from '../model/stored-frame.js';
import { LineEditor } from './line-editor.js';
import type { CommandRow } from './rows.js';

export interface CommandSink {
  row(row: CommandRow): void;
  created(row: CommandRow): void;
}

const input = (f: StoredFrame): boolean => f.direction === 'CLIENT_TO_GATEWAY';

/**
 * Folds one session's SSH and Kubernetes frames into command rows (conventions: ingest/README.md):
 * ssh.exec lines, lines typed into an ssh.shell channel, k8s.request and k8s.exec. ssh.exit and
 * k8s.response complete them; a BLOCK decision whose refSeq names one marks it blocked.
 */
export class CommandTracker {
  private readonly shells = new Map<number, LineEditor>();
  /** Open command per SSH channel or Kubernetes request id (channel). */
  private readonly open = new Map<string, CommandRow>();
  private readonly recent = new Map<number, CommandRow>();
  count = 0;

  constructor(private readonly base: () => { session_id: string; subject: string; connection: string; protocol: string }) {}

  apply(f: StoredFrame, sink: CommandSink): void {
    if (f.decisionAction !== '') return this.decision(f, sink);
    switch (f.eventType) {
      case 'ssh.exec':
        if (input(f)) this.create(f, 'exec', f.payload.toString('utf8'), `ssh/${f.channel ?? -1}`, sink);
        return;
      case 'ssh.shell':
        this.shells.set(f.channel ?? -1, new LineEditor());
        return;
      case 'ssh.data': {
        if (!input(f)) return;
        const editor = this.shells.get(f.channel ?? -1);
        if (editor === undefined) return;
        for (const line of editor.feed(f.payload.toString('utf8'))) this.create(f, 'shell', line, undefined, sink);
        return;
      }
      case 'ssh.exit':
        return this.exit(f, sink);
      case 'k8s.request': {
        const req = parseJson(f.payload);
        const query = text(req['query']);
        const command = `${text(req['method']) || '?'} ${text(req['path'])}${query === '' ? '' : `?${query}`}`;
        this.create(f, 'k8s', command, `k8s/${f.channel ?? -1}`, sink);
        return;
      }
      case 'k8s.exec': {
        const req = parseJson(f.payload);
        const cmd = Array.isArray(req['command']) ? req['command'].map(text).join(' ') : text(req['command']);
        this.create(f, 'k8s-exec', cmd, undefined, sink);
        return;
      }
      case 'k8s.response': {
        const row = this.open.get(`k8s/${f.channel ?? -1}`);
        if (row === undefined) return;
        this.open.delete(`k8s/${f.channel ?? -1}`);
        const status = Number(parseJson(f.payload)['status']);
        row.exit_status = int32(status);
        if (row.outcome !== 'blocked') row.outcome = row.exit_status !== null && row.exit_status < 400 ? 'ok' : 'failed';
        sink.row(row);
        return;
      }
      default:
    }
  }

  private create(f: StoredFrame, kind: CommandRow['kind'], command: string, openKey: string | undefined, sink: CommandSink): void {
    const b = this.base();
    const row: CommandRow = {
      session_id: b.session_id, seq: f.seq, ts: f.tsMicros, subject: b.subject, connection: b.connection, protocol: b.protocol,
      kind, command, exit_status: null, outcome: kind === 'shell' ? 'ok' : 'running', decision_action: '', decision_rule: '',
    };
    if (openKey !== undefined) this.open.set(openKey, row);
    this.recent.set(f.seq, row);
    if (this.recent.size > 256) this.recent.delete(this.recent.keys().next().value!);
    this.count++;
    sink.row(row);
    sink.created(row);
  }

  private exit(f: StoredFrame, sink: CommandSink): void {
    const row = this.open.get(`ssh/${f.channel ?? -1}`);
    if (row === undefined) return;
    this.open.delete(`ssh/${f.channel ?? -1}`);
    const body = parseJson(f.payload);
    const status = Number(body['status']);
    row.exit_status = int32(status);
    if (row.outcome !== 'blocked') row.outcome = row.exit_status === 0 ? 'ok' : 'failed';
    sink.row(row);
  }

  private decision(f: StoredFrame, sink: CommandSink): void {
    if (f.decisionRefSeq === null || f.eventType.startsWith('mask.')) return;
    const row = this.recent.get(f.decisionRefSeq);
    if (row === undefined) return;
    if (row.decision_action !== 'BLOCK') {
      row.decision_action = f.decisionAction;
      row.decision_rule = f.decisionRule;
    }
    if (f.decisionAction === 'BLOCK') row.outcome = 'blocked';
    sink.row(row);
  }
}

function parseJson(payload: Buffer): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(payload.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A status that fits the Int32 column, else null (a malformed payload must not fail the insert). */
function int32(n: number): number | null {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : null;
}
