import { eachMatch } from './each-match.js';
import type { Detector, DetectorId, Finding } from './types.js';

// Every pattern opens with a negative lookbehind on its own run class, so a long run of token
// characters is tried from one start only: that keeps each scan linear (no ReDoS on "eyJeyJeyJ…").

const redacted = (id: DetectorId) => (): string => `[REDACTED:${id}]`;

function regexDetector(id: DetectorId, pattern: RegExp, gate: Detector['gate']): Detector {
  return {
    id,
    gate,
    scan(text, out) {
      eachMatch(pattern, text, (m) => {
        out.push({ detector: id, start: m.index, end: m.index + m[0].length });
      });
    },
    placeholder: redacted(id),
  };
}

const awsKeyIdPattern = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;

export const awsKeyIdDetector = regexDetector('aws-key-id', awsKeyIdPattern, (s) => s.upper >= 4 && s.length >= 20);

const awsSecretCandidate = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const awsContextLabel = /aws|secret/gi;
const awsKeyIdAnywhere = /(?:AKIA|ASIA)[A-Z0-9]{16}/g;

/** Index of the last sorted position <= at, or -1. */
function lastAtOrBefore(sorted: readonly number[], at: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function within(sorted: readonly number[], from: number, to: number): boolean {
  const k = lastAtOrBefore(sorted, to);
  return k !== -1 && sorted[k]! >= from;
}

/**
 * AWS secret access keys are 40 characters of base64 with no prefix, so alone they look like any
 * hash. Heuristic: mixed-case 40-character runs within 512 characters of a key id, or within 96
 * characters after the word "aws" or "secret". Pure hex (git SHAs) never qualifies.
 */
function scanAwsSecret(text: string, out: Finding[]): void {
  const anchors: number[] = [];
  eachMatch(awsKeyIdAnywhere, text, (m) => {
    anchors.push(m.index);
  });
  const labels: number[] = [];
  eachMatch(awsContextLabel, text, (m) => {
    labels.push(m.index);
  });
  if (anchors.length === 0 && labels.length === 0) return;
  eachMatch(awsSecretCandidate, text, (m) => {
    const v = m[0];
    if (!/[a-z]/.test(v) || !/[A-Z]/.test(v) || /^[0-9a-fA-F]+$/.test(v)) return;
    if (!within(labels, m.index - 96, m.index - 1) && !within(anchors, m.index - 512, m.index + 512)) return;
    out.push({ detector: 'aws-secret', start: m.index, end: m.index + 40 });
  });
}

export const awsSecretDetector: Detector = {
  id: 'aws-secret',
  gate: (s) => s.length >= 40 && s.upper >= 3,
  scan: scanAwsSecret,
  placeholder: redacted('aws-secret'),
};

export const githubTokenDetector = regexDetector(
  'github-token',
  /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{20,251}|github_pat_[A-Za-z0-9_]{20,244})/g,
  (s) => s.underscores >= 1 && s.length >= 24,
);

export const gitlabTokenDetector = regexDetector(
  'gitlab-token',
  /(?<![A-Za-z0-9_-])gl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_-]{20,250}/g,
  (s) => s.dashes >= 1 && s.length >= 25,
);

export const npmTokenDetector = regexDetector('npm-token', /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g, (s) => s.underscores >= 1 && s.length >= 40);

export const slackTokenDetector = regexDetector(
  'slack-token',
  /(?<![A-Za-z0-9-])(?:xox[abeoprs]-|xapp-)[A-Za-z0-9-]{10,250}/g,
  (s) => s.dashes >= 1 && s.length >= 15,
);

export const stripeKeyDetector = regexDetector(
  'stripe-key',
  /(?<![A-Za-z0-9_])(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{20,250})/g,
  (s) => s.underscores >= 1 && s.length >= 18,
);

export const googleApiKeyDetector = regexDetector(
  'google-api-key',
  /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}/g,
  (s) => s.upper >= 2 && s.length >= 39,
);

// Header and claims segments of a JWS, or up to five segments of a JWE; the signature may be empty
// (alg "none" tokens still carry claims).
export const jwtDetector = regexDetector(
  'jwt',
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){1,3}/g,
  (s) => s.dots >= 2 && s.upper >= 1 && s.length >= 10,
);

// Sticky: tried exactly at each '-----BEGIN', never searched forward from it (that would be quadratic).
const pemBegin = /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/y;
const pemEnd = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;

/** Private key blocks, BEGIN through END; an unterminated block runs to the end of the text (fail closed). */
function scanPem(text: string, out: Finding[]): void {
  let from = 0;
  for (;;) {
    const b = text.indexOf('-----BEGIN', from);
    if (b === -1) return;
    pemBegin.lastIndex = b;
    const begin = pemBegin.exec(text);
    if (begin === null) {
      from = b + 10;
      continue;
    }
    pemEnd.lastIndex = b + begin[0].length;
    const end = pemEnd.exec(text);
    const e = end === null ? text.length : end.index + end[0].length;
    out.push({ detector: 'pem-private-key', start: b, end: e });
    if (end === null) return;
    from = e;
  }
}

export const pemPrivateKeyDetector: Detector = {
  id: 'pem-private-key',
  gate: (s) => s.dashes >= 10,
  scan: scanPem,
  placeholder: redacted('pem-private-key'),
};

const bearerPattern = /(?<![A-Za-z0-9_])(?:bearer|basic)[ \t]+([A-Za-z0-9._~+/-]{8,}=*)/gi;

/** Credentials after an HTTP auth scheme (curl -H, logged headers); only the credential is replaced. */
export const bearerDetector: Detector = {
  id: 'bearer',
  gate: (s) => s.spaces >= 1 && s.length >= 14,
  scan(text, out) {
    eachMatch(bearerPattern, text, (m) => {
      const end = m.index + m[0].length;
      out.push({ detector: 'bearer', start: end - m[1]!.length, end });
    });
  },
  placeholder: redacted('bearer'),
};

// The password of scheme://user:password@host; greedy up to the last '@' before the path.
const urlPasswordPattern = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s/:@]{0,256}:([^\s/]{1,256})@/g;

export const urlPasswordDetector: Detector = {
  id: 'url-password',
  gate: (s) => s.colons >= 2 && s.at >= 1,
  scan(text, out) {
    eachMatch(urlPasswordPattern, text, (m) => {
      const end = m.index + m[0].length - 1;
      out.push({ detector: 'url-password', start: end - m[1]!.length, end });
    });
  },
  placeholder: redacted('url-password'),
};
