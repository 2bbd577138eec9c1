import { SimulatorConfigError } from '../config-error.ts';
import { DAY, type GroupRide, generateEvents, generateGroupRides, type SimEvent } from './events.ts';
import { RiderIds } from './ids.ts';
import { applyCorrection, computeResults, type RawResultRow, type TeamRaceInput } from './results.ts';
import {
  makeFieldCore,
  makeFieldProfile,
  makeTeamProfile,
  type RiderCore,
  type RiderProfile,
  riderPublicObject,
  riderSiteJson,
  type TeamInfo,
} from './riders.ts';
import { allRoutes, makeSeries, type Series } from './series.ts';
import { buildFieldPools, countUpTo, generateFieldSignups, type RawSignups, SignupStore } from './signups.ts';
import {
  buildTeamTimelines,
  chooseFavourites,
  generateTeamSignups,
  publicBufOf,
  type RiderStats,
  type RiderTimeline,
  STATS_STRIDE,
  siteBufOf,
  statsOf,
  type TeamRaceTimes,
  type TeamSignup,
  type TeamSignupLead,
  versionAt,
} from './team.ts';
import { teamInfo, teamStream } from './teams.ts';

export interface WorldOptions {
  seed: number | string;
  /** Virtual start, epoch ms. */
  startMs: number;
  days: number;
  /** The teams (at least one): sizes and optional club ids. */
  teams: readonly { size: number; clubId?: number }[];
  eventsPerDay: number;
  populationSize: number;
  /** Start times team races may have (null: any). */
  teamRaceTimes?: TeamRaceTimes | null;
  /** How long before the start team riders sign up (null: `TEAM_MODEL`'s). */
  teamSignupLead?: TeamSignupLead | null;
}

/** One team of the world. */
export interface WorldTeam {
  /** The team's index (its `teamId`). */
  index: number;
  info: TeamInfo;
  /** The team's riders (a slice of `world.teamProfiles`). */
  profiles: RiderProfile[];
  /** Global team-rider index of the team's first rider (its refs start at populationSize + k0). */
  k0: number;
  /** Rider ids, ascending. */
  riderIds: number[];
  favourites: Set<number>;
  /** The team's signups (a contiguous range of `world.teamSignups`). */
  signups: TeamSignup[];
}

/** The event feed covers this far ahead of now. */
export const FEED_HORIZON_MS = 7 * DAY;
/** The world exists from this long before the start (results of recently finished races). */
export const HISTORY_MS = 2 * DAY;

/**
 * A cheap approximate LRU (two generations): hits cost one or two Map lookups, and when the
 * young generation is full the old one is dropped wholesale. Holds at most `max` entries.
 */
class Lru<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    const v = this.young.get(k);
    if (v !== undefined) return v;
    const o = this.old.get(k);
    if (o !== undefined) this.set(k, o);
    return o;
  }
  set(k: K, v: V): void {
    this.young.set(k, v);
    if (this.young.size >= this.max / 2) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}

export class World {
  readonly seed: number | string;
  readonly startMs: number;
  readonly beginMs: number;
  readonly endMs: number;
  readonly days: number;
  readonly ids: RiderIds;
  readonly populationSize: number;
  /** Every team; `teams[0]` is the team of a one-team world. */
  readonly teams: WorldTeam[];
  /** Team 0's club. */
  readonly team: TeamInfo;
  /** The riders of every team, team after team (index = global k = ref − populationSize). */
  readonly teamProfiles: RiderProfile[];
  /** Team 0's rider ids, ascending. */
  readonly teamRiderIds: number[];
  /** Team index of each team rider (by global k). */
  readonly teamOfK: Uint16Array;
  private readonly teamByClubId = new Map<number, WorldTeam>();
  readonly timelines: RiderTimeline[];
  readonly timelineById = new Map<number, RiderTimeline>();
  readonly series: Series[];
  /** Team 0's favourite series. */
  readonly favourites: Set<number>;
  readonly events: SimEvent[];
  readonly eventById = new Map<string, SimEvent>();
  readonly eventStarts: Float64Array;
  readonly rides: GroupRide[];
  readonly rideStarts: Float64Array;
  /** Every team's signups, team after team. */
  readonly teamSignups: TeamSignup[];
  /** Every signup of every race (flat typed arrays; events hold ranges into it). */
  readonly signups = new SignupStore();
  /** Team signups by event index and rider ref (`signupKey`). */
  private readonly teamSignupByKey = new Map<number, TeamSignup>();
  /** Field riders' cores (name, ratings) in compact arrays, generated on first use (NaN = not yet). */
  private readonly coreRating: Float64Array;
  private readonly coreMax30: Float64Array;
  private readonly coreMax90: Float64Array;
  private readonly coreUnrated: Uint8Array;
  private readonly coreName: string[];
  private readonly fieldProfiles = new Lru<number, RiderProfile>(128);
  /** Site signup-list entries of field riders (bytes, off the JS heap; ~1 KB each). */
  private readonly fieldSiteBuf = new Lru<number, Buffer>(40_000);
  private readonly resultsCache = new Lru<string, RawResultRow[]>(8);
  private readonly correctedCache = new Lru<string, RawResultRow[]>(4);
  /** Zwift subgroup id → event index × 16 + pen index (built on first use). */
  private subgroupIndex: Map<number, number> | null = null;

  constructor(options: WorldOptions) {
    const { seed, startMs, days, eventsPerDay, populationSize } = options;
    this.seed = seed;
    this.startMs = startMs;
    this.days = days;
    this.beginMs = startMs - HISTORY_MS;
    this.endMs = startMs + days * DAY + FEED_HORIZON_MS;
    this.populationSize = populationSize;
    this.ids = new RiderIds(seed);
    this.coreRating = new Float64Array(populationSize).fill(Number.NaN);
    this.coreMax30 = new Float64Array(populationSize);
    this.coreMax90 = new Float64Array(populationSize);
    this.coreUnrated = new Uint8Array(populationSize);
    this.coreName = new Array<string>(populationSize);

    const beginSec = Math.floor(this.beginMs / 1000);
    this.series = makeSeries(seed);
    const gen = { seed, series: this.series, beginMs: this.beginMs, endMs: this.endMs, eventsPerDay };
    this.events = generateEvents(gen);
    this.eventStarts = Float64Array.from(this.events.map((e) => e.startMs));
    for (const ev of this.events) this.eventById.set(ev.eventId, ev);
    this.rides = generateGroupRides({ ...gen, routes: allRoutes() });
    this.rideStarts = Float64Array.from(this.rides.map((r) => r.startMs));

    const used = { clubIds: new Set<number>(), names: new Set<string>(), tags: new Set<string>() };
    this.teamProfiles = [];
    this.teamSignups = [];
    this.teams = options.teams.map((spec, t) => {
      if (spec.clubId !== undefined && used.clubIds.has(spec.clubId))
        throw new SimulatorConfigError(`teams[${t}].clubId ${spec.clubId} is another team's club id`);
      const info = teamInfo(seed, t, spec.clubId, used);
      const k0 = this.teamProfiles.length;
      const profiles = Array.from({ length: spec.size }, (_, k) =>
        makeTeamProfile(
          seed,
          this.ids,
          teamStream(seed, t, 'team-rider', k),
          populationSize + k0 + k,
          beginSec,
          info,
        ),
      );
      this.teamProfiles.push(...profiles);
      const favourites = chooseFavourites(seed, this.series, t);
      const signups = generateTeamSignups({
        seed,
        teamIndex: t,
        k0,
        events: this.events,
        team: profiles,
        favourites,
        beginMs: this.beginMs,
        endMs: this.endMs,
        raceTimes: options.teamRaceTimes ?? null,
        signupLead: options.teamSignupLead ?? null,
      });
      for (const s of signups) {
        s.index = this.teamSignups.length;
        this.teamSignups.push(s);
      }
      const team: WorldTeam = {
        index: t,
        info,
        profiles,
        k0,
        riderIds: profiles.map((p) => p.riderId).sort((a, b) => a - b),
        favourites,
        signups,
      };
      this.teamByClubId.set(info.clubId, team);
      return team;
    });
    const team0 = this.teams[0] as WorldTeam;
    this.team = team0.info;
    this.teamRiderIds = team0.riderIds;
    this.favourites = team0.favourites;
    this.teamOfK = new Uint16Array(this.teamProfiles.length);
    for (const team of this.teams) this.teamOfK.fill(team.index, team.k0, team.k0 + team.profiles.length);

    const teamByEvent = new Map<number, TeamSignup[]>();
    for (const s of this.teamSignups) {
      this.teamSignupByKey.set(this.signupKey(s.eventIndex, s.ref), s);
      const list = teamByEvent.get(s.eventIndex) ?? [];
      list.push(s);
      teamByEvent.set(s.eventIndex, list);
    }

    const pools = buildFieldPools(seed, populationSize);
    for (const ev of this.events) {
      const raw: RawSignups = generateFieldSignups(seed, ev, pools);
      const team = teamByEvent.get(ev.index) ?? [];
      for (const s of team) {
        raw.ref.push(s.ref);
        raw.pen.push(s.pen);
        raw.at.push(s.at);
        raw.wd.push(s.wd);
      }
      ev.teamSignups = team.map((s) => s.index);
      this.signups.add(ev, raw);
      ev.sitePrefix = sitePrefix(ev);
      ev.sitePrefixBuf = Buffer.from(ev.sitePrefix);
    }
    this.signups.seal();

    this.timelines = buildTeamTimelines({
      events: this.events,
      team: this.teamProfiles,
      teamSignups: this.teamSignups,
      beginMs: this.beginMs,
      endMs: this.endMs,
      results: (ev) => this.initialResults(ev),
      riderStream: (k, name) => {
        const t = this.teamOfK[k] as number;
        return teamStream(seed, t, name, k - (this.teams[t] as WorldTeam).k0);
      },
    });
    for (const tl of this.timelines) this.timelineById.set(tl.profile.riderId, tl);
  }

  /** The team whose club this is, if any. */
  teamOfClub(clubId: number): WorldTeam | undefined {
    return this.teamByClubId.get(clubId);
  }

  /** The team of a rider ref, or undefined for a field rider. */
  teamOfRef(ref: number): WorldTeam | undefined {
    return ref >= this.populationSize
      ? this.teams[this.teamOfK[ref - this.populationSize] as number]
      : undefined;
  }

  /** Profile of any rider by ref (field riders are generated lazily). */
  profile(ref: number): RiderProfile {
    if (ref >= this.populationSize) return this.teamProfiles[ref - this.populationSize] as RiderProfile;
    let p = this.fieldProfiles.get(ref);
    if (!p) {
      p = makeFieldProfile(this.seed, this.ids, ref, Math.floor(this.beginMs / 1000), this.fieldCore(ref));
      this.fieldProfiles.set(ref, p);
    }
    return p;
  }

  private ensureCore(ref: number): void {
    if (!Number.isNaN(this.coreRating[ref] as number)) return;
    const c = makeFieldCore(this.seed, ref);
    this.coreRating[ref] = c.rating;
    this.coreMax30[ref] = c.max30;
    this.coreMax90[ref] = c.max90;
    this.coreUnrated[ref] = c.unrated ? 1 : 0;
    this.coreName[ref] = c.name;
  }

  /** Rating the site lists show for a field rider (0 when unrated). */
  fieldRating(ref: number): number {
    this.ensureCore(ref);
    return this.coreUnrated[ref] ? 0 : (this.coreRating[ref] as number);
  }

  fieldCore(ref: number): RiderCore {
    this.ensureCore(ref);
    return {
      name: this.coreName[ref] as string,
      unrated: this.coreUnrated[ref] === 1,
      rating: this.coreRating[ref] as number,
      max30: this.coreMax30[ref] as number,
      max90: this.coreMax90[ref] as number,
    };
  }

  /** Ref of a known rider id (team or field), or -1. */
  refOfRiderId(id: number): number {
    const ref = this.ids.refOf(id);
    if (ref < 0 || ref >= this.populationSize + this.teamProfiles.length) return -1;
    return ref;
  }

  /** Rating, weight, FTP and power of a rider at `t`. */
  statsAt(ref: number, t: number): RiderStats {
    if (ref >= this.populationSize) {
      const tl = this.timelines[ref - this.populationSize] as RiderTimeline;
      return statsOf(tl, versionAt(tl, t));
    }
    const d = this.profile(ref).initial;
    return { rating: d.race ? d.race.rating : 0, weight: d.weight, zpFTP: d.zpFTP, w: d.power.w };
  }

  /** Rating a signup list shows for a rider at `t` (0 when unrated). */
  siteRatingAt(ref: number, t: number): number {
    if (ref >= this.populationSize) {
      const tl = this.timelines[ref - this.populationSize] as RiderTimeline;
      const r = tl.stats[versionAt(tl, t) * STATS_STRIDE] as number;
      return Number.isNaN(r) ? 0 : r;
    }
    return this.fieldRating(ref);
  }

  /** Public API payload (JSON) of a known rider at `t`, or null for an unknown id. */
  riderJsonAt(id: number, t: number): string | null {
    return this.riderBufAt(id, t)?.toString() ?? null;
  }

  /** Public API payload bytes of a known rider at `t`, or null for an unknown id. */
  riderBufAt(id: number, t: number): Buffer | null {
    const ref = this.refOfRiderId(id);
    if (ref < 0) return null;
    if (ref >= this.populationSize) {
      const tl = this.timelines[ref - this.populationSize] as RiderTimeline;
      return publicBufOf(tl, versionAt(tl, t));
    }
    const p = this.profile(ref);
    return Buffer.from(JSON.stringify(riderPublicObject(p, p.initial)));
  }

  /** Site signup-list entry (JSON bytes) of a rider at `t`. */
  riderSiteBufAt(ref: number, t: number): Buffer {
    if (ref >= this.populationSize) {
      const tl = this.timelines[ref - this.populationSize] as RiderTimeline;
      return siteBufOf(tl, versionAt(tl, t));
    }
    let b = this.fieldSiteBuf.get(ref);
    if (b === undefined) {
      const p = this.profile(ref);
      const json = riderSiteJson(p, p.initial);
      // A dedicated allocation (not a pool slice), so an evicted entry really frees its memory.
      b = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
      b.write(json);
      this.fieldSiteBuf.set(ref, b);
    }
    return b;
  }

  teamSignupFor(ev: SimEvent, ref: number): TeamSignup | undefined {
    return this.teamSignupByKey.get(this.signupKey(ev.index, ref));
  }

  /** The race and pen index of a Zwift subgroup id, or undefined for an unknown id. */
  subgroup(id: number): { ev: SimEvent; pen: number } | undefined {
    if (!this.subgroupIndex) {
      const index = new Map<number, number>();
      for (const ev of this.events) {
        for (let p = 0; p < ev.subgroupIds.length; p++)
          index.set(ev.subgroupIds[p] as number, ev.index * 16 + p);
      }
      this.subgroupIndex = index;
    }
    const v = this.subgroupIndex.get(id);
    return v === undefined ? undefined : { ev: this.events[v >>> 4] as SimEvent, pen: v & 15 };
  }

  /** The key of rider `ref`'s signup to event `eventIndex` in `teamSignupByKey`. */
  private signupKey(eventIndex: number, ref: number): number {
    return eventIndex * (this.populationSize + this.teamProfiles.length) + ref;
  }

  /** Index range [lo, hi) of events with start in (a, b]. */
  eventRange(a: number, b: number): [number, number] {
    return [countUpTo(this.eventStarts, a), countUpTo(this.eventStarts, b)];
  }

  /** Results as first published (cached). */
  initialResults(ev: SimEvent): RawResultRow[] {
    let rows = this.resultsCache.get(ev.eventId);
    if (!rows) {
      rows = computeResults(ev, {
        seed: this.seed,
        populationSize: this.populationSize,
        signups: this.signups,
        rider: (ref) => {
          if (ref >= this.populationSize) {
            const p = this.teamProfiles[ref - this.populationSize] as RiderProfile;
            return { riderId: p.riderId, name: p.name, core: TEAM_CORE };
          }
          const core = this.fieldCore(ref);
          return { riderId: this.ids.idOf(ref), name: core.name, core };
        },
        teamInput: (e, ref): TeamRaceInput | undefined => {
          const s = this.teamSignupFor(e, ref);
          if (!s) return undefined;
          return {
            riderId: s.riderId,
            ratingBefore: s.ratingBefore,
            max30Before: s.max30Before,
            max90Before: s.max90Before,
            dnf: s.dnf,
          };
        },
      });
      this.resultsCache.set(ev.eventId, rows);
    }
    return rows;
  }

  /** Result rows published at `t`, or null before they are available. */
  resultsAt(ev: SimEvent, t: number): RawResultRow[] | null {
    if (t < ev.resultsAt) return null;
    if (ev.correctedAt === null || t < ev.correctedAt) return this.initialResults(ev);
    let rows = this.correctedCache.get(ev.eventId);
    if (!rows) {
      rows = applyCorrection(ev, this.initialResults(ev), this.seed);
      this.correctedCache.set(ev.eventId, rows);
    }
    return rows;
  }
}

/** Placeholder: team riders' ratings come from their signup's inputs, not from a core. */
const TEAM_CORE: RiderCore = { name: '', unrated: false, rating: 0, max30: 0, max90: 0 };

function sitePrefix(ev: SimEvent): string {
  const json = JSON.stringify({
    eventId: ev.eventId,
    time: ev.startMs / 1000,
    routeId: ev.route.idStr,
    distance: ev.distanceM,
    title: ev.title,
    numLaps: String(ev.laps),
    type: 'Race',
    subType: ev.subType,
    staggeredStart: ev.staggeredStart,
    categories: ev.pens.join(','),
    signups: '',
  });
  return json.slice(0, -3);
}
