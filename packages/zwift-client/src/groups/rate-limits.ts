import type { ClientContext } from '../context.ts';
import { ConfigError } from '../errors/config-error.ts';
import { BUCKET_NAMES, type BucketName, ZWIFT_ACCOUNT_BUCKETS } from '../rate-limit/table.ts';
import type { BucketSpec, BucketState } from '../rate-limit/types.ts';

/** `rateLimits` group: lets a scheduler plan within the budget. */
export interface RateLimitsGroup {
  /**
   * Current state of a bucket for this client's key — or Zwift account, for `zwift-auth`,
   * `zwift-search` and `zwift-entrants` (read-only; takes no token). A bucket without its
   * credential → `ConfigError` naming `apiKey` or `zwiftAuth`.
   */
  state(bucket: BucketName): Promise<BucketState & { bucket: BucketName }>;
  /** The limits in force for this client (tier applied, `limits` overrides merged). */
  readonly table: Readonly<Record<BucketName, Readonly<BucketSpec>>>;
}

export function createRateLimitsGroup(ctx: ClientContext): RateLimitsGroup {
  return {
    async state(bucket) {
      if (!BUCKET_NAMES.includes(bucket)) {
        throw new ConfigError('bucket', `unknown bucket "${String(bucket)}"`, 'rateLimits.state');
      }
      const key = ctx.storeKeys[bucket];
      if (key === null) {
        const option = ZWIFT_ACCOUNT_BUCKETS.has(bucket) ? 'zwiftAuth' : 'apiKey';
        throw new ConfigError(option, `is required for the "${bucket}" bucket`, 'rateLimits.state');
      }
      const state = await ctx.store.peek(key, ctx.specs[bucket], ctx.clock.now());
      return { bucket, ...state };
    },
    table: ctx.specs,
  };
}
