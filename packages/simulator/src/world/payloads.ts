/** Raw upstream payloads, serialised from the world at a virtual time. */
import { stream } from '../prng.ts';
import { HOUR, type SimEvent } from './events.ts';
import type { RawResultRow } from './results.ts';
import { allRoutes } from './series.ts';
import { countUpTo } from './signups.ts';
import { FEED_HORIZON_MS, type World } from './world.ts';

// ---------------------------------------------------------------------------------------------
// Site API

const COMMA = Buffer.from(',');
const CHUNK = 64 * 1024;
const POOL_MAX = 32;
/** Recycled 64 KB response chunks: a response's chunks return here once written to the socket. */
const chunkPool: Buffer[] = [];

function acquireChunk(min: number): Buffer {
  if (min <= CHUNK) {
    const b = chunkPool.pop();
    if (b) return b;
  }
  return Buffer.allocUnsafeSlow(Math.max(CHUNK, min));
}

/**
 * Accumulates response bytes without building large JS strings: pieces are copied into 64 KB
 * chunks (written to the socket as they are), so a response costs a few writes and no
 * large V8-heap string.
 */
export class ByteList {
  private readonly parts: Buffer[] = [];
  private current: Buffer | null = null;
  private used = 0;
  private length = 0;

  bytes(b: Buffer): this {
    const cur = this.current;
    if (cur && cur.length - this.used >= b.length) {
      cur.set(b, this.used);
      this.used += b.length;
      this.length += b.length;
      return this;
    }
    let offset = 0;
    while (offset < b.length) {
      if (!this.current || this.used === this.current.length) {
        if (this.current) this.parts.push(this.current);
        this.current = acquireChunk(b.length - offset);
        this.used = 0;
      }
      const n = Math.min(b.length - offset, this.current.length - this.used);
      this.current.set(offset === 0 && n === b.length ? b : b.subarray(offset, offset + n), this.used);
      this.used += n;
      offset += n;
    }
    this.length += b.length;
    return this;
  }

  text(s: string): this {
    if (s.length < 256 && !this.needsEncoding(s)) {
      // ASCII fast path: write straight into the chunk.
      if (!this.current || this.current.length - this.used < s.length)
        return this.bytes(Buffer.from(s, 'latin1'));
      this.current.write(s, this.used, 'latin1');
      this.used += s.length;
      this.length += s.length;
      return this;
    }
    return this.bytes(Buffer.from(s));
  }

  private needsEncoding(s: string): boolean {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true;
    return false;
  }

  get byteLength(): number {
    return this.length;
  }

  /** The chunks, in order. */
  get chunks(): Buffer[] {
    const out = [...this.parts];
    if (this.current && this.used > 0) out.push(this.current.subarray(0, this.used));
    return out;
  }

  /** A copy of the bytes in one buffer; the chunks go back to the pool. */
  toBuffer(): Buffer {
    const out = Buffer.concat(this.chunks, this.length);
    this.release();
    return out;
  }

  /** Return the chunks to the pool (call once they have been written). Idempotent. */
  release(): void {
    const all = this.current ? [...this.parts, this.current] : this.parts;
    for (const b of all) if (b.length === CHUNK && chunkPool.length < POOL_MAX) chunkPool.push(b);
    this.parts.length = 0;
    this.current = null;
    this.used = 0;
  }
}

/** `GET /api/events/upcoming`: races with now < start ≤ now + 7 d, counts at `t`. */
export function siteEventsBody(world: World, t: number): ByteList {
  const [lo, hi] = world.eventRange(t, t + FEED_HORIZON_MS);
  const out = new ByteList().text('[');
  for (let i = lo; i < hi; i++) {
    const ev = world.events[i] as SimEvent;
    if (i > lo) out.bytes(COMMA);
    out.bytes(ev.sitePrefixBuf).bytes(countsBytes(world, ev, t));
  }
  return out.text(']');
}

/** `"20,29,36"}`: the feed's counts of an event at `t`, cached until a signup or withdrawal. */
function countsBytes(world: World, ev: SimEvent, t: number): Buffer {
  if (t < ev.countsFrom || t >= ev.countsUntil) {
    const [from, until] = world.signups.stableWindow(ev, t);
    ev.countsBuf = Buffer.from(`"${world.signups.counts(ev, t).join(',')}"}`);
    ev.countsFrom = from;
    ev.countsUntil = until;
  }
  return ev.countsBuf;
}

/** Signed-up (not withdrawn) entries of an event at `t`, per pen: arrays of signup indices. */
export function signupIndicesAt(world: World, ev: SimEvent, t: number): number[][] {
  const sig = world.signups;
  const perPen: number[][] = ev.pens.map(() => []);
  const end = sig.endAt(ev, t);
  for (let j = ev.s0; j < end; j++) {
    if ((sig.wd[j] as number) <= t) continue;
    (perPen[sig.pen[j] as number] as number[]).push(j);
  }
  return perPen;
}

/** `GET /api/events/{id}/signups`: pens with riders sorted by rating (desc). */
export function siteSignupsBody(world: World, ev: SimEvent, t: number): ByteList {
  const perPen = signupIndicesAt(world, ev, t);
  const out = new ByteList().text('[');
  for (let p = 0; p < ev.pens.length; p++) {
    const idx = perPen[p] as number[];
    const refs = new Int32Array(idx.length);
    const ratings = new Float64Array(idx.length);
    const order = new Array<number>(idx.length);
    let sum = 0;
    let rated = 0;
    for (let i = 0; i < idx.length; i++) {
      const ref = world.signups.ref[idx[i] as number] as number;
      const rating = world.siteRatingAt(ref, t);
      refs[i] = ref;
      ratings[i] = rating;
      order[i] = i;
      if (rating > 0) {
        sum += rating;
        rated++;
      }
    }
    order.sort(
      (a, b) => (ratings[b] as number) - (ratings[a] as number) || (refs[a] as number) - (refs[b] as number),
    );
    out.text(
      `${p > 0 ? ',' : ''}{"name":${JSON.stringify(ev.pens[p])},"avgRating":${rated > 0 ? sum / rated : null},"ratedRiders":${rated},"riders":[`,
    );
    for (let i = 0; i < order.length; i++) {
      if (i > 0) out.bytes(COMMA);
      out.bytes(world.riderSiteBufAt(refs[order[i] as number] as number, t));
    }
    out.text(']}');
  }
  return out.text(']');
}

let routesJson: string | null = null;

/** `GET /api/routes` (shape of zwiftracing-internal-api-routes-item.json, as a list). */
export function siteRoutesJson(): string {
  if (routesJson) return routesJson;
  const difficulty = { Flat: '1.0', Rolling: '2.0', Hilly: '2.5', Mountainous: '4.0' } as const;
  routesJson = JSON.stringify(
    allRoutes().map((r) => ({
      _id: `61284748d4b60c0016${(r.id % 0xffffff).toString(16).padStart(6, '0')}`,
      eventOnly: r.eventOnly,
      world: r.worldName,
      routeId: r.idStr,
      name: r.name,
      distance: r.distanceKm,
      elevation: r.elevation,
      leadIn: r.leadInKm,
      __v: 0,
      profile: r.profile,
      url: r.url,
      difficulty: difficulty[r.profile],
      image: r.slug.toUpperCase().replace(/-/g, '_'),
      leadInDistance: r.leadInKm,
      leadInElevation: r.leadInElevation,
      updatedAt: '2025-11-09T15:45:27.830Z',
    })),
  );
  return routesJson;
}

// ---------------------------------------------------------------------------------------------
// Zwift public API

/** Zwift timestamps look like `2025-06-01T22:30:00.000+0000`. */
export function zwiftTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** How far ahead Zwift's feed reaches at `t`: 12–18 h, varying by the hour. */
export function zwiftHorizonMs(world: World, t: number): number {
  const hour = Math.floor(t / HOUR);
  return 12 * HOUR + Math.floor(stream(world.seed, 'zwift-horizon', hour).next() * 6 * HOUR);
}

export const ZWIFT_FEED_MAX = 200;

const PEN_LABEL_NUMBER: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5 };

function zwiftSubgroup(ev: SimEvent, p: number, count: number): Record<string, unknown> {
  const label = ev.pens[p] as string;
  const start = ev.startMs + (ev.staggeredStart ? p * 60_000 : 0);
  return {
    id: ev.subgroupIds[p],
    name: `${ev.title} (${label})`,
    description: '',
    label: PEN_LABEL_NUMBER[label] ?? 6 + p,
    subgroupLabel: label,
    rulesId: 2116,
    mapId: ev.route.worldId,
    routeId: ev.route.id,
    routeUrl: null,
    jerseyHash: null,
    bikeHash: null,
    startLocation: p + 1,
    invitedLeaders: [],
    invitedSweepers: [],
    paceType: 1,
    fromPaceValue: 0.0,
    toPaceValue: 0.0,
    fieldLimit: null,
    registrationStart: zwiftTime(start - 30 * 60_000),
    registrationEnd: zwiftTime(start),
    lineUpStart: zwiftTime(start - 5 * 60_000),
    lineUpEnd: zwiftTime(start),
    eventSubgroupStart: zwiftTime(start),
    durationInSeconds: 0,
    laps: ev.laps,
    distanceInMeters: 0.0,
    signedUp: false,
    signupStatus: 0,
    registered: false,
    registrationStatus: 0,
    followeeEntrantCount: 0,
    totalEntrantCount: count,
    followeeSignedUpCount: 0,
    totalSignedUpCount: count,
    followeeJoinedCount: 0,
    totalJoinedCount: 0,
    auxiliaryUrl: '',
    rulesSet: ['SHOW_RACE_RESULTS', 'NO_TT_BIKES'],
    workoutHash: null,
    customUrl: '',
    overrideMapPreferences: false,
    tags: ['ranked'],
    lateJoinInMinutes: null,
    timeTrialOptions: null,
    accessValidationResult: null,
    accessRules: [],
    rangeAccessLabel: null,
  };
}

function zwiftEvent(args: {
  id: number;
  name: string;
  worldId: number;
  routeId: number;
  startMs: number;
  laps: number;
  durationS: number;
  race: boolean;
  subgroups: Record<string, unknown>[];
  seriesName: string | null;
  seriesId: number | null;
}): Record<string, unknown> {
  const total = args.subgroups.reduce((a, s) => a + (s['totalEntrantCount'] as number), 0);
  const rules = args.race ? ['SHOW_RACE_RESULTS', 'NO_TT_BIKES'] : ['NO_TT_BIKES', 'ALLOWS_LATE_JOIN'];
  return {
    id: args.id,
    worldId: 1,
    name: args.name,
    description: args.race ? 'Race. Results on ZwiftPower and ZwiftRacing.app.' : 'Social group ride.',
    shortName: null,
    shortDescription: null,
    imageUrl: 'https://cdn.zwift.com/static/events_headers/cycling/race.jpg',
    rulesId: args.race ? 2116 : 260,
    mapId: args.worldId,
    routeId: args.routeId,
    routeUrl: null,
    jerseyHash: null,
    bikeHash: null,
    visible: true,
    overrideMapPreferences: false,
    eventStart: zwiftTime(args.startMs),
    durationInSeconds: args.durationS,
    distanceInMeters: 0.0,
    laps: args.laps,
    privateEvent: false,
    invisibleToNonParticipants: true,
    followeeEntrantCount: 0,
    totalEntrantCount: total,
    followeeSignedUpCount: 0,
    totalSignedUpCount: total,
    followeeJoinedCount: 0,
    totalJoinedCount: 0,
    eventSubgroups: args.subgroups,
    eventSeries:
      args.seriesId === null
        ? null
        : { id: args.seriesId, name: args.seriesName, description: null, imported: false },
    auxiliaryUrl: '',
    imageS3Name: null,
    imageS3Bucket: null,
    sport: 'CYCLING',
    cullingType: args.race ? 'CULLING_SUBGROUP_ONLY' : 'CULLING_EVENT_ONLY',
    rulesSet: rules,
    recurring: !args.race,
    recurringOffset: args.race ? null : 7,
    publishRecurring: !args.race,
    parentId: args.id - 7_919,
    type: args.race ? 'EVENT_TYPE_RACE' : 'EVENT_TYPE_GROUP_RIDE',
    workoutHash: null,
    customUrl: '',
    restricted: false,
    unlisted: false,
    eventSecret: null,
    accessExpression: null,
    tags: args.race ? ['ranked'] : ['communityevent'],
    lateJoinInMinutes: args.race ? null : 30,
    timeTrialOptions: null,
    microserviceName: 'clubs',
    microserviceExternalResourceId: externalResourceId(args.id),
    microserviceEventVisibility: 'PUBLIC',
    minGameVersion: null,
    recordable: false,
    imported: false,
    eventTemplateId: null,
    categoryEnforcement: args.race,
    rangeAccessLabel: null,
    eventType: args.race ? 'RACE' : 'GROUP_RIDE',
  };
}

/** A stable uuid-like id (Zwift's clubs microservice resource id). */
function externalResourceId(id: number): string {
  const h = (n: number): string => (Math.imul(id ^ n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  const a = h(1) + h(2) + h(3) + h(4);
  return `${a.slice(0, 8)}-${a.slice(8, 12)}-4${a.slice(13, 16)}-8${a.slice(17, 20)}-${a.slice(20, 32)}`;
}

/** `GET /api/public/events/upcoming` (Zwift): ≤ 200 events, races and group rides, 12–18 h ahead. */
export function zwiftEventsJson(world: World, t: number): string {
  const until = t + zwiftHorizonMs(world, t);
  const [lo, hi] = world.eventRange(t, until);
  const items: { start: number; id: number; obj: () => Record<string, unknown> }[] = [];
  for (let i = lo; i < hi; i++) {
    const ev = world.events[i] as SimEvent;
    items.push({
      start: ev.startMs,
      id: ev.idNum,
      obj: () => {
        const counts = world.signups.counts(ev, t);
        return zwiftEvent({
          id: ev.idNum,
          name: ev.title,
          worldId: ev.route.worldId,
          routeId: ev.route.id,
          startMs: ev.startMs,
          laps: ev.laps,
          durationS: 0,
          race: true,
          subgroups: ev.pens.map((_, p) => zwiftSubgroup(ev, p, counts[p] as number)),
          seriesName: ev.series.name,
          seriesId: 10_000 + ev.series.index,
        });
      },
    });
  }
  const rlo = countUpTo(world.rideStarts, t);
  const rhi = countUpTo(world.rideStarts, until);
  for (let i = rlo; i < rhi; i++) {
    const r = world.rides[i];
    if (!r) continue;
    items.push({
      start: r.startMs,
      id: r.idNum,
      obj: () =>
        zwiftEvent({
          id: r.idNum,
          name: r.title,
          worldId: r.route.worldId,
          routeId: r.route.id,
          startMs: r.startMs,
          laps: 0,
          durationS: r.durationS,
          race: false,
          subgroups: [],
          seriesName: null,
          seriesId: null,
        }),
    });
  }
  items.sort((a, b) => a.start - b.start || a.id - b.id);
  return JSON.stringify(items.slice(0, ZWIFT_FEED_MAX).map((i) => i.obj()));
}

// ---------------------------------------------------------------------------------------------
// Public API: results

/** `GET /public/results/{eventId}` object form (shape of zwiftracing-public-results-event.json). */
export function resultsObject(ev: SimEvent, rows: RawResultRow[]): Record<string, unknown> {
  return {
    eventId: ev.eventId,
    time: ev.startMs / 1000,
    routeId: ev.route.idStr,
    distance: ev.distanceM / 1000,
    elevation: ev.elevationM,
    title: ev.title,
    type: 'Race',
    subType: ev.subType,
    results: rows,
  };
}

function flag(rng: { next(): number }): number {
  return rng.next() < 0.4 ? 1 : 0;
}

/** `GET /public/zp/{eventId}/results` (shape of zwiftracing-public-zp-results.json). */
export function zpResultsJson(world: World, ev: SimEvent, rows: RawResultRow[]): string {
  const byTime = [...rows].sort((a, b) => a.time - b.time || a.riderId - b.riderId);
  const out = byTime.map((row, index) => {
    const ref = world.refOfRiderId(row.riderId);
    const profile = world.profile(ref);
    const dyn = world.statsAt(ref, ev.startMs);
    const rng = stream(world.seed, 'zp', ev.eventId, row.riderId);
    const ftp = dyn.zpFTP;
    const intensity = rng.float(0.88, 1.08);
    const avg = Math.round(ftp * intensity);
    const np = Math.round(avg * rng.float(1.0, 1.06));
    const w = dyn.weight;
    const curve = dyn.w.map((x) => Math.round(x * rng.float(0.9, 1.0)));
    const pos = index + 1;
    const penNumber = PEN_LABEL_NUMBER[row.category] ?? 5;
    const club = profile.club;
    const hr = rng.int(150, 185);
    const skill = rng.float(20, 90);
    const o: Record<string, unknown> = {
      DT_RowId: '',
      ftp: String(ftp),
      friend: 0,
      pt: '',
      label: String(penNumber),
      zid: ev.eventId,
      pos,
      position_in_cat: row.positionInCategory,
      name: row.name,
      cp: 1,
      zwid: row.riderId,
      res_id: `${ev.eventId}.${pos}`,
      lag: 0,
      uid: `${ev.idNum * 100 + (pos % 100)}${String(pos).padStart(5, '0')}`,
      time: [row.time, flag(rng)],
      time_gun: row.time,
      gap: row.gap ?? 0,
      vtta: 0,
      vttat: 0,
      male: profile.gender === 'M' ? 1 : 0,
      tid: club ? String(club.id) : '',
      topen: club ? '1' : '',
      tname: club ? club.name : '',
      tc: club ? 'ffd808' : '',
      tbc: club ? '1c1300' : '',
      tbd: club ? 'ffffff' : '',
      zeff: 1,
      category: row.category,
      height: [profile.height, 0],
      flag: profile.country,
      avg_hr: [hr, 0],
      max_hr: [hr + rng.int(3, 15), 0],
      hrmax: [0, 0],
      hrm: 1,
      weight: [w.toFixed(1), 0],
      power_type: 3,
      display_pos: 1,
      src: 1,
      age: profile.age,
      zada: 0,
      note: '',
      div: penNumber * 10,
      divw: 0,
      skill: skill.toFixed(2),
      skill_b: (skill * rng.float(0.8, 1.2)).toFixed(2),
      skill_gain: rng.float(0, 20).toFixed(2),
      np: [np, flag(rng)],
      hrr: [(avg / hr).toFixed(2), 0],
      hreff: [String(Math.round((np / hr) * 10)), flag(rng)],
      avg_power: [avg, flag(rng)],
      avg_wkg: [(avg / w).toFixed(1), flag(rng)],
      wkg_ftp: [(ftp / w).toFixed(1), flag(rng)],
      wftp: [ftp, flag(rng)],
      wkg_guess: 0,
    };
    const durations = [1200, 300, 120, 60, 30, 15, 5];
    for (const d of durations) {
      const i = [5, 15, 30, 60, 120, 300, 1200].indexOf(d);
      o[`wkg${d}`] = [((curve[i] as number) / w).toFixed(1), flag(rng)];
    }
    for (const d of durations) {
      const i = [5, 15, 30, 60, 120, 300, 1200].indexOf(d);
      o[`w${d}`] = [String(curve[i]), flag(rng)];
    }
    Object.assign(o, {
      is_guess: 0,
      upg: 0,
      penalty: '',
      reg: 1,
      fl: '',
      pts: '',
      pts_pos: '',
      info: 0,
      info_notes: [],
      log: 0,
      lead: 0,
      sweep: 0,
      actid: '',
      anal: 0,
    });
    return o;
  });
  return JSON.stringify(out);
}
