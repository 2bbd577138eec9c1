/**
 * The follow graph of a team captain's Zwift account: which riders the account follows. It follows
 * most of the team's racing riders (not all: a share is not followed), every non-racing member, and
 * some riders outside the team (friends), so its followee counts also move for reasons that have
 * nothing to do with the team.
 */
import { hash32, stream } from '../prng.ts';
import type { SimEvent } from './events.ts';
import type { RiderProfile } from './riders.ts';
import type { SignupStore } from './signups.ts';

/** Defaults of the follow graph (the `follow` option overrides them). */
export const FOLLOW_DEFAULTS = {
  /** Share of the team's racing riders the account does not follow. */
  unfollowedShare: 0.05,
  /** Riders outside the team (from the field) the account follows. */
  extraFollowees: 30,
  /**
   * With a positive share and at least this many racing riders, at least one of them is not
   * followed (so a strategy relying on the follower feed alone always misses someone).
   */
  minRacingForUnfollowed: 10,
} as const;

/** The follow graph's settings, resolved. */
export interface FollowSettings {
  unfollowedShare: number;
  extraFollowees: number;
}

/** Which riders one account follows, and what that makes of a race's signups. */
export class FollowGraph {
  /** Refs of followed riders (team members and others). */
  readonly followed: Set<number>;
  /** Rider ids of every followed rider, ascending. */
  readonly followedRiderIds: readonly number[];
  /** Rider ids of the team's racing riders the account does not follow, ascending. */
  readonly unfollowedTeamRiderIds: readonly number[];
  readonly #seed: number | string;
  readonly #teamIndex: number;

  constructor(args: {
    seed: number | string;
    /** The team the account belongs to (its streams are named by it). */
    teamIndex: number;
    team: readonly RiderProfile[];
    populationSize: number;
    idOf: (ref: number) => number;
    settings: FollowSettings;
  }) {
    const { seed, teamIndex, team, populationSize, idOf, settings } = args;
    this.#seed = seed;
    this.#teamIndex = teamIndex;
    const racing = team.filter((p) => p.initial.race !== null).map((p) => p.ref);
    let n = Math.round(settings.unfollowedShare * racing.length);
    if (settings.unfollowedShare > 0 && racing.length >= FOLLOW_DEFAULTS.minRacingForUnfollowed)
      n = Math.max(1, n);
    n = Math.min(n, racing.length);
    stream(seed, 'follow', teamIndex, 'unfollowed').shuffle(racing);
    const unfollowed = new Set(racing.slice(0, n));
    this.followed = new Set(team.map((p) => p.ref).filter((ref) => !unfollowed.has(ref)));
    const extra = Math.min(settings.extraFollowees, populationSize);
    const rng = stream(seed, 'follow', teamIndex, 'extra');
    const others = new Set<number>();
    while (others.size < extra) others.add(rng.int(0, populationSize - 1));
    for (const ref of others) this.followed.add(ref);
    this.followedRiderIds = Object.freeze([...this.followed].map(idOf).sort((a, b) => a - b));
    this.unfollowedTeamRiderIds = Object.freeze([...unfollowed].map(idOf).sort((a, b) => a - b));
  }

  /** Followed riders signed up (not withdrawn) at `t` in each pen of `ev`. */
  countsAt(store: SignupStore, ev: SimEvent, t: number): number[] {
    const out = new Array<number>(ev.pens.length).fill(0);
    const end = store.endAt(ev, t);
    for (let j = ev.s0; j < end; j++) {
      if ((store.wd[j] as number) <= t || !this.followed.has(store.ref[j] as number)) continue;
      const p = store.pen[j] as number;
      out[p] = (out[p] as number) + 1;
    }
    return out;
  }

  /**
   * Followed riders signed up at `t` to the group ride `rideId` starting at `startMs`: teammates and
   * friends ride socially too. None on most rides; 1–3 on about a third, each signed up at a lead
   * within the 12 h before the start. Group rides are not on the site's race list, so these counts
   * move for nothing the team's race signups are made of.
   */
  rideFolloweesAt(rideId: number, startMs: number, t: number): number {
    if (t >= startMs) return 0;
    const h = hash32(this.#seed, 'follow', this.#teamIndex, 'ride', rideId);
    if (h % 100 >= RIDE_FOLLOWEE_PERCENT) return 0;
    const n = 1 + ((h >>> 8) % 3);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const leadMs = (1 + (hash32(this.#seed, 'follow', this.#teamIndex, 'ride', rideId, i) % 720)) * 60_000;
      if (t >= startMs - leadMs) count++;
    }
    return count;
  }
}

/** Percent of group rides some followed riders sign up to. */
const RIDE_FOLLOWEE_PERCENT = 35;
