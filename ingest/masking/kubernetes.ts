import type { MaskingPlan } from '../../services/core/masking/index.js';

/**
 * Masks a Kubernetes request/response envelope (ingest/README.md, "Recording conventions"):
 * `{"method","path","query","status","body"}` where body is the HTTP body as text. A JSON body is
 * masked as JSON (Secret data, secret-named keys, detectors); other text by the detectors. An
 * envelope that is not JSON is masked as text.
 */
export function maskK8sEnvelope(plan: MaskingPlan, payload: Buffer): Buffer {
  const text = payload.toString('utf8');
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    const r = plan.maskText(text);
    return r.text === text ? payload : Buffer.from(r.text);
  }
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) {
    const r = plan.maskJsonText(text);
    return r.text === text ? payload : Buffer.from(r.text);
  }
  const record = envelope as Record<string, unknown>;
  let changed = false;
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string') {
      const r = key === 'body' ? plan.maskJsonText(value) : plan.maskText(value);
      if (r.text !== value) {
        record[key] = r.text;
        changed = true;
      }
    } else if (value !== null && typeof value === 'object') {
      const r = plan.maskJson(value);
      if (r.changed) {
        record[key] = r.value;
        changed = true;
      }
    }
  }
  return changed ? Buffer.from(JSON.stringify(record)) : payload;
}
