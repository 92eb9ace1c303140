/** Stable detector ids: they appear in findings, events and configuration, so never rename one. */
export const detectorIds = [
  'email',
  'card',
  'ssn',
  'nino',
  'iban',
  'phone',
  'aws-key-id',
  'aws-secret',
  'github-token',
  'gitlab-token',
  'npm-token',
  'slack-token',
  'stripe-key',
  'google-api-key',
  'jwt',
  'pem-private-key',
  'bearer',
  'url-password',
  'secret-kv',
] as const;
export type DetectorId = (typeof detectorIds)[number];

/** A match in the caller's coordinates: UTF-16 offsets into the text it passed (or bytes for maskBytes). */
export interface Finding {
  readonly detector: DetectorId;
  readonly start: number;
  readonly end: number;
}

/**
 * One pass of cheap counts over a text, shared by every detector's gate so the common case (nothing
 * sensitive) costs one loop and no regex.
 */
export interface TextStats {
  length: number;
  digits: number;
  upper: number;
  at: number;
  percent: number;
  dots: number;
  dashes: number;
  underscores: number;
  equals: number;
  colons: number;
  spaces: number;
  plus: number;
}

/** A content detector: pure, compiled once, reports spans in the normalised text it is given. */
export interface Detector {
  readonly id: DetectorId;
  /** True when the text could hold a match; false must be certain (it skips the scan). */
  readonly gate: (stats: TextStats) => boolean;
  /** Appends findings in the given text's coordinates; must run in time linear in text length. */
  readonly scan: (text: string, out: Finding[]) => void;
  /** The replacement for one match; must never contain enough of the match to rebuild it. */
  readonly placeholder: (match: string) => string;
}

/** Where a value came from; the gateway resolves aliases to the real table and column first. */
export interface ColumnRef {
  readonly schema?: string | undefined;
  readonly table?: string | undefined;
  readonly name: string;
  /** PostgreSQL result format: binary values are never spliced, only replaced whole or withheld. */
  readonly format?: 'text' | 'binary' | undefined;
}

export type ColumnAction = 'redact' | 'partial' | 'hash' | 'null' | 'email';

/** How a value left the masker: its new content (same kind as the input; null is SQL NULL). */
export interface MaskResult<T extends string | Buffer> {
  readonly value: T | null;
  /** False when the value is the very input, untouched. */
  readonly changed: boolean;
  /** True when the value could not be masked and was replaced whole (fail closed). */
  readonly withheld: boolean;
  /** The column rule applied, if any. */
  readonly action: ColumnAction | undefined;
  readonly findings: readonly Finding[];
}
