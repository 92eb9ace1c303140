import { decodeBackendFrame, decodeFrontendFrame } from '../../services/gateway/postgres/protocol/index.js';
import type { DecodedBackendMessage, DecodedFrontendMessage } from '../../services/gateway/postgres/protocol/index.js';
import type { StoredFrame } from '../model/stored-frame.js';

/** Client messages whose content query rows need; the others only take their place in the order of answers. */
export const CLIENT_CONTENT: ReadonlySet<string> = new Set(['Query', 'Parse', 'Bind', 'Execute']);

/** A recorded client message, or undefined when it was cut at the recording limit or withheld at rest. */
export function decodeFront(f: StoredFrame): DecodedFrontendMessage | undefined {
  if (f.truncated || f.payload.length < 5) return undefined;
  try {
    return decodeFrontendFrame(f.payload[0]!, f.payload);
  } catch {
    return undefined;
  }
}

/** A recorded server (or gateway) message, or undefined when it cannot be read. */
export function decodeBack(f: StoredFrame): DecodedBackendMessage | undefined {
  if (f.truncated || f.payload.length < 5) return undefined;
  try {
    return decodeBackendFrame(f.payload[0]!, f.payload);
  } catch {
    return undefined;
  }
}

/** An ErrorResponse's message and whether it ends the session (empty and false when unreadable). */
export function errorOf(f: StoredFrame): { message: string; fatal: boolean } {
  const m = decodeBack(f);
  if (m?.kind !== 'ErrorResponse') return { message: '', fatal: false };
  return { message: m.fields.get('M') ?? '', fatal: m.fields.get('S') === 'FATAL' };
}
