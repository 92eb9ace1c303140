import { TollgateError } from '../../../core/errors.js';

/** Builds the TG_ERR_PROTOCOL error every codec throws, so messages read alike. */
export function protocolError(message: string, context: Record<string, unknown> = {}): TollgateError {
  return new TollgateError('TG_ERR_PROTOCOL', `PostgreSQL protocol: ${message}`, { context });
}

/** Names a type byte both as hex and as a character, e.g. `0x51 ('Q')`. */
export function describeTypeByte(code: number): string {
  const printable = code >= 0x20 && code < 0x7f ? ` ('${String.fromCharCode(code)}')` : '';
  return `0x${code.toString(16).padStart(2, '0')}${printable}`;
}
