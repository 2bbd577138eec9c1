/** Normalised records returned by the client. Plain JSON-serialisable objects; absent values are `null`. */

/** Power values by key: `wkg5…wkg1200`, `w5…w1200`, `CP`, `AWC`, `compoundScore`, `powerRating?`. */
export type RiderPower = Record<string, number>;

/** A rating snapshot. `date`/`expires` epoch ms. */
export interface RatingPoint {
  rating: number;
  date: number | null;
  expires: number | null;
  mixed: { category: string; number: number } | null;
}

/** Race statistics of a rider. Missing counters read 0 (they are counts); missing points `null`. */
export interface RiderRace {
  last: RatingPoint | null;
  current: RatingPoint | null;
  max30: RatingPoint | null;
  max90: RatingPoint | null;
  finishes: number;
  dnfs: number;
  wins: number;
  podiums: number;
}

/** A rider of the public API. */
export interface Rider {
  riderId: number;
  name: string;
  gender: string | null;
  country: string | null;
  age: string | null;
  height: number | null;
  weight: number | null;
  zpCategory: string | null;
  zpFTP: number | null;
  power: RiderPower;
  race: RiderRace | null;
  handicaps: { flat: number; rolling: number; hilly: number; mountainous: number } | null;
  phenotype: { value: string | null; bias: number | null; scores: Record<string, number> } | null;
  club: { id: number; name: string } | null;
}

/** An upcoming race of the site API (`events.upcoming`). */
export interface RaceEvent {
  eventId: string;
  /** Epoch ms. */
  startsAt: number;
  routeId: string | null;
  distanceMeters: number | null;
  laps: number | null;
  title: string;
  type: string | null;
  subType: string | null;
  staggeredStart: boolean;
  categories: string[];
  /** Pen label → signup count, from `categories` / `signups`. */
  signupCounts: Record<string, number>;
}

/** A rider signed up for an event. */
export interface SignupRider {
  riderId: number;
  name: string;
  pen: string;
  rating: number | null;
  weight: number | null;
  height: number | null;
  clubId: number | null;
  clubName: string | null;
}

/** A pen (category) of an event's signups. */
export interface SignupPen {
  label: string;
  avgRating: number | null;
  ratedRiders: number | null;
  riders: SignupRider[];
}

/** A row of ZwiftRacing results. */
export interface ResultRow {
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
  ratingMax30: number | null;
  ratingMax90: number | null;
}

/** A row of ZwiftPower results (power, HR and body values as numbers or `null`). */
export interface ZwiftPowerResultRow {
  riderId: number;
  name: string;
  category: string | null;
  position: number | null;
  positionInCategory: number | null;
  timeSeconds: number | null;
  gap: number | null;
  avgPower: number | null;
  avgWkg: number | null;
  normalizedPower: number | null;
  /** `wftp`. */
  wattsFtp: number | null;
  /** `ftp`. */
  ftp: number | null;
  weight: number | null;
  height: number | null;
  avgHr: number | null;
  maxHr: number | null;
  wkg5: number | null;
  wkg15: number | null;
  wkg30: number | null;
  wkg60: number | null;
  wkg120: number | null;
  wkg300: number | null;
  wkg1200: number | null;
  w5: number | null;
  w15: number | null;
  w30: number | null;
  w60: number | null;
  w120: number | null;
  w300: number | null;
  w1200: number | null;
  teamName: string | null;
  /** ZwiftPower's `flag` (country code, e.g. `gb-wls`). */
  country: string | null;
  ageCategory: string | null;
}

/** A Zwift route (site API). */
export interface Route {
  routeId: string;
  name: string;
  distanceMeters: number | null;
  elevationMeters: number | null;
  world: string | null;
  profile: string | null;
  eventOnly: boolean | null;
  url: string | null;
  difficulty: number | null;
}

/** A subgroup (pen) of a Zwift event. */
export interface ZwiftSubgroup {
  subgroupId: number;
  label: string | null;
  /** Epoch ms. */
  startsAt: number | null;
  routeId: string | null;
  laps: number | null;
  distanceMeters: number | null;
  durationSeconds: number | null;
  entrantCount: number | null;
  signedUpCount: number | null;
}

/** An upcoming event of Zwift's own API (`zwift.events.upcoming`). */
export interface ZwiftEvent {
  eventId: string;
  /** Epoch ms. */
  startsAt: number;
  title: string;
  routeId: string | null;
  distanceMeters: number | null;
  durationSeconds: number | null;
  laps: number | null;
  type: string | null;
  sport: string | null;
  worldId: number | null;
  mapId: number | null;
  categories: string[];
  /** Pen label → `totalEntrantCount`. */
  signupCounts: Record<string, number>;
  subgroups: ZwiftSubgroup[];
}

/** A record of a list that failed validation: skipped, reported, the rest returned. */
export interface SkippedRecord {
  endpoint: string;
  /** Index of the record in its list. */
  index: number;
  /** Path in the payload, e.g. `[3].riderId` or `riders[3].riderId`. */
  path: string;
  message: string;
  /** At most 200 characters of the record (API key redacted). */
  excerpt: string;
}

/** `riders.getMany` result. */
export interface RidersResult {
  riders: Map<number, Rider>;
  /** Requested ids absent from the answer. */
  missing: number[];
  skipped: SkippedRecord[];
}

/** `clubs.members` result. */
export interface ClubMembersResult {
  clubId: number;
  name: string | null;
  riders: Rider[];
  skipped: SkippedRecord[];
}

/** `clubs.membersPage` result: one page of a club's members. */
export interface ClubMembersPage extends ClubMembersResult {
  /**
   * Where the next page starts (the `after` to pass on), or null when this page was the last (it
   * was not full).
   */
  next: number | null;
}

/** `results.forEvent` result. */
export interface EventResults {
  eventId: string;
  startsAt: number | null;
  routeId: string | null;
  distanceMeters: number | null;
  elevationMeters: number | null;
  title: string | null;
  type: string | null;
  subType: string | null;
  results: ResultRow[];
  skipped: SkippedRecord[];
}

/** `results.zwiftPower` result. */
export interface ZwiftPowerResults {
  eventId: string;
  results: ZwiftPowerResultRow[];
  skipped: SkippedRecord[];
}

/** `events.upcoming` result. */
export interface UpcomingEvents {
  events: RaceEvent[];
  skipped: SkippedRecord[];
}

/** `events.signups` result. */
export interface EventSignups {
  eventId: string;
  pens: SignupPen[];
  /** All pens flattened, deduped by riderId (first pen wins). */
  riders: SignupRider[];
  skipped: SkippedRecord[];
}

/** `routes.list` result. */
export interface RoutesResult {
  routes: Route[];
  skipped: SkippedRecord[];
}

/** `zwift.events.upcoming` result. */
export interface ZwiftUpcomingEvents {
  events: ZwiftEvent[];
  skipped: SkippedRecord[];
}

/**
 * A pen of an event of Zwift's authenticated event search, as the account sees it.
 * `followeeEntrantCount`: signed-up riders the account follows; `null` = no signal (never `0` for
 * "missing").
 */
export interface ZwiftFeedSubgroup {
  /** Zwift's subgroup id, as text (pass it to `zwift.subgroups.entrants`). */
  subgroupId: string;
  /** Pen label (`subgroupLabel`), e.g. `"B"`. */
  label: string | null;
  /** Epoch ms. */
  startsAt: number | null;
  followeeEntrantCount: number | null;
  totalEntrantCount: number | null;
}

/** An event of Zwift's authenticated event search (`zwift.events.search`). */
export interface ZwiftFeedEvent {
  /** Zwift event id — the id the ZwiftRacing feeds use. */
  eventId: string;
  title: string;
  /** Epoch ms. */
  startsAt: number;
  /** `eventType` (e.g. `RACE`), else `type`. */
  type: string | null;
  /** Signed-up riders the account follows; `null` = no signal. */
  followeeEntrantCount: number | null;
  totalEntrantCount: number | null;
  subgroups: ZwiftFeedSubgroup[];
}

/** Result of `zwift.events.search`. */
export interface ZwiftFeedSearch {
  events: ZwiftFeedEvent[];
  /** The answer held `limit` events: there may be more in the range — split it and search again. */
  truncated: boolean;
  skipped: SkippedRecord[];
}

/** A rider signed up to a pen, from `zwift.subgroups.entrants`. */
export interface ZwiftEntrant {
  riderId: number;
  /** `firstName + ' ' + lastName`, trimmed (`''` when Zwift sends neither). */
  name: string;
}

/** Result of `zwift.subgroups.entrants`. */
export interface ZwiftSubgroupEntrants {
  subgroupId: string;
  /** Deduped by `riderId` (upstream pages overlap), in the order first seen. */
  riders: ZwiftEntrant[];
  /** Pages fetched (each took a `zwift-entrants` token). */
  pages: number;
  skipped: SkippedRecord[];
}
