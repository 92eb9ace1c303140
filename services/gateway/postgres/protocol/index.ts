/** PostgreSQL frontend/backend protocol 3.0 without I/O: streaming decoders, encoders, SCRAM and md5. */
export * from './message-codes.js';
export type * from './backend-messages.js';
export type * from './frontend-messages.js';
export { BackendDecoder, decodeBackendFrame, type BackendDecoderOptions } from './backend-decoder.js';
export { FrontendDecoder, decodeFrontendFrame, type FrontendDecoderOptions, type FrontendPhase } from './frontend-decoder.js';
export { writeBackendMessage, encodeBackendMessage } from './backend-encoder.js';
export { writeFrontendMessage, encodeFrontendMessage } from './frontend-encoder.js';
export { Writer } from './writer.js';
export { ForwardRun } from './forward-run.js';
export { backendFields, frontendFields } from './message-fields.js';
export {
  DEFAULT_MAX_BACKEND_MESSAGE,
  DEFAULT_MAX_FRONTEND_MESSAGE,
  SMALL_MESSAGE_LIMIT,
  AUTH_MESSAGE_LIMIT,
} from './message-limits.js';
export { AUTHENTICATION_OK, AUTHENTICATION_CLEARTEXT_PASSWORD } from './backend-auth.js';
export { DataRowView, encodeDataRow, READY_FOR_QUERY } from './backend-results.js';
export { CopyDataView, encodeCopyData } from './copy.js';
export { EMPTY_BACKEND, EMPTY_FRONTEND } from './empty-messages.js';
export { NoticeField, noticeFields, type NoticeFieldName } from './backend-notices.js';
export { MAX_CANCEL_KEY_LENGTH } from './backend-session.js';
export { SSL_REQUEST, GSSENC_REQUEST, ENCRYPTION_RESPONSE, MAX_STARTUP_PACKET_LENGTH } from './frontend-startup.js';
export { readPasswordMessage, readSASLInitialResponse, readSASLResponse, readGSSResponse } from './auth-response.js';
export * from './scram-client.js';
export { md5PasswordHash } from './md5-password.js';
export { saslprep } from './saslprep.js';
