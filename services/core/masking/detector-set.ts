import { TollgateError } from '../errors.js';
import { secretKvDetector } from './detector-secret-kv.js';
import { cardDetector, emailDetector, ibanDetector, ninoDetector, phoneDetector, ssnDetector } from './detectors-pii.js';
import {
  awsKeyIdDetector,
  awsSecretDetector,
  bearerDetector,
  githubTokenDetector,
  gitlabTokenDetector,
  googleApiKeyDetector,
  jwtDetector,
  npmTokenDetector,
  pemPrivateKeyDetector,
  slackTokenDetector,
  stripeKeyDetector,
  urlPasswordDetector,
} from './detectors-tokens.js';
import { buildView, emptyStats, statsOfString, toOriginal } from './text-view.js';
import type { TextView } from './text-view.js';
import type { Detector, DetectorId, Finding } from './types.js';

const registry: ReadonlyMap<DetectorId, Detector> = new Map(
  [
    emailDetector, cardDetector, ssnDetector, ninoDetector, ibanDetector, phoneDetector,
    awsKeyIdDetector, awsSecretDetector, githubTokenDetector, gitlabTokenDetector, npmTokenDetector, slackTokenDetector, stripeKeyDetector,
    googleApiKeyDetector, jwtDetector, pemPrivateKeyDetector, bearerDetector, urlPasswordDetector, secretKvDetector,
  ].map((d) => [d.id, d]),
);

const secretIds: DetectorId[] = [
  'aws-key-id', 'aws-secret', 'github-token', 'gitlab-token', 'npm-token', 'slack-token', 'stripe-key', 'google-api-key', 'jwt',
  'pem-private-key', 'bearer', 'url-password', 'secret-kv',
];

/** Group names accepted in configuration (services/core/config maskingDetectors) besides single ids. */
export const detectorGroups: Readonly<Record<string, readonly DetectorId[]>> = {
  'national-id': ['ssn', 'nino'],
  secret: secretIds,
  all: [...registry.keys()],
};

/** A compiled, ordered list of content detectors. */
export interface DetectorSet {
  readonly ids: readonly DetectorId[];
  readonly detectors: readonly Detector[];
}

/** Resolves detector ids and group names ("secret", "national-id", "all") into a set; unknown names are a config error. */
export function compileDetectors(names: readonly string[]): DetectorSet {
  const ids = new Set<DetectorId>();
  const unknown: string[] = [];
  for (const name of names) {
    const group = detectorGroups[name];
    if (group !== undefined) group.forEach((id) => ids.add(id));
    else if (registry.has(name as DetectorId)) ids.add(name as DetectorId);
    else unknown.push(name);
  }
  if (unknown.length > 0) {
    const known = [...Object.keys(detectorGroups), ...registry.keys()].join(', ');
    throw new TollgateError('TG_ERR_CONFIG', `unknown masking detector(s) ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${known}`);
  }
  const list = [...ids];
  return { ids: list, detectors: list.map((id) => registry.get(id)!) };
}

/** Text after masking, with the replaced spans in the input's coordinates. */
export interface TextMaskResult {
  readonly text: string;
  readonly findings: readonly Finding[];
}

const noFindings: readonly Finding[] = Object.freeze([]);
const stats = emptyStats();

/** Runs the gated detectors over a view; findings are in view coordinates, unsorted. */
export function detect(view: TextView, set: DetectorSet, statsReady = false): Finding[] {
  if (!statsReady) statsOfString(view.text, stats);
  const raw: Finding[] = [];
  for (const d of set.detectors) if (d.gate(stats)) d.scan(view.text, raw);
  return raw;
}

/** Sorts and merges overlapping findings; a merged span keeps the earliest detector's id. */
export function mergeFindings(raw: Finding[]): Finding[] {
  if (raw.length <= 1) return raw;
  raw.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Finding[] = [];
  let cur = raw[0]!;
  for (let k = 1; k < raw.length; k++) {
    const f = raw[k]!;
    if (f.start < cur.end) {
      if (f.end > cur.end) cur = { detector: cur.detector, start: cur.start, end: f.end };
    } else {
      merged.push(cur);
      cur = f;
    }
  }
  merged.push(cur);
  return merged;
}

function placeholderFor(view: TextView, f: Finding, exact: boolean): string {
  const d = registry.get(f.detector)!;
  return exact ? d.placeholder(view.text.slice(f.start, f.end)) : `[REDACTED:${f.detector}]`;
}

/** Replaces merged view findings in the original text; returns the text and original-coordinate findings. */
export function applyFindings(original: string, view: TextView, raw: Finding[]): TextMaskResult {
  const rawSpans = new Set(raw.map((f) => `${f.start}:${f.end}`));
  const merged = mergeFindings(raw);
  const findings: Finding[] = [];
  let out = '';
  let pos = 0;
  for (const f of merged) {
    const [s, e] = toOriginal(view, f.start, f.end);
    out += original.slice(pos, s) + placeholderFor(view, f, rawSpans.has(`${f.start}:${f.end}`));
    pos = e;
    findings.push({ detector: f.detector, start: s, end: e });
  }
  return { text: out + original.slice(pos), findings };
}

/** Masks every detector match in a text; the common no-match case costs one counting pass. */
export function maskText(text: string, set: DetectorSet): TextMaskResult {
  const needsView = statsOfString(text, stats);
  if (!needsView) {
    let any = false;
    for (const d of set.detectors) if (d.gate(stats)) any = true;
    if (!any) return { text, findings: noFindings };
  }
  const view = buildView(text, needsView);
  const raw = detect(view, set, !needsView);
  if (raw.length === 0) return { text, findings: noFindings };
  return applyFindings(text, view, raw);
}
