import { DecayedCounts } from './decayed-counts.js';
import { poissonUpper } from './poisson-upper.js';

/** Cells: hour of the day (UTC) × weekday (UTC, Sunday first), index `weekday * 24 + hour`. */
const CELLS = 24 * 7;
/** Iterations of the proportional fit (it converges in a few on a 24 × 7 table). */
const FIT_ROUNDS = 25;

/** Persisted form of {@link StartTimeAffinity}: decayed counts per cell at `at`. */
export interface StartTimeSnapshot {
  /** Time the counts were decayed to (epoch ms). */
  at: number;
  /** Races that started with team riders signed up, per cell (`weekday * 24 + hour`, UTC). */
  teamRaces: number[];
  /** Races that started, per cell. */
  races: number[];
}

/** Per hour and per weekday: how much less often than average the team races then, in (0, 1]. */
interface Factors {
  hour: number[];
  weekday: number[];
}

/**
 * Learns when the team races: per UTC hour of the day × weekday of a race's start, how many races
 * started with team riders signed up, against how many races started then (both decayed with one
 * half-life). Races are counted, not riders: a team race with ten riders is one observation, so the
 * counts stay close to Poisson.
 *
 * The rate is modelled as an hour effect times a weekday effect, fitted to the table by iterative
 * proportional fitting, so each is judged against the other: an evening team's mornings are rare
 * on every weekday, and today — whose evening has not come yet — is not rare for it. {@link share}
 * says how much less often than average the team rides races starting at a given time, only where
 * the data shows it with confidence: for the hour, the upper bound of its team races against what
 * an average hour would have given on the same weekdays (and the same for the weekday), each capped
 * at 1, multiplied. A team without such a pattern, or with too little history, gets 1 everywhere.
 * Counting both sides when races start keeps the ratio unbiased on a cold start (a race's signups
 * are not counted before the race itself is).
 */
export class StartTimeAffinity {
  /** Team races and races per cell. */
  readonly #counts: DecayedCounts;
  readonly #teamRaces: number[];
  readonly #races: number[];
  #factors: Factors | null = null;

  constructor(options: { halfLifeMs: number }, snapshot?: StartTimeSnapshot) {
    this.#counts = new DecayedCounts(options.halfLifeMs, [CELLS, CELLS]);
    [this.#teamRaces, this.#races] = this.#counts.tables as [number[], number[]];
    if (snapshot) this.restore(snapshot);
  }

  /** The UTC hour of the day and weekday (0 = Sunday) of a start. */
  static timeOf(startsAt: number): { hour: number; weekday: number } {
    const start = new Date(startsAt);
    return { hour: start.getUTCHours(), weekday: start.getUTCDay() };
  }

  #decayTo(now: number): void {
    // Ratios, hence the fitted effects, stay; only the evidence shrinks.
    if (this.#counts.decayTo(now)) this.#factors = null;
  }

  /** Records a race that started at `startsAt`, with team riders signed up (`teamRace`) or not. */
  observeStart(startsAt: number, teamRace: boolean, now: number): void {
    this.#decayTo(now);
    const { hour, weekday } = StartTimeAffinity.timeOf(startsAt);
    const cell = weekday * 24 + hour;
    this.#races[cell] = (this.#races[cell] as number) + 1;
    if (teamRace) this.#teamRaces[cell] = (this.#teamRaces[cell] as number) + 1;
    this.#factors = null;
  }

  /**
   * In (0, 1]: how much less often than average the team races at `startsAt`'s hour of the day,
   * times the same for its weekday — each the upper confidence bound of that time's team races
   * against what an average time would have given, capped at 1.
   */
  share(startsAt: number, now: number): number {
    this.#decayTo(now);
    this.#factors ??= this.#fit();
    const { hour, weekday } = StartTimeAffinity.timeOf(startsAt);
    return (this.#factors.hour[hour] as number) * (this.#factors.weekday[weekday] as number);
  }

  /** Fits rate(h, d) = a[h] × b[d] to the table, then bounds each effect. */
  #fit(): Factors {
    const n = (h: number, d: number) => this.#races[d * 24 + h] as number;
    const hourTeam = new Array<number>(24).fill(0);
    const dayTeam = new Array<number>(7).fill(0);
    let total = 0;
    for (let d = 0; d < 7; d++) {
      for (let h = 0; h < 24; h++) {
        const s = this.#teamRaces[d * 24 + h] as number;
        hourTeam[h] = (hourTeam[h] as number) + s;
        dayTeam[d] = (dayTeam[d] as number) + s;
        total += s;
      }
    }
    const ones = { hour: new Array<number>(24).fill(1), weekday: new Array<number>(7).fill(1) };
    if (total <= 0) return ones;
    const a = new Array<number>(24).fill(1);
    const b = new Array<number>(7).fill(1);
    for (let round = 0; round < FIT_ROUNDS; round++) {
      for (let h = 0; h < 24; h++) {
        let exposure = 0;
        for (let d = 0; d < 7; d++) exposure += n(h, d) * (b[d] as number);
        a[h] = exposure > 0 ? (hourTeam[h] as number) / exposure : 0;
      }
      for (let d = 0; d < 7; d++) {
        let exposure = 0;
        for (let h = 0; h < 24; h++) exposure += n(h, d) * (a[h] as number);
        b[d] = exposure > 0 ? (dayTeam[d] as number) / exposure : 0;
      }
    }
    // An hour's exposure on the weekdays as they are, and a weekday's at the hours as they are.
    const hourExposure = a.map((_, h) => {
      let e = 0;
      for (let d = 0; d < 7; d++) e += n(h, d) * (b[d] as number);
      return e;
    });
    const dayExposure = b.map((_, d) => {
      let e = 0;
      for (let h = 0; h < 24; h++) e += n(h, d) * (a[h] as number);
      return e;
    });
    const bound = (observed: number[], exposure: number[]): number[] => {
      // The average effect: what makes the expected total equal the observed one.
      const sum = exposure.reduce((x, y) => x + y, 0);
      if (sum <= 0) return observed.map(() => 1);
      const average = total / sum;
      return observed.map((s, i) => {
        const expected = average * (exposure[i] as number);
        // Too few races at that time (on the days, or at the hours, the team races) to say anything.
        if (expected < 1) return 1;
        return Math.min(1, poissonUpper(s) / expected);
      });
    };
    return { hour: bound(hourTeam, hourExposure), weekday: bound(dayTeam, dayExposure) };
  }

  snapshot(): StartTimeSnapshot {
    return { at: this.#counts.at, teamRaces: [...this.#teamRaces], races: [...this.#races] };
  }

  /** Restores a snapshot (a malformed one is ignored). */
  restore(snapshot: StartTimeSnapshot): void {
    if (this.#counts.restore(snapshot.at, [snapshot.teamRaces, snapshot.races])) this.#factors = null;
  }
}
