import { writeAuthenticationResponse } from './auth-response.js';
import { writeCopyData, writeCopyFail } from './copy.js';
import { EMPTY_FRONTEND } from './empty-messages.js';
import { writeBind, writeDescribeOrClose, writeExecute, writeParse } from './frontend-extended.js';
import type { EncodableFrontendMessage } from './frontend-messages.js';
import { writeQuery } from './frontend-simple.js';
import { GSSENC_REQUEST, SSL_REQUEST, writeCancelRequest, writeStartupMessage } from './frontend-startup.js';
import { writeFunctionCall } from './function-call.js';
import { FrontendCode } from './message-codes.js';
import { Writer } from './writer.js';

/** Appends any client message to `w`; several messages can share one writer and go out in one write. */
export function writeFrontendMessage(w: Writer, msg: EncodableFrontendMessage): Writer {
  switch (msg.kind) {
    case 'StartupMessage':
      return writeStartupMessage(w, msg);
    case 'SSLRequest':
      return w.bytes(SSL_REQUEST);
    case 'GSSENCRequest':
      return w.bytes(GSSENC_REQUEST);
    case 'CancelRequest':
      return writeCancelRequest(w, msg.processId, msg.secretKey);
    case 'Bind':
      return writeBind(w, msg);
    case 'Close':
    case 'Describe':
      return writeDescribeOrClose(w, msg.kind, msg.target, msg.name);
    case 'CopyData':
      return writeCopyData(w, msg.data);
    case 'CopyDone':
    case 'Flush':
    case 'Sync':
    case 'Terminate':
      return w.bytes(EMPTY_FRONTEND[msg.kind]);
    case 'CopyFail':
      return writeCopyFail(w, msg.message);
    case 'Execute':
      return writeExecute(w, msg.portal, msg.maxRows);
    case 'FunctionCall':
      return writeFunctionCall(w, msg);
    case 'Parse':
      return writeParse(w, msg.statement, msg.query, msg.parameterTypes);
    case 'AuthenticationResponse':
      // Already a raw body: the decoder cannot know which of the four shapes it is.
      return w.begin(FrontendCode.AuthenticationResponse).bytes(msg.body).end();
    case 'PasswordMessage':
    case 'SASLInitialResponse':
    case 'SASLResponse':
    case 'GSSResponse':
      return writeAuthenticationResponse(w, msg);
    case 'Query':
      return writeQuery(w, msg.sql);
  }
}

/** Encodes one client message into its own buffer. */
export function encodeFrontendMessage(msg: EncodableFrontendMessage): Buffer {
  return writeFrontendMessage(new Writer(64), msg).finish();
}
