import type { BackendMessage, DecodedBackendMessage } from './backend-messages.js';
import type { DecodedFrontendMessage, FrontendMessage } from './frontend-messages.js';

/**
 * A decoded message as a plain object without `raw`, with lazy views (DataRow, CopyData) resolved:
 * what an encoder takes back, and what tests compare. Throws TG_ERR_PROTOCOL if a lazy DataRow is malformed.
 */
export function backendFields(msg: DecodedBackendMessage): BackendMessage {
  if (msg.kind === 'DataRow') return { kind: 'DataRow', values: msg.values };
  if (msg.kind === 'CopyData') return { kind: 'CopyData', data: msg.data };
  const { raw: _raw, ...fields } = msg;
  return fields;
}

/** Like backendFields, for client messages. */
export function frontendFields(msg: DecodedFrontendMessage): FrontendMessage {
  if (msg.kind === 'CopyData') return { kind: 'CopyData', data: msg.data };
  const { raw: _raw, ...fields } = msg;
  return fields;
}
