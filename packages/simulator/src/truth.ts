/** Ground truth: what upstream holds at a virtual time, for tests and benchmarks. */
import type { SimEvent } from './world/events.ts';
import type { FollowGraph } from './world/follows.ts';
import { signupIndicesAt } from './world/payloads/site-signups.ts';
import type { RawResultRow } from './world/results.ts';
import { countUpTo } from './world/signups.ts';
import type { RiderChange } from './world/team.ts';
import { FEED_HORIZON_MS, type World } from './world/world.ts';

export type { RawResultRow, RiderChange };

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

/** Every signup and withdrawal of a team rider, past and future. */
export interface TeamSignupChange {
  eventId: string;
  riderId: number;
  kind: 'signup' | 'withdraw';
  /** Epoch ms of the change. */
  at: number;
  pen: string;
  /** Epoch ms of the race start. */
  eventStart: number;
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

/** A race team riders rode (signed up and did not withdraw). */
export interface TeamRace {
  eventId: string;
  startsAt: number;
  endsAt: number;
  resultsAt: number;
  correctedAt: number | null;
  riders: { riderId: number; pen: string; dnf: boolean }[];
}

/** Precomputed, time-independent indexes shared by every truth view. */
export class TruthIndex {
  readonly teamSignupChanges: TeamSignupChange[];
  readonly teamSignupChangeTimes: Float64Array;
  readonly riderChanges: RiderChange[];
  readonly riderChangeTimes: Float64Array;
  readonly teamRaces: TeamRace[];

  constructor(world: World) {
    const changes: TeamSignupChange[] = [];
    for (const s of world.teamSignups) {
      const ev = world.events[s.eventIndex] as SimEvent;
      const pen = ev.pens[s.pen] as string;
      changes.push({
        eventId: ev.eventId,
        riderId: s.riderId,
        kind: 'signup',
        at: s.at,
        pen,
        eventStart: ev.startMs,
      });
      if (Number.isFinite(s.wd)) {
        changes.push({
          eventId: ev.eventId,
          riderId: s.riderId,
          kind: 'withdraw',
          at: s.wd,
          pen,
          eventStart: ev.startMs,
        });
      }
    }
    changes.sort((a, b) => a.at - b.at || a.riderId - b.riderId || a.eventId.localeCompare(b.eventId));
    this.teamSignupChanges = changes;
    this.teamSignupChangeTimes = Float64Array.from(changes.map((c) => c.at));

    const riderChanges = world.timelines.flatMap((tl) => tl.changes);
    riderChanges.sort((a, b) => a.at - b.at || a.riderId - b.riderId);
    this.riderChanges = riderChanges;
    this.riderChangeTimes = Float64Array.from(riderChanges.map((c) => c.at));

    const races = new Map<number, TeamRace>();
    for (const s of world.teamSignups) {
      if (Number.isFinite(s.wd)) continue;
      const ev = world.events[s.eventIndex] as SimEvent;
      let race = races.get(ev.index);
      if (!race) {
        race = {
          eventId: ev.eventId,
          startsAt: ev.startMs,
          endsAt: ev.endMs,
          resultsAt: ev.resultsAt,
          correctedAt: ev.correctedAt,
          riders: [],
        };
        races.set(ev.index, race);
      }
      race.riders.push({ riderId: s.riderId, pen: ev.pens[s.pen] as string, dnf: s.dnf });
    }
    this.teamRaces = [...races.values()].sort(
      (a, b) => a.startsAt - b.startsAt || a.eventId.localeCompare(b.eventId),
    );
    for (const r of this.teamRaces) r.riders.sort((a, b) => a.riderId - b.riderId);
  }
}

/** The ground truth at one virtual time. Cheap to create; queries cost O(items returned). */
export interface Truth {
  /** The virtual time (epoch ms) this view describes. */
  readonly at: number;
  readonly clubId: number;
  readonly clubName: string;
  /** Team rider ids, ascending. */
  readonly teamRiderIds: readonly number[];
  /** Raw public-API payloads of all team riders at this time. */
  riders(): Record<string, unknown>[];
  /** Raw payload of any known rider (team or field) at this time, or null. */
  rider(riderId: number): Record<string, unknown> | null;
  /** Team riders' payload changes up to this time, in time order. */
  readonly riderChanges: RiderChange[];
  /** Team riders' payload changes with `a < at ≤ b` (may lie after this view's time). */
  riderChangesBetween(a: number, b: number): RiderChange[];
  /** Races listed on the site feed at this time (now < start ≤ now + 7 d). */
  events(): TruthEvent[];
  /** Races starting in [a, b), listed or not. */
  eventsBetween(a: number, b: number): TruthEvent[];
  /** One race by id, or null. */
  event(eventId: string): TruthEvent | null;
  /** Every race of the world (start − 2 d … start + days + 7 d). */
  allEvents(): TruthEvent[];
  /** The signup list of a race at this time (signed up, not withdrawn). */
  signups(eventId: string): TruthSignup[];
  /** Per-pen signup counts of a race at this time. */
  signupCounts(eventId: string): Record<string, number>;
  /** Every team signup and withdrawal (all of them, past and future), in time order. */
  readonly teamSignupChanges: TeamSignupChange[];
  /** Team signup changes with `a < at ≤ b`. */
  teamSignupChangesBetween(a: number, b: number): TeamSignupChange[];
  /** Team signups in effect at this time, optionally for one race. */
  teamSignups(eventId?: string): { eventId: string; riderId: number; pen: string; signedUpAt: number }[];
  /** Results of a race as published at this time (null for an unknown race). */
  results(eventId: string): TruthResults | null;
  /** Races team riders rode (not withdrawn), past and future, with their result times. */
  readonly teamRaces: TeamRace[];
  /** Every rider the simulated Zwift account follows (team riders and others), ascending. */
  readonly followedRiderIds: readonly number[];
  /** The team's racing riders the simulated Zwift account does not follow, ascending. */
  readonly unfollowedTeamRiderIds: readonly number[];
  /**
   * Per pen, the signed-up riders the Zwift account follows at this time: the search's
   * `followeeEntrantCount` per subgroup ({} for an unknown race).
   */
  followeeSignupCounts(eventId: string): Record<string, number>;
  /** Per pen, the Zwift subgroup id of a race ({} for an unknown race). */
  subgroupIds(eventId: string): Record<string, number>;
}

/** The truth view over the precomputed world. */
export class TruthView implements Truth {
  constructor(
    private readonly world: World,
    private readonly index: TruthIndex,
    /** The virtual time (epoch ms) this view describes. */
    readonly at: number,
    private readonly follows: () => FollowGraph,
  ) {}

  get clubId(): number {
    return this.world.team.clubId;
  }

  get clubName(): string {
    return this.world.team.name;
  }

  /** Team rider ids, ascending. */
  get teamRiderIds(): readonly number[] {
    return this.world.teamRiderIds;
  }

  /** Raw public-API payloads of all team riders at this time. */
  riders(): Record<string, unknown>[] {
    return this.world.teamRiderIds.map((id) => JSON.parse(this.world.riderJsonAt(id, this.at) as string));
  }

  /** Raw payload of any known rider (team or field) at this time, or null. */
  rider(riderId: number): Record<string, unknown> | null {
    const json = this.world.riderJsonAt(riderId, this.at);
    return json === null ? null : JSON.parse(json);
  }

  /** Team riders' payload changes up to this time, in time order. */
  get riderChanges(): RiderChange[] {
    return this.index.riderChanges.slice(0, countUpTo(this.index.riderChangeTimes, this.at));
  }

  /** Team riders' payload changes with `a < at ≤ b` (may lie after this view's time). */
  riderChangesBetween(a: number, b: number): RiderChange[] {
    const t = this.index.riderChangeTimes;
    return this.index.riderChanges.slice(countUpTo(t, a), countUpTo(t, b));
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

  /** Every team signup and withdrawal (all of them, past and future), in time order. */
  get teamSignupChanges(): TeamSignupChange[] {
    return this.index.teamSignupChanges;
  }

  /** Team signup changes with `a < at ≤ b`. */
  teamSignupChangesBetween(a: number, b: number): TeamSignupChange[] {
    const t = this.index.teamSignupChangeTimes;
    return this.index.teamSignupChanges.slice(countUpTo(t, a), countUpTo(t, b));
  }

  /** Team signups in effect at this time (signed up, not withdrawn), optionally for one race. */
  teamSignups(eventId?: string): { eventId: string; riderId: number; pen: string; signedUpAt: number }[] {
    const out: { eventId: string; riderId: number; pen: string; signedUpAt: number }[] = [];
    for (const s of this.world.teamSignups) {
      const ev = this.world.events[s.eventIndex] as SimEvent;
      if (eventId !== undefined && ev.eventId !== eventId) continue;
      if (s.at > this.at || s.wd <= this.at) continue;
      out.push({ eventId: ev.eventId, riderId: s.riderId, pen: ev.pens[s.pen] as string, signedUpAt: s.at });
    }
    return out;
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

  /** Races team riders rode (not withdrawn), past and future, with their result times. */
  get teamRaces(): TeamRace[] {
    return this.index.teamRaces;
  }

  /** Every rider the simulated Zwift account follows, ascending. */
  get followedRiderIds(): readonly number[] {
    return this.follows().followedRiderIds;
  }

  /** The team's racing riders the simulated Zwift account does not follow, ascending. */
  get unfollowedTeamRiderIds(): readonly number[] {
    return this.follows().unfollowedTeamRiderIds;
  }

  /** Per pen, the signed-up riders the Zwift account follows at this time. */
  followeeSignupCounts(eventId: string): Record<string, number> {
    const ev = this.world.eventById.get(eventId);
    if (!ev) return {};
    const c = this.follows().countsAt(this.world.signups, ev, this.at);
    return Object.fromEntries(ev.pens.map((p, i) => [p, c[i] as number]));
  }

  /** Per pen, the Zwift subgroup id of a race. */
  subgroupIds(eventId: string): Record<string, number> {
    const ev = this.world.eventById.get(eventId);
    return ev ? Object.fromEntries(ev.pens.map((p, i) => [p, ev.subgroupIds[i] as number])) : {};
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
