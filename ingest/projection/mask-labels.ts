import type { StoredFrame } from '../model/stored-frame.js';

/**
 * What a `mask.*` decision adds to a query's `masking` list. The PostgreSQL gateway records one
 * summary per result set with the generic rule `masking` and the detail in `details.columns`
 * (`schema.table.column:action=count,...`) and `details.detectors` (`name=count,...`): those
 * entries name what was masked, so they become the labels (`column:action`, `detector:name`).
 * A decision naming a specific rule, or one whose details cannot be read, is labelled by its rule.
 */
export function maskLabelsOf(f: StoredFrame): string[] {
  const fallback = [f.decisionRule || f.decisionAction];
  if (f.decisionRule !== '' && f.decisionRule !== 'masking') return fallback;
  const details = detailsOf(f.payload);
  if (details === undefined) return fallback;
  const labels = [...entries(details['columns']), ...entries(details['detectors']).map((d) => `detector:${d}`)];
  return labels.length > 0 ? labels : fallback;
}

function detailsOf(payload: Buffer): Record<string, unknown> | undefined {
  if (payload.length === 0 || payload[0] !== 0x7b) return undefined;
  try {
    const v: unknown = JSON.parse(payload.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `a=1,b:c=2` → `['a', 'b:c']`: the counts are per result set and would make labels unique per row. */
function entries(list: unknown): string[] {
  if (typeof list !== 'string' || list === '') return [];
  const out: string[] = [];
  for (const part of list.split(',')) {
    const eq = part.lastIndexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (name !== '' && !out.includes(name)) out.push(name);
  }
  return out;
}
