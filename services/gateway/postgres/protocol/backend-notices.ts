import type { DecodedBackendMessage, NoticeFields } from './backend-messages.js';
import { BackendCode } from './message-codes.js';
import { protocolError } from './protocol-error.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** One-letter field codes of ErrorResponse/NoticeResponse, in the order PostgreSQL sends them. */
export const NoticeField = {
  severity: 'S',
  severityNonLocalized: 'V',
  code: 'C',
  message: 'M',
  detail: 'D',
  hint: 'H',
  position: 'P',
  internalPosition: 'p',
  internalQuery: 'q',
  where: 'W',
  schema: 's',
  table: 't',
  column: 'c',
  dataType: 'd',
  constraint: 'n',
  file: 'F',
  line: 'L',
  routine: 'R',
} as const;

export type NoticeFieldName = keyof typeof NoticeField;

/*
 * ErrorResponse / NoticeResponse:
 *   Byte1('E' | 'N') Int32(len) { Byte1(field code) String(value) }* Byte1(0)
 */
function decodeNoticeFields(raw: Buffer, what: string): Map<string, string> {
  const r = new Reader(raw, 5, what);
  const fields = new Map<string, string>();
  for (let code = r.byte(); code !== 0; code = r.byte()) fields.set(String.fromCharCode(code), r.cstring());
  r.done();
  return fields;
}

/** Decodes an ErrorResponse. */
export function decodeErrorResponse(raw: Buffer): DecodedBackendMessage {
  return { kind: 'ErrorResponse', fields: decodeNoticeFields(raw, 'ErrorResponse'), raw };
}

/** Decodes a NoticeResponse. */
export function decodeNoticeResponse(raw: Buffer): DecodedBackendMessage {
  return { kind: 'NoticeResponse', fields: decodeNoticeFields(raw, 'NoticeResponse'), raw };
}

/** Writes an ErrorResponse ('E') or NoticeResponse ('N') with its fields in map order. */
export function writeNotice(w: Writer, kind: 'ErrorResponse' | 'NoticeResponse', fields: NoticeFields): Writer {
  w.begin(kind === 'ErrorResponse' ? BackendCode.ErrorResponse : BackendCode.NoticeResponse);
  for (const [code, value] of fields) {
    if (code.length !== 1 || code === '\u0000' || code.charCodeAt(0) > 0x7f) {
      throw protocolError(`notice field code must be one ASCII character, got ${JSON.stringify(code)}`);
    }
    w.byte(code.charCodeAt(0)).cstring(value);
  }
  return w.byte(0).end();
}

/** Builds notice fields in PostgreSQL's order from named values, e.g. for the gateway's own errors. */
export function noticeFields(values: Partial<Record<NoticeFieldName, string>>): NoticeFields {
  // PostgreSQL always sends both severities; the gateway's text is not localized, so they match.
  const all = values.severityNonLocalized === undefined && values.severity !== undefined
    ? { ...values, severityNonLocalized: values.severity }
    : values;
  const fields = new Map<string, string>();
  for (const name of Object.keys(NoticeField) as NoticeFieldName[]) {
    const value = all[name];
    if (value !== undefined) fields.set(NoticeField[name], value);
  }
  return fields;
}

/*
 * NotificationResponse:  Byte1('A') Int32(len) Int32(process id) String(channel) String(payload)
 */
export function decodeNotificationResponse(raw: Buffer): DecodedBackendMessage {
  const r = new Reader(raw, 5, 'NotificationResponse');
  const processId = r.int32();
  const channel = r.cstring();
  const payload = r.cstring();
  r.done();
  return { kind: 'NotificationResponse', processId, channel, payload, raw };
}

/** Writes a NotificationResponse. */
export function writeNotificationResponse(w: Writer, processId: number, channel: string, payload: string): Writer {
  return w.begin(BackendCode.NotificationResponse).int32(processId).cstring(channel).cstring(payload).end();
}
