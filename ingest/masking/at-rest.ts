import { endsWithPasswordPrompt, withholdPromptInput, type MaskingPlan } from '../../services/core/masking/index.js';
import type { StoredFrame } from '../model/stored-frame.js';
import { maskPgPayload, type PgMaskState } from './postgres.js';
import { STREAM_CONTEXT_CHARS, maskStreamChunk } from './terminal.js';
import { maskK8sEnvelope } from './kubernetes.js';

/** Per-session masking state: the plan and what a stream needs from earlier frames. */
export interface SessionMaskState {
  plan: MaskingPlan;
  pg: PgMaskState;
  /** Last characters of each terminal stream (key: channel + direction), as context for the next chunk. */
  tails: Map<string, string>;
  /** Channels whose output ends at a password prompt: the next input line is withheld. */
  prompt: Set<number>;
}

/** A fresh state for a session masked with `plan`. */
export function newMaskState(plan: MaskingPlan): SessionMaskState {
  return { plan, pg: { columns: [] }, tails: new Map(), prompt: new Set() };
}

/** True for frames holding terminal bytes (SSH channel data, Kubernetes exec/attach streams 0-2). */
export function isTerminalFrame(f: StoredFrame): boolean {
  return f.eventType === 'ssh.data' || (f.eventType === 'k8s.stream' && f.channel !== null && f.channel <= 2);
}

function streamKey(f: StoredFrame): string {
  return `${f.channel ?? -1}/${f.direction}`;
}

const isOutput = (f: StoredFrame): boolean => f.direction === 'UPSTREAM_TO_GATEWAY' || f.direction === 'GATEWAY_TO_CLIENT';

/**
 * Masks the payloads of one batch in place, in order. `stateOf` returns the session's state; frames
 * the gateway masked inline keep their bytes but still feed the stream context. Terminal chunks see
 * the text around them (earlier frames and the next ones of the batch), so a secret split across
 * frames is still caught.
 */
export function maskBatch(frames: readonly StoredFrame[], stateOf: (f: StoredFrame) => SessionMaskState): void {
  const lookahead = terminalLookahead(frames);
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const state = stateOf(f);
    try {
      if (isTerminalFrame(f)) maskTerminal(f, state, lookahead.get(i) ?? '');
      else maskOne(f, state);
    } catch {
      // Fail closed: a payload the maskers choke on is not stored as it came.
      f.payload = Buffer.from('[WITHHELD]');
    }
  }
}

/** Masks one non-terminal frame's payload (and decision text) by its kind. */
export function maskOne(f: StoredFrame, state: SessionMaskState): void {
  const plan = state.plan;
  if (f.decisionAction !== '') {
    f.decisionReason = plan.maskText(f.decisionReason).text;
    f.payload = maskJsonBytes(plan, f.payload);
    return;
  }
  if (f.eventType === 'session.start') return; // identity and target are the audit record itself
  if (f.eventType === 'session.end') {
    f.payload = maskJsonBytes(plan, f.payload);
    return;
  }
  if (f.payload.length === 0) return;
  if (f.maskedInline) {
    // Still track result columns, so the rows of a later unmasked message are masked by their rule.
    if (f.protocol === 'POSTGRES' && f.messageType === 'RowDescription') maskPgPayload(plan, state.pg, f.direction, f.messageType, f.payload);
    return;
  }
  if (f.protocol === 'POSTGRES') {
    f.payload = maskPgPayload(plan, state.pg, f.direction, f.messageType, f.payload);
  } else if (f.eventType === 'k8s.request' || f.eventType === 'k8s.response' || f.eventType === 'k8s.exec') {
    f.payload = maskK8sEnvelope(plan, f.payload);
  } else if (f.eventType === 'ssh.pty' || f.eventType === 'ssh.resize' || f.eventType === 'ssh.exit') {
    return; // sizes and statuses by convention (ingest/README.md)
  } else {
    const r = plan.maskBytes(f.payload);
    if (r.changed) f.payload = r.value ?? Buffer.from('[WITHHELD]');
  }
}

function maskTerminal(f: StoredFrame, state: SessionMaskState, after: string): void {
  const key = streamKey(f);
  const text = f.payload.toString('utf8');
  const before = state.tails.get(key) ?? '';
  state.tails.set(key, (before + text).slice(-STREAM_CONTEXT_CHARS));
  const channel = f.channel ?? -1;
  if (isOutput(f)) {
    if (endsWithPasswordPrompt((before + text).slice(-512))) state.prompt.add(channel);
    else if (text.trim() !== '') state.prompt.delete(channel);
  } else if (state.prompt.has(channel) && !f.maskedInline) {
    const w = withholdPromptInput(text);
    if (w.done) state.prompt.delete(channel);
    f.payload = Buffer.from(w.text);
    return;
  }
  if (f.maskedInline) return;
  const masked = maskStreamChunk(state.plan, before, text, after);
  if (masked !== null) f.payload = Buffer.from(masked);
}

/** For each terminal frame, the start of the following frames of its stream within the batch. */
function terminalLookahead(frames: readonly StoredFrame[]): Map<number, string> {
  const out = new Map<number, string>();
  const pending = new Map<string, number[]>();
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!;
    if (!isTerminalFrame(f)) continue;
    const key = `${f.sessionId}\u0000${streamKey(f)}`;
    const later = pending.get(key);
    if (later === undefined) {
      pending.set(key, [i]);
      continue;
    }
    let text = '';
    for (let j = later.length - 1; j >= 0 && text.length < STREAM_CONTEXT_CHARS; j--) text += frames[later[j]!]!.payload.toString('utf8');
    out.set(i, text.slice(0, STREAM_CONTEXT_CHARS));
    later.push(i);
    if (later.length > 8) later.shift();
  }
  return out;
}

function maskJsonBytes(plan: MaskingPlan, payload: Buffer): Buffer {
  if (payload.length === 0) return payload;
  const text = payload.toString('utf8');
  const r = plan.maskJsonText(text);
  return r.text === text ? payload : Buffer.from(r.text);
}
