const MIN = 60_000;
const HOUR = 60 * MIN;

/** One band of the signup TTL table: events starting within `maxTimeToStartMs` use `ttlMs`. */
export interface TtlBand {
  maxTimeToStartMs: number;
  ttlMs: number;
}

/** How the adaptive engine spends its calls. Every field has a default; pass only what you change. */
export interface SyncPolicy {
  team: {
    /**
     * How often a club's member list is refreshed (the clubs bucket allows 1/h on standard).
     * @default 21_600_000 (6 h)
     */
    clubIntervalMs: number;
  };
  riders: {
    /**
     * Regular refresh of all team riders (one bulk call per 1000 riders).
     * @default 3_600_000 (60 min)
     */
    intervalMs: number;
    /**
     * Extra run this long after team results land, since ratings move then.
     * @default 120_000 (2 min)
     */
    afterResultsDelayMs: number;
    /**
     * Dotted paths left out of the hash (they change without a real change).
     * @default ['race.max30.expires', 'race.max90.expires']
     */
    volatilePaths: string[];
  };
  events: {
    /**
     * How often the upcoming-events list is fetched (one call; its counts are the change signal).
     * @default 240_000 (4 min)
     */
    listIntervalMs: number;
    /**
     * Mark stored upcoming events missing from a complete list as removed.
     * @default true
     */
    markRemoved: boolean;
    /**
     * While more signup lists are due than the budget allows, runs are at least this far apart.
     * @default 15_000 (15 s)
     */
    minRunGapMs: number;
  };
  signups: {
    /**
     * Freshness target for races a team rider is signed up for (withdrawals, teammates joining), by
     * time to start.
     * @default <6 h: 5 min, <12 h: 15 min, <24 h: 30 min, beyond: 60 min
     */
    ttl: TtlBand[];
    /**
     * Refetch interval for events without known team relevance starting within `nearWindowMs`,
     * whatever their counts do (the team may join any race).
     * @default 360_000 (6 min)
     */
    nearSweepMs: number;
    /**
     * The near sweep of races of series the team rides (learned from its signups): most team
     * signups land there, so they are swept more often.
     * @default 360_000 (6 min)
     */
    nearFavouriteSweepMs: number;
    /**
     * When the feed's counts did not move since the last fetch, nothing can have changed short of a
     * join and a leave in one pen, so the refetch waits this many intervals.
     * @default 6
     */
    unchangedCountsFactor: number;
    /**
     * The "near" window before a start.
     * @default 21_600_000 (6 h)
     */
    nearWindowMs: number;
    /**
     * Beyond the near window, events without team relevance are fetched only when their signup
     * counts moved since the last fetch, at most once per this interval, and not before they start
     * within `farFirstLeadMs`.
     * @default 86_400_000 (24 h)
     */
    farChangedMinIntervalMs: number;
    /**
     * Events of series the team does not ride are first fetched (beyond the near window) once they
     * start within this; series the team rides from `horizonMs` on.
     * @default 86_400_000 (24 h)
     */
    farFirstLeadMs: number;
    /**
     * The same for series the team rides (most long-lead team signups land there).
     * @default 21_600_000 (6 h)
     */
    farFavouriteMinIntervalMs: number;
    /**
     * Signup lists of events starting later than this are not fetched (teams sign up within two days).
     * @default 172_800_000 (48 h)
     */
    horizonMs: number;
    /**
     * Every event is fetched once more in this last stretch before its start (a team rider who
     * joins late is never missed).
     * @default 240_000 (4 min)
     */
    finalSweepLeadMs: number;
    /**
     * A series (events with the same title pattern) counts as team-relevant once it drew at least
     * this many team signups (decayed with `seriesHalfLifeMs`)…
     * @default 2
     */
    seriesMinSignups: number;
    /**
     * …and at least this share of all the team's signups.
     * @default 0.02
     */
    seriesMinShare: number;
    /**
     * Half-life of a series' team-signup score.
     * @default 1_209_600_000 (14 days)
     */
    seriesHalfLifeMs: number;
    /**
     * Learn when the team races (hour of the day and weekday of a race's start, UTC, from the races
     * that started with and without team riders; half-life `seriesHalfLifeMs`) and sweep races at
     * times the team rides significantly less often than average less often, like races few team
     * riders can enter (at most 4× the sweep, with the pens' share). With the follower feed, its
     * near search (`followerFeed.nearPollMs`) is stretched by the mean share of the races in its
     * window, while none has team riders in it. Until the history shows a
     * pattern with confidence (weeks on a small team), nothing changes. Final sweeps are unaffected.
     * @default true
     */
    learnStartTimes: boolean;
    /**
     * Learn how long before a start the team signs up to races nobody on the team is in yet (per
     * hour of lead over the near window, from the races the near sweep found, against how long races
     * were watched at each lead; half-life `seriesHalfLifeMs`) and sweep races less often at leads
     * at which the team signs up significantly less often than average (a team that signs up in
     * the last hour: its races 1–6 h out). A sweep is never stretched past a lead the team signs
     * up at. Until the history shows a pattern with confidence, nothing changes. Final sweeps are
     * unaffected.
     * @default true
     */
    learnSignupLeads: boolean;
    /**
     * Share of the site budget the signup planner may use, leaving room for the list.
     * @default 0.9
     */
    siteBudgetShare: number;
    /**
     * Far fetches (races beyond the near window) may use at most this share of the site budget in
     * any window of the bucket, so a cold start spreads its first pass over time instead of taking
     * the whole budget, and never crowds out the near, team and final sweeps.
     * @default 0.3
     */
    farBudgetShare: number;
    /**
     * Entries of the in-memory cache in front of the persisted signup checks.
     * @default 5000
     */
    cacheSize: number;
  };
  followerFeed: {
    /**
     * Only with the engine's `followerFeed` option. How often Zwift's event search is polled for
     * the races starting within `nearWindowMs` (one call: the account's followee counts of every
     * pen). A team rider's join or leave is seen within this long, plus one entrants call. While
     * the races in the window start at times the team significantly rarely rides (learned with
     * `signups.learnStartTimes`) and none has team riders in it, the wait is stretched by
     * 1/√(their mean share), at most 4×.
     * @default 150_000 (2.5 min)
     */
    nearPollMs: number;
    /**
     * The window searched every `nearPollMs` (races starting within it); the rest of the signup
     * horizon is searched every `farPollMs`.
     * @default 21_600_000 (6 h)
     */
    nearWindowMs: number;
    /**
     * How often the rest of the signup horizon (`signups.horizonMs`) beyond the near window is
     * searched (a few calls: 200 events per answer).
     * @default 3_600_000 (60 min)
     */
    farPollMs: number;
    /**
     * While the feed works, how often the site's upcoming-events list is fetched (it stores the
     * races; the feed's counts are the signup signal).
     * @default 1_800_000 (30 min)
     */
    listIntervalMs: number;
    /**
     * The feed counts as down when no near search succeeded for this long (plus what a stretched
     * near search waits beyond `nearPollMs`): the site planner then covers every race as it does
     * without a feed, until a search succeeds again.
     * @default 600_000 (10 min)
     */
    staleAfterMs: number;
    /**
     * After the Zwift credentials fail (locked account, wrong password, token refused), the feed
     * is retried after this long, doubling up to `retryMaxMs`; the site planner covers meanwhile.
     * @default 900_000 (15 min)
     */
    retryAfterMs: number;
    /**
     * Longest wait between retries of failed credentials.
     * @default 14_400_000 (4 h)
     */
    retryMaxMs: number;
  };
  results: {
    /**
     * Race speed by pen for the completion estimate; the slowest listed pen sets the race length.
     * Slightly above typical speeds, so the first attempt is never late.
     * @default { A: 44, B: 41, C: 38, D: 35, E: 32 } (km/h)
     */
    penSpeedKmh: Record<string, number>;
    /**
     * Speed of pens not in `penSpeedKmh`.
     * @default 32 (km/h)
     */
    otherPenSpeedKmh: number;
    /**
     * Race length when the distance is unknown.
     * @default 3_600_000 (60 min)
     */
    defaultDurationMs: number;
    /**
     * First attempt this long after the estimated finish, while nothing is learned yet (and after a
     * race's learned length until `delayMinSamples` races gave a publication delay).
     * @default 300_000 (5 min)
     */
    graceMs: number;
    /**
     * Once `delayMinSamples` races' results were found, the first attempt waits for this quantile of
     * how long after the finish recent races' results appeared (learned from the queue's own
     * attempts, kept in the results job's state), counted from the race's learned length: that of
     * earlier races on its route (from the finish times in their results), else what routes of its
     * climbing took (`routesIntervalMs`). A lower quantile fetches sooner and wastes more calls; 0
     * uses the quickest race seen. Sources whose results carry no times learn the delay after the
     * flat estimate instead.
     * @default 0.1
     */
    delayQuantile: number;
    /**
     * Races whose results were found before the learned delay is used (until then, `graceMs`).
     * @default 5
     */
    delayMinSamples: number;
    /**
     * Waits between attempts while results are missing (the last one repeats).
     * @default 3 min × 15 (the first 45 min), then 5, 10, 20 and 30 min
     */
    retryScheduleMs: number[];
    /**
     * Give up waiting for results after this long past the start.
     * @default 86_400_000 (24 h)
     */
    giveUpAfterMs: number;
    /**
     * One more fetch this long after the first success, for corrections.
     * @default 12_600_000 (3.5 h)
     */
    correctionDelayMs: number;
    /**
     * How often the route list (`source.routes`, one site call) is fetched: with it, a race on a
     * route not seen yet is expected to take what routes of its climbing took (fitted on the finish
     * times of earlier races). Sources without a route list expect a low quantile of the routes seen
     * (`delayQuantile`).
     * @default 86_400_000 (24 h)
     */
    routesIntervalMs: number;
  };
  /**
   * Wait after a failed run (non-rate-limit errors), doubling up to 16×.
   * @default 60_000 (1 min)
   */
  failureBackoffMs: number;
  /**
   * Lease time-to-live when the storage offers leases.
   * @default 300_000 (5 min)
   */
  leaseTtlMs: number;
}

/** The defaults (see each field). */
export const DEFAULT_POLICY: SyncPolicy = {
  team: { clubIntervalMs: 6 * HOUR },
  riders: {
    intervalMs: 60 * MIN,
    afterResultsDelayMs: 2 * MIN,
    volatilePaths: ['race.max30.expires', 'race.max90.expires'],
  },
  events: { listIntervalMs: 4 * MIN, markRemoved: true, minRunGapMs: 15_000 },
  signups: {
    ttl: [
      { maxTimeToStartMs: 6 * HOUR, ttlMs: 5 * MIN },
      { maxTimeToStartMs: 12 * HOUR, ttlMs: 15 * MIN },
      { maxTimeToStartMs: 24 * HOUR, ttlMs: 30 * MIN },
      { maxTimeToStartMs: Number.POSITIVE_INFINITY, ttlMs: 60 * MIN },
    ],
    nearSweepMs: 6 * MIN,
    nearFavouriteSweepMs: 6 * MIN,
    nearWindowMs: 6 * HOUR,
    unchangedCountsFactor: 6,
    farChangedMinIntervalMs: 24 * HOUR,
    farFirstLeadMs: 24 * HOUR,
    farFavouriteMinIntervalMs: 6 * HOUR,
    horizonMs: 48 * HOUR,
    finalSweepLeadMs: 4 * MIN,
    seriesMinSignups: 2,
    seriesMinShare: 0.02,
    seriesHalfLifeMs: 14 * 24 * HOUR,
    learnStartTimes: true,
    learnSignupLeads: true,
    siteBudgetShare: 0.9,
    farBudgetShare: 0.3,
    cacheSize: 5000,
  },
  followerFeed: {
    nearPollMs: 150_000,
    nearWindowMs: 6 * HOUR,
    farPollMs: HOUR,
    listIntervalMs: 30 * MIN,
    staleAfterMs: 10 * MIN,
    retryAfterMs: 15 * MIN,
    retryMaxMs: 4 * HOUR,
  },
  results: {
    penSpeedKmh: { A: 44, B: 41, C: 38, D: 35, E: 32 },
    otherPenSpeedKmh: 32,
    defaultDurationMs: 60 * MIN,
    graceMs: 5 * MIN,
    delayQuantile: 0.1,
    delayMinSamples: 5,
    retryScheduleMs: [...Array.from({ length: 15 }, () => 3 * MIN), 5 * MIN, 10 * MIN, 20 * MIN, 30 * MIN],
    giveUpAfterMs: 24 * HOUR,
    correctionDelayMs: 3.5 * HOUR,
    routesIntervalMs: 24 * HOUR,
  },
  failureBackoffMs: MIN,
  leaseTtlMs: 5 * MIN,
};

/** A partial policy: any subset of fields, at any depth. */
export type SyncPolicyInput = {
  [K in keyof SyncPolicy]?: SyncPolicy[K] extends object
    ? SyncPolicy[K] extends unknown[]
      ? SyncPolicy[K]
      : Partial<SyncPolicy[K]>
    : SyncPolicy[K];
};
