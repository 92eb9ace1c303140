/** What the client sends; decoded messages add `raw`, the encoders take these shapes as they are. */

export type PreparedTarget = 'S' | 'P';

export type FrontendMessage =
  | {
      readonly kind: 'StartupMessage';
      readonly majorVersion: number;
      readonly minorVersion: number;
      /** In wire order; a repeated name keeps its last value, as PostgreSQL does. */
      readonly parameters: ReadonlyMap<string, string>;
    }
  | { readonly kind: 'SSLRequest' }
  | { readonly kind: 'GSSENCRequest' }
  /** The secret key is 4 bytes in protocol 3.0 and up to 256 bytes from protocol 3.2 (PostgreSQL 18). */
  | { readonly kind: 'CancelRequest'; readonly processId: number; readonly secretKey: Buffer }
  | {
      readonly kind: 'Bind';
      readonly portal: string;
      readonly statement: string;
      readonly parameterFormats: readonly number[];
      readonly parameters: readonly (Buffer | null)[];
      readonly resultFormats: readonly number[];
    }
  | { readonly kind: 'Close'; readonly target: PreparedTarget; readonly name: string }
  | { readonly kind: 'CopyData'; readonly data: Buffer }
  | { readonly kind: 'CopyDone' }
  | { readonly kind: 'CopyFail'; readonly message: string }
  | { readonly kind: 'Describe'; readonly target: PreparedTarget; readonly name: string }
  | { readonly kind: 'Execute'; readonly portal: string; readonly maxRows: number }
  | { readonly kind: 'Flush' }
  | {
      readonly kind: 'FunctionCall';
      readonly functionOid: number;
      readonly argumentFormats: readonly number[];
      readonly arguments: readonly (Buffer | null)[];
      readonly resultFormat: number;
    }
  | { readonly kind: 'Parse'; readonly statement: string; readonly query: string; readonly parameterTypes: readonly number[] }
  /**
   * 'p': PasswordMessage, SASLInitialResponse, SASLResponse or GSSResponse. Only the authentication
   * state tells them apart, so the decoder keeps the body and the session reads it with auth-response.ts.
   */
  | { readonly kind: 'AuthenticationResponse'; readonly body: Buffer }
  | { readonly kind: 'Query'; readonly sql: string }
  | { readonly kind: 'Sync' }
  | { readonly kind: 'Terminate' };

/** The four shapes of 'p' the encoder can build; they all decode back as AuthenticationResponse. */
export type AuthenticationResponseMessage =
  | { readonly kind: 'PasswordMessage'; readonly password: string }
  | { readonly kind: 'SASLInitialResponse'; readonly mechanism: string; readonly data: Buffer | null }
  | { readonly kind: 'SASLResponse'; readonly data: Buffer }
  | { readonly kind: 'GSSResponse'; readonly data: Buffer };

export type EncodableFrontendMessage = FrontendMessage | AuthenticationResponseMessage;

export type FrontendKind = FrontendMessage['kind'];

/** A decoded message: its fields plus the exact bytes it came in, for forwarding without re-encoding. */
export type DecodedFrontendMessage = FrontendMessage & { readonly raw: Buffer };
