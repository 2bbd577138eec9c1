/** Ground truth: what upstream holds at a virtual time, for tests and benchmarks. */

import { SimulatorConfigError } from './config-error.ts';
import {
  type RiderChange,
  TeamIndex,
  type TeamRace,
  type TeamSignupChange,
  type TeamSignupNow,
  type TeamTruth,
  TeamTruthView,
} from './team-truth.ts';
import type { SimEvent } from './world/events.ts';
import type { FollowGraph } from './world/follows.ts';
import { signupIndicesAt } from './world/payloads/site-signups.ts';
import type { RawResultRow } from './world/results.ts';
import { countUpTo } from './world/signups.ts';
import { FEED_HORIZON_MS, type World, type WorldTeam } from './world/world.ts';

export type { RawResultRow, RiderChange, TeamRace, TeamSignupChange, TeamSignupNow, TeamTruth };

/** A race as the site feed lists it, plus the simulation's timeline for it. */
export interface TruthEvent {
  eventId: string;
  /** Epoch ms. */
  startsAt: number;
  /** Start + duration at the slowest pen's speed. */
  endsAt: number;
  /** When results become available on the public API. */
  resultsAt: number;
  /** When the one correction is published, or null. */
  correctedAt: number | null;
  seriesName: string;
  /** The series is one of the team's favourites. */
  favouriteSeries: boolean;
  pens: string[];
  /** Signed-up riders per pen at the truth's time. */
  signupCounts: Record<string, number>;
  /** Listed on the site feed at the truth's time (now < start ≤ now + 7 d). */
  listed: boolean;
  /** The site feed entry (raw shape) at the truth's time. */
  raw: Record<string, unknown>;
}

export interface TruthSignup {
  riderId: number;
  pen: string;
  /** Epoch ms of the signup. */
  signedUpAt: number;
  team: boolean;
}

export interface TruthResults {
  eventId: string;
  availableAt: number;
  correctedAt: number | null;
  /** Published at the truth's time. */
  available: boolean;
  /** The correction is published at the truth's time. */
  corrected: boolean;
  /** Rows as published at the truth's time (null before `availableAt`). */
  rows: RawResultRow[] | null;
}

/** Precomputed, time-independent indexes shared by every truth view: each team's, built on first use. */
export class TruthIndex {
  private readonly teams: (TeamIndex | undefined)[];

  constructor(private readonly world: World) {
    this.teams = new Array(world.teams.length);
  }

  /** Team `t`'s index. */
  team(t: number): TeamIndex {
    let index = this.teams[t];
    if (!index) {
      index = new TeamIndex(this.world, this.world.teams[t] as WorldTeam);
      this.teams[t] = index;
    }
    return index;
  }
}

/**
 * The ground truth at one virtual time. Cheap to create; queries cost O(items returned). Its team
 * members (`clubId`, `riders()`, `teamSignupChanges`, `followedRiderIds` …) are team 0's; `team(id)`
 * gives any team's.
 */
export interface Truth extends TeamTruth {
  /** Raw payload of any known rider (team or field) at this time, or null. */
  rider(riderId: number): Record<string, unknown> | null;
  /** Races listed on the site feed at this time (now < start ≤ now + 7 d). */
  events(): TruthEvent[];
  /** Races starting in [a, b), listed or not. */
  eventsBetween(a: number, b: number): TruthEvent[];
  /** One race by id, or null. */
  event(eventId: string): TruthEvent | null;
  /** Every race of the world (start − 2 d … start + days + 7 d). */
  allEvents(): TruthEvent[];
  /** The signup list of a race at this time (signed up, not withdrawn; `team`: a rider of any team). */
  signups(eventId: string): TruthSignup[];
  /** Per-pen signup counts of a race at this time. */
  signupCounts(eventId: string): Record<string, number>;
  /** Results of a race as published at this time (null for an unknown race). */
  results(eventId: string): TruthResults | null;
  /** Per pen, the Zwift subgroup id of a race ({} for an unknown race). */
  subgroupIds(eventId: string): Record<string, number>;
  /** Team `teamId`'s truth at this time; a RangeError names an unknown team. */
  team(teamId: number): TeamTruth;
  /** Every team's truth at this time, by team id. */
  teams(): TeamTruth[];
  /** The team id of a rider, or null for a rider of no team (or an unknown id). */
  teamOf(riderId: number): number | null;
}

/** The truth view over the precomputed world: world-level queries, team queries of team 0. */
export class TruthView implements Truth {
  private readonly team0: TeamTruth;

  constructor(
    private readonly world: World,
    private readonly index: TruthIndex,
    /** The virtual time (epoch ms) this view describes. */
    readonly at: number,
    /** The follow graph of team `t`'s Zwift account. */
    private readonly follows: (t: number) => FollowGraph,
  ) {
    this.team0 = this.team(0);
  }

  get teamId(): number {
    return 0;
  }

  get clubId(): number {
    return this.team0.clubId;
  }

  get clubName(): string {
    return this.team0.clubName;
  }

  /** Team 0's rider ids, ascending. */
  get teamRiderIds(): readonly number[] {
    return this.team0.teamRiderIds;
  }

  /** Raw public-API payloads of all team 0's riders at this time. */
  riders(): Record<string, unknown>[] {
    return this.team0.riders();
  }

  /** Raw payload of any known rider (team or field) at this time, or null. */
  rider(riderId: number): Record<string, unknown> | null {
    const json = this.world.riderJsonAt(riderId, this.at);
    return json === null ? null : JSON.parse(json);
  }

  /** Team 0's riders' payload changes up to this time, in time order. */
  get riderChanges(): RiderChange[] {
    return this.team0.riderChanges;
  }

  /** Team 0's riders' payload changes with `a < at ≤ b` (may lie after this view's time). */
  riderChangesBetween(a: number, b: number): RiderChange[] {
    return this.team0.riderChangesBetween(a, b);
  }

  /** Races listed on the site feed at this time. */
  events(): TruthEvent[] {
    const [lo, hi] = this.world.eventRange(this.at, this.at + FEED_HORIZON_MS);
    return this.world.events.slice(lo, hi).map((ev) => this.describe(ev));
  }

  /** Races starting in [a, b), listed or not. */
  eventsBetween(a: number, b: number): TruthEvent[] {
    const lo = countUpTo(this.world.eventStarts, a - 1);
    const hi = countUpTo(this.world.eventStarts, b - 1);
    return this.world.events.slice(lo, hi).map((ev) => this.describe(ev));
  }

  /** One race by id, or null. */
  event(eventId: string): TruthEvent | null {
    const ev = this.world.eventById.get(eventId);
    return ev ? this.describe(ev) : null;
  }

  /** Every race of the world (start − 2 d … start + days + 7 d). */
  allEvents(): TruthEvent[] {
    return this.world.events.map((ev) => this.describe(ev));
  }

  /** The signup list of a race at this time (signed up, not withdrawn). */
  signups(eventId: string): TruthSignup[] {
    const ev = this.world.eventById.get(eventId);
    if (!ev) return [];
    const out: TruthSignup[] = [];
    const perPen = signupIndicesAt(this.world, ev, this.at);
    perPen.forEach((list, p) => {
      for (const j of list) {
        const ref = this.world.signups.ref[j] as number;
        out.push({
          riderId: this.world.ids.idOf(ref),
          pen: ev.pens[p] as string,
          signedUpAt: this.world.signups.at[j] as number,
          team: ref >= this.world.populationSize,
        });
      }
    });
    return out;
  }

  signupCounts(eventId: string): Record<string, number> {
    const ev = this.world.eventById.get(eventId);
    return ev ? this.counts(ev) : {};
  }

  /** Every team 0 signup and withdrawal (all of them, past and future), in time order. */
  get teamSignupChanges(): TeamSignupChange[] {
    return this.team0.teamSignupChanges;
  }

  /** Team 0's signup changes with `a < at ≤ b`. */
  teamSignupChangesBetween(a: number, b: number): TeamSignupChange[] {
    return this.team0.teamSignupChangesBetween(a, b);
  }

  /** Team 0's signups in effect at this time (signed up, not withdrawn), optionally for one race. */
  teamSignups(eventId?: string): TeamSignupNow[] {
    return this.team0.teamSignups(eventId);
  }

  /** Results of a race as published at this time (null for an unknown race). */
  results(eventId: string): TruthResults | null {
    const ev = this.world.eventById.get(eventId);
    if (!ev) return null;
    const rows = this.world.resultsAt(ev, this.at);
    return {
      eventId,
      availableAt: ev.resultsAt,
      correctedAt: ev.correctedAt,
      available: rows !== null,
      corrected: ev.correctedAt !== null && this.at >= ev.correctedAt,
      rows: rows === null ? null : rows.map((r) => ({ ...r })),
    };
  }

  /** Races team 0's riders rode (not withdrawn), past and future, with their result times. */
  get teamRaces(): TeamRace[] {
    return this.team0.teamRaces;
  }

  /** Every rider team 0's Zwift account follows, ascending. */
  get followedRiderIds(): readonly number[] {
    return this.team0.followedRiderIds;
  }

  /** Team 0's racing riders its Zwift account does not follow, ascending. */
  get unfollowedTeamRiderIds(): readonly number[] {
    return this.team0.unfollowedTeamRiderIds;
  }

  /** Per pen, the signed-up riders team 0's Zwift account follows at this time. */
  followeeSignupCounts(eventId: string): Record<string, number> {
    return this.team0.followeeSignupCounts(eventId);
  }

  /** Per pen, the Zwift subgroup id of a race. */
  subgroupIds(eventId: string): Record<string, number> {
    const ev = this.world.eventById.get(eventId);
    return ev ? Object.fromEntries(ev.pens.map((p, i) => [p, ev.subgroupIds[i] as number])) : {};
  }

  /** Team `teamId`'s truth at this time. */
  team(teamId: number): TeamTruth {
    const team = Number.isInteger(teamId) ? this.world.teams[teamId] : undefined;
    if (!team) throw new SimulatorConfigError(`unknown team: ${teamId}`);
    return new TeamTruthView(
      this.world,
      team,
      () => this.index.team(team.index),
      () => this.follows(team.index),
      this.at,
    );
  }

  /** Every team's truth at this time, by team id. */
  teams(): TeamTruth[] {
    return this.world.teams.map((t) => this.team(t.index));
  }

  /** The team id of a rider, or null for a rider of no team (or an unknown id). */
  teamOf(riderId: number): number | null {
    const ref = this.world.refOfRiderId(riderId);
    return ref < 0 ? null : (this.world.teamOfRef(ref)?.index ?? null);
  }

  private counts(ev: SimEvent): Record<string, number> {
    const c = this.world.signups.counts(ev, this.at);
    const out: Record<string, number> = {};
    ev.pens.forEach((p, i) => {
      out[p] = c[i] as number;
    });
    return out;
  }

  private describe(ev: SimEvent): TruthEvent {
    const counts = this.world.signups.counts(ev, this.at);
    const signupCounts: Record<string, number> = {};
    ev.pens.forEach((p, i) => {
      signupCounts[p] = counts[i] as number;
    });
    return {
      eventId: ev.eventId,
      startsAt: ev.startMs,
      endsAt: ev.endMs,
      resultsAt: ev.resultsAt,
      correctedAt: ev.correctedAt,
      seriesName: ev.series.name,
      favouriteSeries: this.world.favourites.has(ev.series.index),
      pens: [...ev.pens],
      signupCounts,
      listed: ev.startMs > this.at && ev.startMs <= this.at + FEED_HORIZON_MS,
      raw: JSON.parse(`${ev.sitePrefix}"${counts.join(',')}"}`) as Record<string, unknown>,
    };
  }
}
