/** Ground truth of one team: its riders, their changes, its signups and races, its Zwift account's view. */
import type { SimEvent } from './world/events.ts';
import type { FollowGraph } from './world/follows.ts';
import { countUpTo } from './world/signups.ts';
import type { RiderChange } from './world/team.ts';
import type { World, WorldTeam } from './world/world.ts';

export type { RiderChange };

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

/** A race team riders rode (signed up and did not withdraw). */
export interface TeamRace {
  eventId: string;
  startsAt: number;
  endsAt: number;
  resultsAt: number;
  correctedAt: number | null;
  riders: { riderId: number; pen: string; dnf: boolean }[];
}

/** A team signup in effect at the truth's time. */
export interface TeamSignupNow {
  eventId: string;
  riderId: number;
  pen: string;
  signedUpAt: number;
}

/** Precomputed, time-independent indexes of one team, shared by every truth view. */
export class TeamIndex {
  readonly teamSignupChanges: TeamSignupChange[];
  readonly teamSignupChangeTimes: Float64Array;
  readonly riderChanges: RiderChange[];
  readonly riderChangeTimes: Float64Array;
  readonly teamRaces: TeamRace[];

  constructor(world: World, team: WorldTeam) {
    const changes: TeamSignupChange[] = [];
    for (const s of team.signups) {
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

    const riderChanges = world.timelines
      .slice(team.k0, team.k0 + team.profiles.length)
      .flatMap((tl) => tl.changes);
    riderChanges.sort((a, b) => a.at - b.at || a.riderId - b.riderId);
    this.riderChanges = riderChanges;
    this.riderChangeTimes = Float64Array.from(riderChanges.map((c) => c.at));

    const races = new Map<number, TeamRace>();
    for (const s of team.signups) {
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

/** The ground truth of one team at one virtual time. */
export interface TeamTruth {
  /** The team's id (its index; team 0 is the team of a one-team world). */
  readonly teamId: number;
  /** The virtual time (epoch ms) this view describes. */
  readonly at: number;
  readonly clubId: number;
  readonly clubName: string;
  /** Team rider ids, ascending. */
  readonly teamRiderIds: readonly number[];
  /** Raw public-API payloads of all team riders at this time. */
  riders(): Record<string, unknown>[];
  /** Team riders' payload changes up to this time, in time order. */
  readonly riderChanges: RiderChange[];
  /** Team riders' payload changes with `a < at ≤ b` (may lie after this view's time). */
  riderChangesBetween(a: number, b: number): RiderChange[];
  /** Every team signup and withdrawal (all of them, past and future), in time order. */
  readonly teamSignupChanges: TeamSignupChange[];
  /** Team signup changes with `a < at ≤ b`. */
  teamSignupChangesBetween(a: number, b: number): TeamSignupChange[];
  /** Team signups in effect at this time, optionally for one race. */
  teamSignups(eventId?: string): TeamSignupNow[];
  /** Races team riders rode (not withdrawn), past and future, with their result times. */
  readonly teamRaces: TeamRace[];
  /** Every rider the team's Zwift account follows (team riders and others), ascending. */
  readonly followedRiderIds: readonly number[];
  /** The team's racing riders its Zwift account does not follow, ascending. */
  readonly unfollowedTeamRiderIds: readonly number[];
  /**
   * Per pen, the signed-up riders the team's Zwift account follows at this time: the search's
   * `followeeEntrantCount` per subgroup ({} for an unknown race).
   */
  followeeSignupCounts(eventId: string): Record<string, number>;
}

/** One team's truth view over the precomputed world. */
export class TeamTruthView implements TeamTruth {
  constructor(
    private readonly world: World,
    private readonly team: WorldTeam,
    private readonly index: () => TeamIndex,
    private readonly follows: () => FollowGraph,
    /** The virtual time (epoch ms) this view describes. */
    readonly at: number,
  ) {}

  get teamId(): number {
    return this.team.index;
  }

  get clubId(): number {
    return this.team.info.clubId;
  }

  get clubName(): string {
    return this.team.info.name;
  }

  /** Team rider ids, ascending. */
  get teamRiderIds(): readonly number[] {
    return this.team.riderIds;
  }

  /** Raw public-API payloads of all team riders at this time. */
  riders(): Record<string, unknown>[] {
    return this.team.riderIds.map((id) => JSON.parse(this.world.riderJsonAt(id, this.at) as string));
  }

  /** Team riders' payload changes up to this time, in time order. */
  get riderChanges(): RiderChange[] {
    const index = this.index();
    return index.riderChanges.slice(0, countUpTo(index.riderChangeTimes, this.at));
  }

  /** Team riders' payload changes with `a < at ≤ b` (may lie after this view's time). */
  riderChangesBetween(a: number, b: number): RiderChange[] {
    const index = this.index();
    const t = index.riderChangeTimes;
    return index.riderChanges.slice(countUpTo(t, a), countUpTo(t, b));
  }

  /** Every team signup and withdrawal (all of them, past and future), in time order. */
  get teamSignupChanges(): TeamSignupChange[] {
    return this.index().teamSignupChanges;
  }

  /** Team signup changes with `a < at ≤ b`. */
  teamSignupChangesBetween(a: number, b: number): TeamSignupChange[] {
    const index = this.index();
    const t = index.teamSignupChangeTimes;
    return index.teamSignupChanges.slice(countUpTo(t, a), countUpTo(t, b));
  }

  /** Team signups in effect at this time (signed up, not withdrawn), optionally for one race. */
  teamSignups(eventId?: string): TeamSignupNow[] {
    const out: TeamSignupNow[] = [];
    for (const s of this.team.signups) {
      const ev = this.world.events[s.eventIndex] as SimEvent;
      if (eventId !== undefined && ev.eventId !== eventId) continue;
      if (s.at > this.at || s.wd <= this.at) continue;
      out.push({ eventId: ev.eventId, riderId: s.riderId, pen: ev.pens[s.pen] as string, signedUpAt: s.at });
    }
    return out;
  }

  /** Races team riders rode (not withdrawn), past and future, with their result times. */
  get teamRaces(): TeamRace[] {
    return this.index().teamRaces;
  }

  /** Every rider the team's Zwift account follows, ascending. */
  get followedRiderIds(): readonly number[] {
    return this.follows().followedRiderIds;
  }

  /** The team's racing riders its Zwift account does not follow, ascending. */
  get unfollowedTeamRiderIds(): readonly number[] {
    return this.follows().unfollowedTeamRiderIds;
  }

  /** Per pen, the signed-up riders the team's Zwift account follows at this time. */
  followeeSignupCounts(eventId: string): Record<string, number> {
    const ev = this.world.eventById.get(eventId);
    if (!ev) return {};
    const c = this.follows().countsAt(this.world.signups, ev, this.at);
    return Object.fromEntries(ev.pens.map((p, i) => [p, c[i] as number]));
  }
}
