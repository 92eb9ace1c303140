import { writeAuthentication } from './backend-auth.js';
import type { BackendMessage } from './backend-messages.js';
import { writeNotice, writeNotificationResponse } from './backend-notices.js';
import { writeCommandComplete, writeDataRow, writeReadyForQuery, writeRowDescription } from './backend-results.js';
import {
  writeBackendKeyData,
  writeNegotiateProtocolVersion,
  writeParameterDescription,
  writeParameterStatus,
} from './backend-session.js';
import { writeCopyData, writeCopyResponse } from './copy.js';
import { EMPTY_BACKEND } from './empty-messages.js';
import { writeFunctionCallResponse } from './function-call.js';
import { Writer } from './writer.js';

/** Appends any server message to `w`; several messages can share one writer and go out in one write. */
export function writeBackendMessage(w: Writer, msg: BackendMessage): Writer {
  switch (msg.kind) {
    case 'AuthenticationOk':
    case 'AuthenticationKerberosV5':
    case 'AuthenticationCleartextPassword':
    case 'AuthenticationMD5Password':
    case 'AuthenticationGSS':
    case 'AuthenticationGSSContinue':
    case 'AuthenticationSSPI':
    case 'AuthenticationSASL':
    case 'AuthenticationSASLContinue':
    case 'AuthenticationSASLFinal':
      return writeAuthentication(w, msg);
    case 'BackendKeyData':
      return writeBackendKeyData(w, msg.processId, msg.secretKey);
    case 'BindComplete':
    case 'CloseComplete':
    case 'CopyDone':
    case 'EmptyQueryResponse':
    case 'NoData':
    case 'ParseComplete':
    case 'PortalSuspended':
      return w.bytes(EMPTY_BACKEND[msg.kind]);
    case 'CommandComplete':
      return writeCommandComplete(w, msg.tag);
    case 'CopyData':
      return writeCopyData(w, msg.data);
    case 'CopyInResponse':
    case 'CopyOutResponse':
    case 'CopyBothResponse':
      return writeCopyResponse(w, msg.kind, msg);
    case 'DataRow':
      return writeDataRow(w, msg.values);
    case 'ErrorResponse':
    case 'NoticeResponse':
      return writeNotice(w, msg.kind, msg.fields);
    case 'FunctionCallResponse':
      return writeFunctionCallResponse(w, msg.result);
    case 'NegotiateProtocolVersion':
      return writeNegotiateProtocolVersion(w, msg.newestMinorVersion, msg.unrecognizedOptions);
    case 'NotificationResponse':
      return writeNotificationResponse(w, msg.processId, msg.channel, msg.payload);
    case 'ParameterDescription':
      return writeParameterDescription(w, msg.typeOids);
    case 'ParameterStatus':
      return writeParameterStatus(w, msg.name, msg.value);
    case 'ReadyForQuery':
      return writeReadyForQuery(w, msg.status);
    case 'RowDescription':
      return writeRowDescription(w, msg.fields);
    case 'EncryptionResponse':
      return w.byte(msg.response.charCodeAt(0));
  }
}

/** Encodes one server message into its own buffer. */
export function encodeBackendMessage(msg: BackendMessage): Buffer {
  return writeBackendMessage(new Writer(64), msg).finish();
}
