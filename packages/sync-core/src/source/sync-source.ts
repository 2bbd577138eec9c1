/**
 * What the engine needs from an upstream, declared structurally: `@racesync/zwift-client`'s client
 * satisfies it as is, and so can any other implementation (a cache, a different API, a test double
 * that talks to the simulator). sync-core never imports the client.
 */

/** Options the engine passes to every call. */
export interface SourceCallOptions {
  /**
   * The run's signal: once aborted, the call stops waiting and rejects with `signal.reason`.
   * @default undefined (the engine always passes the run's signal)
   */
  signal?: AbortSignal;
  /**
   * Higher runs first when calls queue.
   * @default 0
   */
  priority?: number;
  /**
   * Longest the call may wait for a rate-limit token. The engine passes `0`: a call that cannot
   * leave at once must reject with an error whose `kind` is `rate_limited` and that carries
   * `retryAfterMs`, so the scheduler can plan instead of block.
   * @default the source's own limit (the engine always passes `0`)
   */
  maxWaitMs?: number;
}

/** A rating point as the source reports it. */
export interface SourceRatingPoint {
  rating: number;
}

/** The rider fields the engine reads; the whole object is stored as the rider's snapshot. */
export interface SourceRider {
  riderId: number;
  name: string;
  gender: string | null;
  country: string | null;
  height: number | null;
  weight: number | null;
  zpCategory: string | null;
  zpFTP: number | null;
  race: {
    current: SourceRatingPoint | null;
    max30: SourceRatingPoint | null;
    max90: SourceRatingPoint | null;
    finishes: number;
    wins: number;
    podiums: number;
    dnfs: number;
  } | null;
  club: { id: number; name: string } | null;
}

/** An event of the upcoming-events feed. */
export interface SourceEvent {
  eventId: string;
  startsAt: number;
  routeId: string | null;
  distanceMeters: number | null;
  laps: number | null;
  title: string;
  type: string | null;
  subType: string | null;
  categories: string[];
  signupCounts: { [pen: string]: number };
}

/** A route of the source's route list (what the results queue's timing uses). */
export interface SourceRoute {
  routeId: string;
  /** One lap, without the lead-in. */
  distanceMeters: number | null;
  /** Climbing of one lap. */
  elevationMeters: number | null;
}

/** One rider of a signup list. */
export interface SourceSignup {
  riderId: number;
  pen: string;
}

/** One result row. */
export interface SourceResult {
  riderId: number;
  name: string;
  category: string | null;
  timeSeconds: number;
  gap: number | null;
  position: number | null;
  positionInCategory: number | null;
  rating: number | null;
  ratingBefore: number | null;
  ratingDelta: number | null;
}

/** A pen of an event in Zwift's event search, as the searching account sees it. */
export interface SourceFeedSubgroup {
  /** Zwift's subgroup id (the key of `zwift.subgroups.entrants`). */
  subgroupId: string;
  /** Pen label (e.g. `B`), the label the signup lists use; `null` when Zwift sent none. */
  label: string | null;
  /** Signed-up riders the account follows; `null` = no signal (never read as 0). */
  followeeEntrantCount: number | null;
}

/** An event of Zwift's event search (the follower feed). */
export interface SourceFeedEvent {
  /** The same id the ZwiftRacing feeds use. */
  eventId: string;
  startsAt: number;
  /**
   * Zwift's event type (`RACE`, `TIME_TRIAL`, `GROUP_RIDE`, `GROUP_WORKOUT`, …). Group rides and
   * workouts are never on the site's race list, so the feed does not ask for the list because of
   * them; `null` or absent = unknown (it may be a race).
   * @default undefined (unknown)
   */
  type?: string | null;
  /** Signed-up riders the account follows, over every pen; `null` = no signal. */
  followeeEntrantCount: number | null;
  subgroups: SourceFeedSubgroup[];
}

/** One rider of a pen's entrants. */
export interface SourceEntrant {
  riderId: number;
}

/**
 * Zwift's authenticated API seen from an account that follows the team (the follower feed): needed
 * only with the engine's `followerFeed` option. `@racesync/zwift-client`'s `zwift` group (with
 * `zwiftAuth`) satisfies it.
 */
export interface SourceFollowerFeed {
  events: {
    /** Events starting in `[from, to]` (epoch ms), at most `limit`; `truncated` when the answer held `limit`. */
    search(
      range: {
        from: number;
        to: number;
        /**
         * Most events in the answer.
         * @default the source's own page size
         */
        limit?: number;
      },
      options?: SourceCallOptions,
    ): Promise<{ events: SourceFeedEvent[]; truncated: boolean; skipped: readonly unknown[] }>;
  };
  subgroups: {
    /** Riders signed up to one pen that the account follows (`type: 'following'`). */
    entrants(
      subgroupId: string,
      query: { type: 'following' },
      options?: SourceCallOptions,
    ): Promise<{ riders: SourceEntrant[]; pages?: number; skipped: readonly unknown[] }>;
  };
}

/** A bucket's state, for planning within the budget. */
export interface SourceBucketState {
  capacity: number;
  intervalMs: number;
  available: number;
  nextAvailableAt: number;
  blockedUntil: number | null;
}

/** The upstream the engine syncs from. */
export interface SyncSource {
  riders: {
    getMany(
      riderIds: readonly number[],
      options?: SourceCallOptions,
    ): Promise<{ riders: Map<number, SourceRider>; missing: number[]; skipped: readonly unknown[] }>;
  };
  /** Needed only when the team comes from a club. */
  clubs?: {
    members(
      clubId: number,
      options?: SourceCallOptions,
    ): Promise<{ riders: SourceRider[]; skipped: readonly unknown[] }>;
    /**
     * One page of the members (`after`: null for the first, else the `next` of the page before;
     * `next` null on the last). When present, the team job pages a club across runs as its bucket
     * allows (a club of more than one page needs more tokens than a small bucket holds at once).
     */
    membersPage?(
      clubId: number,
      after: number | null,
      options?: SourceCallOptions,
    ): Promise<{ riders: SourceRider[]; skipped: readonly unknown[]; next: number | null }>;
  };
  events: {
    upcoming(options?: SourceCallOptions): Promise<{ events: SourceEvent[]; skipped: readonly unknown[] }>;
    signups(
      eventId: string,
      options?: SourceCallOptions,
    ): Promise<{ riders: SourceSignup[]; skipped: readonly unknown[] }>;
  };
  results: {
    forEvent(
      eventId: string,
      options?: SourceCallOptions,
    ): Promise<{ results: SourceResult[]; skipped: readonly unknown[] }>;
  };
  /**
   * The route list (the site API's `GET /api/routes`, one call a day): when present, the results
   * queue predicts how long a race on a route it has not seen yet takes from the route's climbing.
   */
  routes?: {
    list(options?: SourceCallOptions): Promise<{ routes: SourceRoute[]; skipped: readonly unknown[] }>;
  };
  /**
   * Zwift's authenticated API (event search and pen entrants) of an account that follows the team;
   * used only with the engine's `followerFeed` option.
   */
  zwift?: SourceFollowerFeed;
  /** When present, the engine never plans more calls than a bucket can take. */
  rateLimits?: {
    state(bucket: string): Promise<SourceBucketState>;
  };
}

/** The buckets the engine plans against (names from the client's limit table). */
export const SOURCE_BUCKETS = {
  riders: 'riders-bulk',
  clubs: 'clubs',
  results: 'results',
  site: 'site',
  zwiftSearch: 'zwift-search',
  zwiftEntrants: 'zwift-entrants',
} as const;
