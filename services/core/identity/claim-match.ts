import type { ClaimMatcherConfig } from '../config/index.js';

/** A compiled test over one claim's value. */
export type ClaimTest = (value: unknown) => boolean;

const REGEX_SPECIAL = /[.+?^${}()|[\]\\]/g;

/**
 * Compiles a glob to an anchored RegExp: `*` matches within one path segment (not "/"), `**`
 * matches anything. Segment-bound `*` matters for user-controlled claims like GitHub's ref:
 * "refs/heads/release-*" must not match "refs/heads/release-x/../main".
 */
export function compileGlob(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? '';
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        source += '[\\s\\S]*';
        i++;
      } else {
        source += '[^/]*';
      }
    } else {
      source += ch.replace(REGEX_SPECIAL, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** A string is a glob pattern only if it contains "*"; otherwise compare exactly (cheaper, clearer). */
function stringTest(pattern: string): (value: string) => boolean {
  if (!pattern.includes('*')) return (value) => value === pattern;
  const re = compileGlob(pattern);
  return (value) => re.test(value);
}

type Scalar = string | number | boolean;

function scalarTest(expected: Scalar): ClaimTest {
  if (typeof expected === 'string') {
    const test = stringTest(expected);
    // Only a string claim can match a string pattern: no coercion of numbers, arrays or objects.
    return (value) => typeof value === 'string' && test(value);
  }
  return (value) => value === expected;
}

/**
 * Compiles one claim constraint:
 * - "glob" / number / boolean: the claim is that scalar type and matches;
 * - [a, b]: the claim is a scalar matching any entry;
 * - { contains: x | [x, y] }: the claim is an array with a string element matching any entry.
 * Arrays never match scalar patterns, so `groups: "admin"` is not `groups: ["admin"]`.
 */
export function compileClaimTest(matcher: ClaimMatcherConfig): ClaimTest {
  if (Array.isArray(matcher)) {
    const tests = matcher.map(scalarTest);
    return (value) => tests.some((t) => t(value));
  }
  if (typeof matcher === 'object') {
    const wanted = Array.isArray(matcher.contains) ? matcher.contains : [matcher.contains];
    const tests = wanted.map(stringTest);
    return (value) => Array.isArray(value) && value.some((v) => typeof v === 'string' && tests.some((t) => t(v)));
  }
  return scalarTest(matcher);
}

/** Reads a top-level claim the token itself carries; inherited names like "constructor" are absent. */
export function ownClaim(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

/** Compiles "every listed claim must match" into one predicate over a claims object. */
export function compileClaimConstraints(constraints: Readonly<Record<string, ClaimMatcherConfig>>): (claims: Readonly<Record<string, unknown>>) => boolean {
  const entries = Object.entries(constraints).map(([name, m]) => [name, compileClaimTest(m)] as const);
  if (entries.length === 0) return () => true;
  return (claims) => entries.every(([name, test]) => Object.hasOwn(claims, name) && test(claims[name]));
}

/** The string members of an array-valued claim; any other shape yields no groups. */
export function groupsFrom(claims: Readonly<Record<string, unknown>>, claimName: string): string[] {
  const value = ownClaim(claims, claimName);
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string');
}
