import type { MaskingPlan } from '../../core/masking/index.js';
import type { NoticeFields } from './protocol/index.js';

/** Fields of ErrorResponse/NoticeResponse that can quote data: message, detail, hint, context, internal query. */
const TEXT_FIELDS = ['M', 'D', 'H', 'W', 'q'];

// "Key (email)=(alice@example.com) already exists." and friends (unique, foreign key, exclusion).
const KEY_DETAIL = /^(.*?Key \()(.*?)(\)=\()(.*)(\).*)$/s;
// "Failing row contains (1, alice@example.com, ...)." (NOT NULL and CHECK violations): values by position only.
const FAILING_ROW = /^(Failing row contains \()(.*)(\)\.?)$/s;

/**
 * Masks data quoted in a server error or notice. A key detail names its columns: a column rule
 * that matches one of them (with the error's schema and table fields) hides all the key's values.
 * A failing-row detail lists values without names, so when the plan has any column rule its
 * values are hidden whole (fail closed). Detectors then run on every text field. Returns the
 * changed fields, or undefined when nothing changed.
 */
export function maskNoticeFields(fields: NoticeFields, plan: MaskingPlan): Map<string, string> | undefined {
  let out: Map<string, string> | undefined;
  const set = (code: string, value: string) => {
    out ??= new Map(fields);
    out.set(code, value);
  };
  const detail = fields.get('D');
  if (detail !== undefined && plan.rules.rules.length > 0) {
    const hidden = hideRuleColumns(detail, fields, plan);
    if (hidden !== detail) set('D', hidden);
  }
  for (const code of TEXT_FIELDS) {
    const value = (out ?? fields).get(code);
    if (value === undefined) continue;
    const r = plan.maskText(value);
    if (r.findings.length > 0 || r.text !== value) set(code, r.text);
  }
  return out;
}

function hideRuleColumns(detail: string, fields: NoticeFields, plan: MaskingPlan): string {
  const key = KEY_DETAIL.exec(detail);
  if (key !== null) {
    const schema = fields.get('s');
    const table = fields.get('t');
    const columns = (key[2] ?? '').split(',').map((c) => c.trim().replace(/^"(.*)"$/s, '$1'));
    const ruled = columns.some((name) => plan.rules.match({ schema, table, name }) !== undefined || (table === undefined && plan.rules.match({ name }) !== undefined));
    return ruled ? `${key[1]}${key[2]}${key[3]}****${key[5]}` : detail;
  }
  const row = FAILING_ROW.exec(detail);
  if (row !== null) return `${row[1]}****${row[3]}`;
  return detail;
}
