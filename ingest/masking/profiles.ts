import { compileMaskingProfile, type MaskingPlan, type MaskingProfile } from '../../services/core/masking/index.js';
import { TollgateError } from '../../services/core/errors.js';

/** How ingest picks the masking applied at rest to a session's recorded payloads. */
export interface AtRestMaskingOptions {
  /** Profiles by name (the configuration's `masking` section, built-ins included). */
  profiles: Readonly<Record<string, MaskingProfile>>;
  /** Connection name -> profile name; connections not listed use `defaultProfile`. */
  byConnection?: Readonly<Record<string, string>>;
  /** Profile for connections without their own; default "pii" (every detector). */
  defaultProfile?: string;
  /** HMAC key for `hash` column rules. */
  hashKey?: Buffer | string;
}

/** Every detector: what applies when nothing else is configured, so nothing is stored unmasked. */
const FALLBACK: MaskingProfile = { detectors: ['all'], columns: [] };

/**
 * Resolves and caches the plan of each (connection, grant profiles) pair. The plan is the union of
 * the connection's profile and the profiles the session's grant named, so at-rest masking is never
 * weaker than what the gateway applied inline.
 */
export class MaskingPlans {
  private readonly cache = new Map<string, MaskingPlan>();

  constructor(private readonly options: AtRestMaskingOptions) {
    const configured = [options.defaultProfile ?? 'pii', ...Object.values(options.byConnection ?? {})];
    for (const name of configured) {
      if (name !== 'pii' && options.profiles[name] === undefined) {
        throw new TollgateError('TG_ERR_CONFIG', `masking profile "${name}" named by ingest.maskingByConnection or ingest.defaultMaskingProfile is not defined under masking:`);
      }
    }
  }

  /** The plan for a session of `connection` whose grant named `grantProfiles`. */
  planFor(connection: string, grantProfiles: readonly string[]): MaskingPlan {
    const names = [this.options.byConnection?.[connection] ?? this.options.defaultProfile ?? 'pii', ...grantProfiles];
    const key = [...new Set(names)].sort().join('\u0000');
    let plan = this.cache.get(key);
    if (plan === undefined) {
      plan = compileMaskingProfile(this.merge(key.split('\u0000')), this.options.hashKey === undefined ? {} : { hashKey: this.options.hashKey });
      this.cache.set(key, plan);
    }
    return plan;
  }

  /** The plan for frames whose session is unknown (no session.start seen): every detector. */
  fallback(): MaskingPlan {
    return this.planFor('\u0000unknown', []);
  }

  private merge(names: readonly string[]): MaskingProfile {
    const columns: NonNullable<MaskingProfile['columns']>[number][] = [];
    const detectors: string[] = [];
    for (const name of names) {
      // A name recorded by a gateway but unknown here (another configuration, a removed profile)
      // must neither weaken masking nor stop ingest: every detector applies instead.
      const p = this.options.profiles[name] ?? FALLBACK;
      columns.push(...(p.columns ?? []));
      detectors.push(...(p.detectors ?? []));
    }
    if (detectors.length === 0 && columns.length === 0) detectors.push('all');
    return { columns, detectors: [...new Set(detectors)] };
  }
}
