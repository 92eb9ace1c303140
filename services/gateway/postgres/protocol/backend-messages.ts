/** What the server sends; decoded messages add `raw`, the encoders take these shapes as they are. */

export type TransactionStatus = 'I' | 'T' | 'E';

/** One column of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly tableOid: number;
  readonly columnAttr: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  readonly format: number;
}

/**
 * ErrorResponse/NoticeResponse fields keyed by their one-letter code ('S', 'C', 'M', ...), in wire order,
 * so a re-encoded message is byte-identical to the one received.
 */
export type NoticeFields = ReadonlyMap<string, string>;

export interface CopyResponseFields {
  /** 0 = text, 1 = binary for the whole copy. */
  readonly format: number;
  readonly columnFormats: readonly number[];
}

export type BackendMessage =
  | { readonly kind: 'AuthenticationOk' }
  | { readonly kind: 'AuthenticationKerberosV5' }
  | { readonly kind: 'AuthenticationCleartextPassword' }
  | { readonly kind: 'AuthenticationMD5Password'; readonly salt: Buffer }
  | { readonly kind: 'AuthenticationGSS' }
  | { readonly kind: 'AuthenticationGSSContinue'; readonly data: Buffer }
  | { readonly kind: 'AuthenticationSSPI' }
  | { readonly kind: 'AuthenticationSASL'; readonly mechanisms: readonly string[] }
  | { readonly kind: 'AuthenticationSASLContinue'; readonly data: Buffer }
  | { readonly kind: 'AuthenticationSASLFinal'; readonly data: Buffer }
  | { readonly kind: 'BackendKeyData'; readonly processId: number; readonly secretKey: Buffer }
  | { readonly kind: 'BindComplete' }
  | { readonly kind: 'CloseComplete' }
  | { readonly kind: 'CommandComplete'; readonly tag: string }
  | { readonly kind: 'CopyData'; readonly data: Buffer }
  | { readonly kind: 'CopyDone' }
  | ({ readonly kind: 'CopyInResponse' } & CopyResponseFields)
  | ({ readonly kind: 'CopyOutResponse' } & CopyResponseFields)
  | ({ readonly kind: 'CopyBothResponse' } & CopyResponseFields)
  | { readonly kind: 'DataRow'; readonly values: readonly (Buffer | null)[] }
  | { readonly kind: 'EmptyQueryResponse' }
  | { readonly kind: 'ErrorResponse'; readonly fields: NoticeFields }
  | { readonly kind: 'FunctionCallResponse'; readonly result: Buffer | null }
  | {
      readonly kind: 'NegotiateProtocolVersion';
      readonly newestMinorVersion: number;
      readonly unrecognizedOptions: readonly string[];
    }
  | { readonly kind: 'NoData' }
  | { readonly kind: 'NoticeResponse'; readonly fields: NoticeFields }
  | { readonly kind: 'NotificationResponse'; readonly processId: number; readonly channel: string; readonly payload: string }
  | { readonly kind: 'ParameterDescription'; readonly typeOids: readonly number[] }
  | { readonly kind: 'ParameterStatus'; readonly name: string; readonly value: string }
  | { readonly kind: 'ParseComplete' }
  | { readonly kind: 'PortalSuspended' }
  | { readonly kind: 'ReadyForQuery'; readonly status: TransactionStatus }
  | { readonly kind: 'RowDescription'; readonly fields: readonly FieldDescription[] }
  // The one-byte answer to SSLRequest ('S'/'N') or GSSENCRequest ('G'/'N'); it has no frame at all.
  | { readonly kind: 'EncryptionResponse'; readonly response: 'S' | 'G' | 'N' };

export type BackendKind = BackendMessage['kind'];

/** A decoded message: its fields plus the exact bytes it came in, for forwarding without re-encoding. */
export type DecodedBackendMessage = BackendMessage & { readonly raw: Buffer };
