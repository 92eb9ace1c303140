import type { DecodedBackendMessage } from './backend-messages.js';
import type { DecodedFrontendMessage } from './frontend-messages.js';
import { BackendCode, FrontendCode } from './message-codes.js';
import { protocolError } from './protocol-error.js';

/*
 * Messages with no body:  Byte1(type) Int32(4)
 *   backend:  BindComplete '2', CloseComplete '3', CopyDone 'c', EmptyQueryResponse 'I', NoData 'n',
 *             ParseComplete '1', PortalSuspended 's'
 *   frontend: CopyDone 'c', Flush 'H', Sync 'S', Terminate 'X'
 */
export type EmptyBackendKind = 'BindComplete' | 'CloseComplete' | 'CopyDone' | 'EmptyQueryResponse' | 'NoData' | 'ParseComplete' | 'PortalSuspended';
export type EmptyFrontendKind = 'CopyDone' | 'Flush' | 'Sync' | 'Terminate';

function checkEmpty(raw: Buffer, kind: string): void {
  if (raw.length !== 5) throw protocolError(`${kind} must have an empty body, got ${raw.length - 5} byte(s)`);
}

/** Decodes a body-less backend message after checking its length is exactly 4. */
export function decodeEmptyBackend(kind: EmptyBackendKind, raw: Buffer): DecodedBackendMessage {
  checkEmpty(raw, kind);
  return { kind, raw };
}

/** Decodes a body-less frontend message after checking its length is exactly 4. */
export function decodeEmptyFrontend(kind: EmptyFrontendKind, raw: Buffer): DecodedFrontendMessage {
  checkEmpty(raw, kind);
  return { kind, raw };
}

function constant(code: number): Buffer {
  return Buffer.from([code, 0, 0, 0, 4]);
}

/** Body-less backend messages, built once; never modify them. */
export const EMPTY_BACKEND: Readonly<Record<EmptyBackendKind, Buffer>> = {
  BindComplete: constant(BackendCode.BindComplete),
  CloseComplete: constant(BackendCode.CloseComplete),
  CopyDone: constant(BackendCode.CopyDone),
  EmptyQueryResponse: constant(BackendCode.EmptyQueryResponse),
  NoData: constant(BackendCode.NoData),
  ParseComplete: constant(BackendCode.ParseComplete),
  PortalSuspended: constant(BackendCode.PortalSuspended),
};

/** Body-less frontend messages, built once; never modify them. */
export const EMPTY_FRONTEND: Readonly<Record<EmptyFrontendKind, Buffer>> = {
  CopyDone: constant(FrontendCode.CopyDone),
  Flush: constant(FrontendCode.Flush),
  Sync: constant(FrontendCode.Sync),
  Terminate: constant(FrontendCode.Terminate),
};
