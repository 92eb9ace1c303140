import type { ColumnRef, MaskingPlan } from '../../services/core/masking/index.js';
import {
  decodeBackendFrame,
  decodeFrontendFrame,
  encodeBackendMessage,
  encodeDataRow,
  encodeFrontendMessage,
  type DecodedBackendMessage,
  type DecodedFrontendMessage,
} from '../../services/gateway/postgres/protocol/index.js';

/** Placeholder stored instead of a payload that could not be decoded, so it cannot be masked. */
export const WITHHELD_PAYLOAD = Buffer.from('[WITHHELD]');

/** What at-rest masking of one session's PostgreSQL stream remembers: the current result's columns. */
export interface PgMaskState {
  columns: Array<(value: Buffer) => { value: Buffer | null; changed: boolean }>;
}

/** Messages that can carry data and are decoded; the rest (ReadyForQuery, BindComplete, ...) pass untouched. */
const FRONTEND = new Set(['Query', 'Parse', 'Bind', 'CopyData', 'CopyFail', 'FunctionCall']);
const BACKEND = new Set(['DataRow', 'RowDescription', 'ErrorResponse', 'NoticeResponse', 'CopyData', 'FunctionCallResponse', 'NotificationResponse']);

/** True for a direction whose messages the client (frontend) wrote. */
export function isFrontendDirection(direction: string): boolean {
  return direction === 'CLIENT_TO_GATEWAY' || direction === 'GATEWAY_TO_UPSTREAM';
}

/**
 * Masks one recorded PostgreSQL message: SQL text by literal, Bind parameters, DataRow values by the
 * last RowDescription's column names, error and notice texts, COPY data. Returns the payload to store
 * (the same Buffer when nothing changed). A payload that cannot be decoded is withheld whole.
 */
export function maskPgPayload(plan: MaskingPlan, state: PgMaskState, direction: string, messageType: string, payload: Buffer): Buffer {
  const frontend = isFrontendDirection(direction);
  if (!(frontend ? FRONTEND : BACKEND).has(messageType)) return payload;
  if (payload.length < 5) return WITHHELD_PAYLOAD;
  try {
    return frontend ? maskFrontend(plan, decodeFrontendFrame(payload[0]!, payload), payload) : maskBackend(plan, state, decodeBackendFrame(payload[0]!, payload), payload);
  } catch {
    return WITHHELD_PAYLOAD;
  }
}

function maskFrontend(plan: MaskingPlan, m: DecodedFrontendMessage, payload: Buffer): Buffer {
  switch (m.kind) {
    case 'Query': {
      const r = plan.maskSqlLiterals(m.sql);
      return r.text === m.sql ? payload : encodeFrontendMessage({ kind: 'Query', sql: r.text });
    }
    case 'Parse': {
      const r = plan.maskSqlLiterals(m.query);
      return r.text === m.query ? payload : encodeFrontendMessage({ ...m, query: r.text });
    }
    case 'Bind': {
      const values = maskValues(plan, m.parameters, (i) => ({ name: `$${i + 1}`, format: (m.parameterFormats.length === 1 ? m.parameterFormats[0] : m.parameterFormats[i]) === 1 ? 'binary' : 'text' }));
      return values === undefined ? payload : encodeFrontendMessage({ ...m, parameters: values });
    }
    case 'FunctionCall': {
      const values = maskValues(plan, m.arguments, (i) => ({ name: `$${i + 1}`, format: m.argumentFormats[i] === 1 ? 'binary' : 'text' }));
      return values === undefined ? payload : encodeFrontendMessage({ ...m, arguments: values });
    }
    case 'CopyData': {
      const r = plan.maskBytes(m.data);
      return r.changed ? encodeFrontendMessage({ kind: 'CopyData', data: r.value ?? WITHHELD_PAYLOAD }) : payload;
    }
    case 'CopyFail': {
      const r = plan.maskText(m.message);
      return r.text === m.message ? payload : encodeFrontendMessage({ kind: 'CopyFail', message: r.text });
    }
    default:
      return payload;
  }
}

function maskBackend(plan: MaskingPlan, state: PgMaskState, m: DecodedBackendMessage, payload: Buffer): Buffer {
  switch (m.kind) {
    case 'RowDescription':
      state.columns = m.fields.map((f) => plan.columnMasker({ name: f.name, format: f.format === 1 ? 'binary' : 'text' }));
      return payload;
    case 'DataRow': {
      const values = m.values;
      let out: (Buffer | null)[] | undefined;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v === null || v === undefined) continue;
        const masker = state.columns[i] ?? plan.columnMasker(undefined);
        const r = masker(v);
        if (!r.changed) continue;
        out ??= values.slice();
        out[i] = r.value;
      }
      return out === undefined ? payload : encodeDataRow(out);
    }
    case 'ErrorResponse':
    case 'NoticeResponse': {
      let fields: Map<string, string> | undefined;
      for (const [code, text] of m.fields) {
        const r = plan.maskText(text);
        if (r.text === text) continue;
        fields ??= new Map(m.fields);
        fields.set(code, r.text);
      }
      return fields === undefined ? payload : encodeBackendMessage({ kind: m.kind, fields });
    }
    case 'CopyData': {
      const r = plan.maskBytes(m.data);
      return r.changed ? encodeBackendMessage({ kind: 'CopyData', data: r.value ?? WITHHELD_PAYLOAD }) : payload;
    }
    case 'FunctionCallResponse': {
      if (m.result === null) return payload;
      const r = plan.maskValue(m.result);
      return r.changed ? encodeBackendMessage({ kind: 'FunctionCallResponse', result: r.value }) : payload;
    }
    case 'NotificationResponse': {
      const r = plan.maskText(m.payload);
      return r.text === m.payload ? payload : encodeBackendMessage({ ...m, payload: r.text });
    }
    default:
      return payload;
  }
}

/** Masked copies of the values, or undefined when none changed. */
function maskValues(plan: MaskingPlan, values: readonly (Buffer | null)[], column: (i: number) => ColumnRef): (Buffer | null)[] | undefined {
  let out: (Buffer | null)[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const r = plan.maskValue(v, column(i));
    if (!r.changed) continue;
    out ??= values.slice();
    out[i] = r.value;
  }
  return out;
}
