/** The world model's fixed defaults, in one place (documented in the README). */

import { EVENT_MODEL, OTHER_PEN_SPEED_KMH, PEN_SPEED_KMH } from './world/events.ts';
import { DNF_SHARE } from './world/results.ts';
import { FIELD_CATEGORY_SHARES, TEAM_CATEGORY_SHARES } from './world/riders.ts';
import { FIELD_SIGNUPS, PEN_SHARES } from './world/signups.ts';
import { TEAM_MODEL } from './world/team.ts';
import { FEED_HORIZON_MS, HISTORY_MS } from './world/world.ts';

/**
 * Fixed distributions of the simulated world. They are exported for reading (tests, reports):
 * tests and benchmarks must not be made easier by changing them, so there is no option to.
 */
export const WORLD_MODEL = deepFreeze({
  teamCategoryShares: TEAM_CATEGORY_SHARES,
  fieldCategoryShares: FIELD_CATEGORY_SHARES,
  fieldSignups: FIELD_SIGNUPS,
  penShares: PEN_SHARES,
  team: TEAM_MODEL,
  dnfShare: DNF_SHARE,
  penSpeedKmh: PEN_SPEED_KMH,
  otherPenSpeedKmh: OTHER_PEN_SPEED_KMH,
  feedHorizonMs: FEED_HORIZON_MS,
  historyMs: HISTORY_MS,
  events: EVENT_MODEL,
  zwiftFeed: { maxEvents: 200, horizonHours: [12, 18] as const },
  seriesCount: 60,
  favouriteSeries: 12,
});

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
