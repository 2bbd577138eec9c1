const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Bins: 24 hours of the day (UTC), then 7 weekdays (UTC, Sunday first). */
const BINS = 24 + 7;

/** Persisted form of {@link StartTimeAffinity}: decayed counts per bin at `at`. */
export interface StartTimeSnapshot {
  /** Time the counts were decayed to (epoch ms). */
  at: number;
  /** Races that started with team riders signed up, per bin (24 hours, then 7 weekdays). */
  teamRaces: number[];
  /** Races that started, per bin. */
  races: number[];
}

/**
 * One-sided ≈ 95 % upper confidence bound of a Poisson mean from an observed count (a normal
 * approximation with a continuity term): 2.96 for 0 and 17.5 for 10, where the exact bounds are
 * 3.00 and 17.0 — close enough to decide "significantly rarer than average".
 */
function poissonUpper(observed: number): number {
  return observed + 1 + 1.96 * Math.sqrt(observed + 1);
}

/**
 * Learns when the team races: per hour of the day and per weekday (UTC) of a race's start, how many
 * races started with team riders signed up, against how many races started then (both decayed with
 * one half-life). {@link share} says how much less often than average the team rides races starting
 * at a given time — only where the data shows it with confidence: the upper bound of that time's
 * share of team races, relative to all hours, capped at 1. Races are counted, not riders: a team
 * race with ten riders is one observation, so the counts stay close to Poisson. A team that races
 * evenings gets a small share for morning races once enough mornings went by without it; a team
 * without such a pattern (or with too little history) gets 1 everywhere. Counting both sides when
 * races start keeps the ratio unbiased on a cold start (a race's signups are not counted before
 * the race itself is).
 */
export class StartTimeAffinity {
  readonly #halfLifeMs: number;
  #at = Number.NaN;
  #teamRaces = new Array<number>(BINS).fill(0);
  #races = new Array<number>(BINS).fill(0);

  constructor(options: { halfLifeMs: number }, snapshot?: StartTimeSnapshot) {
    this.#halfLifeMs = options.halfLifeMs;
    if (snapshot) this.restore(snapshot);
  }

  static bins(startsAt: number): [hour: number, weekday: number] {
    const hour = Math.floor((((startsAt % DAY) + DAY) % DAY) / HOUR);
    // 1970-01-01 was a Thursday (weekday 4, Sunday = 0).
    const weekday = (((Math.floor(startsAt / DAY) + 4) % 7) + 7) % 7;
    return [hour, 24 + weekday];
  }

  #decayTo(now: number): void {
    if (Number.isNaN(this.#at)) {
      this.#at = now;
      return;
    }
    if (now <= this.#at) return;
    const f = 0.5 ** ((now - this.#at) / this.#halfLifeMs);
    for (let i = 0; i < BINS; i++) {
      this.#teamRaces[i] = (this.#teamRaces[i] as number) * f;
      this.#races[i] = (this.#races[i] as number) * f;
    }
    this.#at = now;
  }

  /** Records a race that started at `startsAt`, with team riders signed up (`teamRace`) or not. */
  observeStart(startsAt: number, teamRace: boolean, now: number): void {
    this.#decayTo(now);
    for (const bin of StartTimeAffinity.bins(startsAt)) {
      this.#races[bin] = (this.#races[bin] as number) + 1;
      if (teamRace) this.#teamRaces[bin] = (this.#teamRaces[bin] as number) + 1;
    }
  }

  /**
   * In (0, 1]: the upper confidence bound of the share of team races among the races starting at
   * `startsAt`'s hour of the day, relative to all hours, times the same for its weekday; each
   * factor capped at 1.
   */
  share(startsAt: number, now: number): number {
    this.#decayTo(now);
    let teamRaces = 0;
    let races = 0;
    for (let h = 0; h < 24; h++) {
      teamRaces += this.#teamRaces[h] as number;
      races += this.#races[h] as number;
    }
    if (teamRaces <= 0 || races <= 0) return 1;
    const perRace = teamRaces / races;
    let share = 1;
    for (const bin of StartTimeAffinity.bins(startsAt)) {
      const expected = perRace * (this.#races[bin] as number);
      // Too few races at that time to say anything.
      if (expected < 1) continue;
      share *= Math.min(1, poissonUpper(this.#teamRaces[bin] as number) / expected);
    }
    return share;
  }

  snapshot(): StartTimeSnapshot {
    return { at: this.#at, teamRaces: [...this.#teamRaces], races: [...this.#races] };
  }

  restore(snapshot: StartTimeSnapshot): void {
    const ok = (a: unknown): a is number[] =>
      Array.isArray(a) && a.length === BINS && a.every((x) => typeof x === 'number' && x >= 0);
    if (typeof snapshot.at !== 'number' || !ok(snapshot.teamRaces) || !ok(snapshot.races)) return;
    this.#at = snapshot.at;
    this.#teamRaces = [...snapshot.teamRaces];
    this.#races = [...snapshot.races];
  }
}
