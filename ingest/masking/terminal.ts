import type { MaskingPlan } from '../../services/core/masking/index.js';

/** Characters of neighbouring frames a chunk is masked with, so a secret split across frames is seen whole. */
export const STREAM_CONTEXT_CHARS = 512;

/**
 * Masks one chunk of a terminal stream given the text before it (earlier frames of the same
 * session, channel and direction) and after it (later frames of the same batch). Only this chunk's
 * characters are emitted: a match starting in it becomes the placeholder; the part of a match that
 * began in an earlier chunk is dropped. Returns null when the chunk holds no part of any match, so
 * the recorded bytes stay exactly as they were.
 */
export function maskStreamChunk(plan: MaskingPlan, before: string, text: string, after: string): string | null {
  const whole = before + text + after;
  const result = plan.maskText(whole);
  // No findings but changed text: the masker failed and withheld everything; fail closed here too.
  if (result.findings.length === 0) return result.text === whole ? null : '[WITHHELD]';
  const from = before.length;
  const to = from + text.length;
  const findings = [...result.findings].filter((f) => f.end > from && f.start < to).sort((a, b) => a.start - b.start);
  if (findings.length === 0) return null;
  let out = '';
  let at = from;
  for (const f of findings) {
    if (f.start > at) out += whole.slice(at, f.start);
    if (f.start >= from) out += placeholder(plan, whole.slice(f.start, f.end), f.detector);
    at = Math.max(at, Math.min(f.end, to));
  }
  if (at < to) out += whole.slice(at, to);
  return out;
}

/** The detector's own placeholder when the match masks alone; a context-dependent match gets a generic one. */
function placeholder(plan: MaskingPlan, match: string, detector: string): string {
  const alone = plan.maskText(match);
  return alone.findings.length > 0 ? alone.text : `[REDACTED:${detector}]`;
}
