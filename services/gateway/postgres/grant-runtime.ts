import { builtinGuardrailProfilesOf, type TollgateConfig } from '../../core/config/index.js';
import { TollgateError } from '../../core/errors.js';
import { compileMaskingProfile, type MaskingPlan, type MaskingProfile } from '../../core/masking/index.js';
import type { Grant } from '../../core/policy/index.js';
import { compileGuardrails, PROFILE_NAMES, type CompiledGuardrails, type ProfileName } from './guardrails/index.js';

/** What a grant compiles to for a PostgreSQL session; shared by every session with the same grant. */
export interface CompiledGrant {
  /** Enforced profiles (undefined: nothing to enforce). */
  readonly enforce: CompiledGuardrails | undefined;
  /** Profiles configured with `mode: observe`: recorded, never blocking. */
  readonly observe: CompiledGuardrails | undefined;
  /** One plan for the union of the grant's masking profiles; undefined means rows pass untouched. */
  readonly masking: MaskingPlan | undefined;
  /** Whether the upstream session opens with default_transaction_read_only=on. */
  readonly readOnly: boolean;
}

/**
 * A custom guardrail profile for PostgreSQL, as written under `guardrails.<name>` in the config:
 * `{ protocol: postgres, profiles: [read-only], rules: [...], mode: observe }`. Profiles for other
 * protocols are ignored here.
 */
interface CustomProfile {
  protocol?: string;
  profiles?: unknown;
  rules?: unknown;
  mode?: unknown;
}

const BUILTIN = new Set<string>(PROFILE_NAMES);
/** Built-in profiles of other gateways: a grant over several protocols carries them; they mean nothing here. */
const OTHER_PROTOCOL_BUILTINS = new Set<string>(builtinGuardrailProfilesOf.ssh);

/** Compiles grants once per distinct (guardrails, masking) combination. */
export class GrantCompiler {
  private readonly cache = new Map<string, CompiledGrant>();

  constructor(private readonly config: Pick<TollgateConfig, 'guardrails' | 'masking' | 'maskingHashKey'>) {}

  /** The compiled form of a grant; throws TG_ERR_CONFIG for a profile that cannot be compiled. */
  compile(grant: Grant): CompiledGrant {
    const key = `${grant.guardrails.join(',')}|${grant.masking.join(',')}`;
    let compiled = this.cache.get(key);
    if (compiled === undefined) {
      compiled = this.build(grant);
      this.cache.set(key, compiled);
    }
    return compiled;
  }

  private build(grant: Grant): CompiledGrant {
    const enforce = { profiles: new Set<ProfileName>(), rules: [] as unknown[] };
    const observe = { profiles: new Set<ProfileName>(), rules: [] as unknown[] };
    for (const name of grant.guardrails) {
      if (BUILTIN.has(name) && this.config.guardrails[name] === undefined) {
        enforce.profiles.add(name as ProfileName);
        continue;
      }
      const custom = this.config.guardrails[name] as CustomProfile | undefined;
      if (custom === undefined && OTHER_PROTOCOL_BUILTINS.has(name)) continue;
      if (custom === undefined) throw new TollgateError('TG_ERR_CONFIG', `guardrail profile "${name}" is not defined`);
      if (custom.protocol !== undefined && custom.protocol !== 'postgres') continue;
      const into = custom.mode === 'observe' ? observe : enforce;
      for (const p of Array.isArray(custom.profiles) ? (custom.profiles as unknown[]) : []) {
        if (typeof p !== 'string' || !BUILTIN.has(p)) throw new TollgateError('TG_ERR_CONFIG', `guardrail profile "${name}" names unknown built-in profile ${JSON.stringify(p)}`);
        into.profiles.add(p as ProfileName);
      }
      if (Array.isArray(custom.rules)) into.rules.push(...(custom.rules as unknown[]));
    }
    const compileSet = (s: typeof enforce, mode: 'enforce' | 'observe') =>
      s.profiles.size === 0 && s.rules.length === 0 ? undefined : compileGuardrails([...s.profiles], s.rules, { mode });
    return {
      enforce: compileSet(enforce, 'enforce'),
      observe: compileSet(observe, 'observe'),
      masking: this.maskingPlan(grant.masking),
      readOnly: enforce.profiles.has('read-only'),
    };
  }

  private maskingPlan(names: readonly string[]): MaskingPlan | undefined {
    if (names.length === 0) return undefined;
    const merged: { columns: NonNullable<MaskingProfile['columns']>[number][]; detectors: string[] } = { columns: [], detectors: [] };
    for (const name of names) {
      const profile = this.config.masking[name] as MaskingProfile | undefined;
      if (profile === undefined) throw new TollgateError('TG_ERR_CONFIG', `masking profile "${name}" is not defined`);
      merged.columns.push(...(profile.columns ?? []));
      merged.detectors.push(...(profile.detectors ?? []));
    }
    return compileMaskingProfile(merged, { hashKey: this.config.maskingHashKey?.reveal() });
  }
}
