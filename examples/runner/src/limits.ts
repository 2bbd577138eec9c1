import { type BucketName, type BucketSpec, RATE_LIMITS } from '@racesync/zwift-client';

/** The upstream's published (or self-imposed) limits of a tier. */
export function limitsOf(tier: 'standard' | 'premium'): Record<BucketName, BucketSpec> {
  const out = {} as Record<BucketName, BucketSpec>;
  for (const [bucket, tiers] of Object.entries(RATE_LIMITS) as [
    BucketName,
    (typeof RATE_LIMITS)[BucketName],
  ][]) {
    out[bucket] = { ...tiers[tier] };
  }
  return out;
}
