import { decodeAuthentication } from './backend-auth.js';
import type { DecodedBackendMessage } from './backend-messages.js';
import { decodeErrorResponse, decodeNoticeResponse, decodeNotificationResponse } from './backend-notices.js';
import { DataRowView, decodeCommandComplete, decodeDataRow, decodeReadyForQuery, decodeRowDescription } from './backend-results.js';
import {
  decodeBackendKeyData,
  decodeNegotiateProtocolVersion,
  decodeParameterDescription,
  decodeParameterStatus,
} from './backend-session.js';
import { CopyDataView, decodeCopyData, decodeCopyResponse } from './copy.js';
import { decodeEmptyBackend } from './empty-messages.js';
import { FrameQueue } from './frame-queue.js';
import { decodeFunctionCallResponse } from './function-call.js';
import { BackendCode as B } from './message-codes.js';
import { backendLimits, checkLength, DEFAULT_MAX_BACKEND_MESSAGE, unknownTypeError, type LimitTable } from './message-limits.js';
import { describeTypeByte, protocolError } from './protocol-error.js';

export interface BackendDecoderOptions {
  /** Largest accepted length field; defaults to DEFAULT_MAX_BACKEND_MESSAGE (64 MiB). */
  maxMessageSize?: number;
}

/**
 * Streaming decoder for what a PostgreSQL server sends. `push` bytes as they arrive, then call `next`
 * until it returns undefined ("need more"). It never throws on incomplete input; it throws
 * TG_ERR_PROTOCOL / TG_ERR_MESSAGE_TOO_LARGE on bad input, and after that every call rethrows the
 * same error: a stream that lost its framing cannot be trusted again.
 */
export class BackendDecoder {
  private readonly queue = new FrameQueue();
  private readonly limits: LimitTable;
  private failure: Error | undefined;
  private encryptionResponse: 'SSL' | 'GSS' | undefined;

  constructor(options: BackendDecoderOptions = {}) {
    this.limits = backendLimits(options.maxMessageSize ?? DEFAULT_MAX_BACKEND_MESSAGE);
  }

  /** Adds bytes from the server. The decoder keeps views into `chunk`: do not modify it afterwards. */
  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  /** Bytes pushed and not yet returned as messages. */
  get bufferedBytes(): number {
    return this.queue.available;
  }

  /**
   * Call after sending SSLRequest or GSSENCRequest: the answer is a single unframed byte ('S'/'G' to go
   * ahead, 'N' to refuse), except a pre-3.0 server that answers with an ErrorResponse.
   */
  expectEncryptionResponse(request: 'SSL' | 'GSS'): void {
    this.encryptionResponse = request;
  }

  /** The next whole message, or undefined when more bytes are needed. */
  next(): DecodedBackendMessage | undefined {
    if (this.failure !== undefined) throw this.failure;
    try {
      return this.decodeNext();
    } catch (err) {
      this.failure = err instanceof Error ? err : protocolError(String(err));
      throw this.failure;
    }
  }

  private decodeNext(): DecodedBackendMessage | undefined {
    const q = this.queue;
    if (q.available === 0) return undefined;
    const code = q.byteAt(0);
    if (this.encryptionResponse !== undefined && code !== B.ErrorResponse) return this.decodeEncryptionResponse(code);
    this.encryptionResponse = undefined;
    const limit = this.limits[code] ?? 0;
    if (limit === 0) throw unknownTypeError('backend', code);
    if (q.available < 5) return undefined;
    const length = q.int32At(1);
    checkLength('backend', code, length, limit);
    if (q.available <= length) return undefined;
    if (code === B.DataRow || code === B.CopyData) {
      q.takeRange(length + 1);
      const start = q.rangeStart;
      const end = start + length + 1;
      return code === B.DataRow ? new DataRowView(q.rangeSource, start, end) : new CopyDataView(q.rangeSource, start, end);
    }
    return decodeBackendFrame(code, q.take(length + 1));
  }

  private decodeEncryptionResponse(code: number): DecodedBackendMessage {
    const accept = this.encryptionResponse === 'SSL' ? 0x53 : 0x47;
    if (code !== accept && code !== 0x4e) {
      throw protocolError(`unexpected answer ${describeTypeByte(code)} to ${this.encryptionResponse}Request`);
    }
    this.encryptionResponse = undefined;
    const raw = this.queue.take(1);
    return { kind: 'EncryptionResponse', response: code === 0x4e ? 'N' : code === 0x53 ? 'S' : 'G', raw };
  }
}

/** Decodes one whole server frame (type byte, length and body) whose framing is already checked. */
export function decodeBackendFrame(code: number, raw: Buffer): DecodedBackendMessage {
  switch (code) {
    case B.DataRow: return decodeDataRow(raw);
    case B.CopyData: return decodeCopyData(raw);
    case B.Authentication: return decodeAuthentication(raw);
    case B.BackendKeyData: return decodeBackendKeyData(raw);
    case B.BindComplete: return decodeEmptyBackend('BindComplete', raw);
    case B.CloseComplete: return decodeEmptyBackend('CloseComplete', raw);
    case B.CommandComplete: return decodeCommandComplete(raw);
    case B.CopyDone: return decodeEmptyBackend('CopyDone', raw);
    case B.CopyInResponse: return decodeCopyResponse('CopyInResponse', raw);
    case B.CopyOutResponse: return decodeCopyResponse('CopyOutResponse', raw);
    case B.CopyBothResponse: return decodeCopyResponse('CopyBothResponse', raw);
    case B.EmptyQueryResponse: return decodeEmptyBackend('EmptyQueryResponse', raw);
    case B.ErrorResponse: return decodeErrorResponse(raw);
    case B.FunctionCallResponse: return decodeFunctionCallResponse(raw);
    case B.NegotiateProtocolVersion: return decodeNegotiateProtocolVersion(raw);
    case B.NoData: return decodeEmptyBackend('NoData', raw);
    case B.NoticeResponse: return decodeNoticeResponse(raw);
    case B.NotificationResponse: return decodeNotificationResponse(raw);
    case B.ParameterDescription: return decodeParameterDescription(raw);
    case B.ParameterStatus: return decodeParameterStatus(raw);
    case B.ParseComplete: return decodeEmptyBackend('ParseComplete', raw);
    case B.PortalSuspended: return decodeEmptyBackend('PortalSuspended', raw);
    case B.ReadyForQuery: return decodeReadyForQuery(raw);
    case B.RowDescription: return decodeRowDescription(raw);
    default: throw unknownTypeError('backend', code);
  }
}
