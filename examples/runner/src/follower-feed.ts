/**
 * The follower feed in the runners: ZWIFT_USERNAME + ZWIFT_PASSWORD (with a real API key) give the
 * client a Zwift account and switch the engine's `followerFeed` on. The credentials go to the
 * client only; they are never printed (the runners' output redacts them too).
 */
import type { ZwiftClientOptions } from '@racesync/zwift-client';
import type { RunnerConfig } from './env.ts';

/** The client options for the configured Zwift account (none without one). */
export function zwiftAuthOf(
  config: RunnerConfig,
): Pick<ZwiftClientOptions, 'zwiftAuth' | 'zwiftAuthBaseUrl'> {
  if (!config.zwift) return {};
  return {
    zwiftAuth: { username: config.zwift.username, password: config.zwift.password },
    ...(config.zwift.authBaseUrl ? { zwiftAuthBaseUrl: config.zwift.authBaseUrl } : {}),
  };
}

/** One start-up line saying which signup source runs (no credential in it). */
export function followerFeedLine(config: RunnerConfig): string {
  return config.zwift
    ? "racesync: follower feed on (ZWIFT_USERNAME/ZWIFT_PASSWORD): signups come from Zwift's events feed of the riders the account follows (Zwift's unofficial API), with a site-list safety net; if the credentials fail, the site planner takes over (logged loudly)"
    : 'racesync: follower feed off (no ZWIFT_USERNAME/ZWIFT_PASSWORD): signups come from the ZwiftRacing site lists';
}
