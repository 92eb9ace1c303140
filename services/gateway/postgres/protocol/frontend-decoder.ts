import { TollgateError } from '../../../core/errors.js';
import { decodeAuthenticationResponse } from './auth-response.js';
import { CopyDataView, decodeCopyData, decodeCopyFail } from './copy.js';
import { decodeEmptyFrontend } from './empty-messages.js';
import { FrameQueue } from './frame-queue.js';
import { decodeBind, decodeDescribeOrClose, decodeExecute, decodeParse } from './frontend-extended.js';
import type { DecodedFrontendMessage } from './frontend-messages.js';
import { decodeQuery } from './frontend-simple.js';
import { decodeStartupPacket, MAX_STARTUP_PACKET_LENGTH } from './frontend-startup.js';
import { decodeFunctionCall } from './function-call.js';
import { FrontendCode as F } from './message-codes.js';
import { checkLength, DEFAULT_MAX_FRONTEND_MESSAGE, frontendLimits, unknownTypeError, type LimitTable } from './message-limits.js';
import { protocolError } from './protocol-error.js';

export interface FrontendDecoderOptions {
  /** Largest accepted length field; defaults to DEFAULT_MAX_FRONTEND_MESSAGE (16 MiB). */
  maxMessageSize?: number;
  /** Start after the startup phase (for tests or a stream captured mid-session); default false. */
  skipStartup?: boolean;
}

export type FrontendPhase = 'startup' | 'messages';

/**
 * Streaming decoder for what a PostgreSQL client sends. It begins in the startup phase (packets without
 * a type byte: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest) and switches to typed messages
 * once a StartupMessage has been decoded. `next` returns undefined when it needs more bytes; bad input
 * throws TG_ERR_PROTOCOL / TG_ERR_MESSAGE_TOO_LARGE and every later call rethrows it.
 */
export class FrontendDecoder {
  private readonly queue = new FrameQueue();
  private readonly limits: LimitTable;
  private failure: Error | undefined;
  private currentPhase: FrontendPhase;

  constructor(options: FrontendDecoderOptions = {}) {
    this.limits = frontendLimits(options.maxMessageSize ?? DEFAULT_MAX_FRONTEND_MESSAGE);
    this.currentPhase = options.skipStartup === true ? 'messages' : 'startup';
  }

  /** Adds bytes from the client. The decoder keeps views into `chunk`: do not modify it afterwards. */
  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  get phase(): FrontendPhase {
    return this.currentPhase;
  }

  /**
   * Bytes pushed and not yet returned as messages. After an SSLRequest or GSSENCRequest this must be 0
   * before the TLS handshake: bytes sent ahead of it were never encrypted (CVE-2021-23214).
   */
  get bufferedBytes(): number {
    return this.queue.available;
  }

  /** The next whole message, or undefined when more bytes are needed. */
  next(): DecodedFrontendMessage | undefined {
    if (this.failure !== undefined) throw this.failure;
    try {
      return this.currentPhase === 'messages' ? this.decodeTyped() : this.decodeStartup();
    } catch (err) {
      this.failure = err instanceof Error ? err : protocolError(String(err));
      throw this.failure;
    }
  }

  private decodeStartup(): DecodedFrontendMessage | undefined {
    const q = this.queue;
    if (q.available < 4) return undefined;
    const length = q.int32At(0);
    if (length < 8) throw protocolError(`startup packet has an invalid length ${length}`, { length });
    if (length > MAX_STARTUP_PACKET_LENGTH) {
      throw new TollgateError(
        'TG_ERR_MESSAGE_TOO_LARGE',
        `PostgreSQL protocol: startup packet declares ${length} bytes, over the limit of ${MAX_STARTUP_PACKET_LENGTH}`,
        { context: { length, limit: MAX_STARTUP_PACKET_LENGTH } },
      );
    }
    if (q.available < length) return undefined;
    const msg = decodeStartupPacket(q.take(length));
    if (msg.kind === 'StartupMessage') this.currentPhase = 'messages';
    return msg;
  }

  private decodeTyped(): DecodedFrontendMessage | undefined {
    const q = this.queue;
    if (q.available === 0) return undefined;
    const code = q.byteAt(0);
    const limit = this.limits[code] ?? 0;
    if (limit === 0) throw unknownTypeError('frontend', code);
    if (q.available < 5) return undefined;
    const length = q.int32At(1);
    checkLength('frontend', code, length, limit);
    if (q.available <= length) return undefined;
    if (code === F.CopyData) {
      q.takeRange(length + 1);
      return new CopyDataView(q.rangeSource, q.rangeStart, q.rangeStart + length + 1);
    }
    return decodeFrontendFrame(code, q.take(length + 1));
  }
}

/** Decodes one whole client frame (type byte, length and body) whose framing is already checked. */
export function decodeFrontendFrame(code: number, raw: Buffer): DecodedFrontendMessage {
  switch (code) {
    case F.Bind: return decodeBind(raw);
    case F.Close: return decodeDescribeOrClose('Close', raw);
    case F.CopyData: return decodeCopyData(raw);
    case F.CopyDone: return decodeEmptyFrontend('CopyDone', raw);
    case F.CopyFail: return decodeCopyFail(raw);
    case F.Describe: return decodeDescribeOrClose('Describe', raw);
    case F.Execute: return decodeExecute(raw);
    case F.Flush: return decodeEmptyFrontend('Flush', raw);
    case F.FunctionCall: return decodeFunctionCall(raw);
    case F.Parse: return decodeParse(raw);
    case F.AuthenticationResponse: return decodeAuthenticationResponse(raw);
    case F.Query: return decodeQuery(raw);
    case F.Sync: return decodeEmptyFrontend('Sync', raw);
    case F.Terminate: return decodeEmptyFrontend('Terminate', raw);
    default: throw unknownTypeError('frontend', code);
  }
}
