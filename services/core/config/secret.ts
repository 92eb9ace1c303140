import { inspect } from 'node:util';
import { z } from 'zod';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A secret read from an environment variable at load time. It prints as a placeholder in logs,
 * JSON and util.inspect so a logged config never carries a password; call reveal() at the one
 * place that hands it to a client library.
 */
export class Secret {
  readonly env: string;
  #value: string | undefined;

  constructor(env: string, value?: string) {
    this.env = env;
    this.#value = value;
  }

  /** The secret's value; throws if the config loader never resolved it. */
  reveal(): string {
    if (this.#value === undefined) throw new Error(`secret from $${this.env} was never resolved`);
    return this.#value;
  }

  /** Reads the variable; returns false when it is unset or empty. */
  resolve(env: Readonly<Record<string, string | undefined>>): boolean {
    const value = Object.hasOwn(env, this.env) ? env[this.env] : undefined;
    if (value === undefined || value === '') return false;
    this.#value = value;
    return true;
  }

  toString(): string {
    return `[secret $${this.env}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

const envRef = z.strictObject({ env: z.string().regex(ENV_NAME, 'expected an environment variable name') });

/**
 * A secret reference, `{ env: NAME }`. Inline strings are rejected: config files get committed,
 * pasted into tickets and printed by `config show`, and a secret in one is already leaked. The
 * object form (rather than "${env:NAME}" interpolation) keeps the rule checkable by the schema
 * and cannot be confused with a password that happens to contain "${".
 */
export const secretRef = z.unknown().transform((value, ctx) => {
  if (typeof value === 'string') {
    ctx.addIssue({
      code: 'custom',
      message: 'inline secrets are not allowed: write { env: VARIABLE_NAME } and set that variable in the environment',
    });
    return z.NEVER;
  }
  const parsed = envRef.safeParse(value);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: 'expected a secret reference { env: VARIABLE_NAME }' });
    return z.NEVER;
  }
  return new Secret(parsed.data.env);
});

export interface SecretProblem {
  path: string;
  env: string;
}

/** Resolves every Secret in a parsed config in place, returning the ones whose variable is unset. */
export function resolveSecrets(root: unknown, env: Readonly<Record<string, string | undefined>>): SecretProblem[] {
  const problems: SecretProblem[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node instanceof Secret) {
      if (!node.resolve(env)) problems.push({ path, env: node.env });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}.${i}`));
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child, path === '' ? key : `${path}.${key}`);
    }
  };
  walk(root, '');
  return problems;
}
