import { DecayedCounts } from './decayed-counts.js';
import { poissonUpper } from './poisson-upper.js';

const HOUR = 3_600_000;
/** Width of one lead bin. */
export const LEAD_BIN_MS = HOUR;

/** Persisted form of {@link SignupLeadAffinity}: decayed counts per lead bin at `at`. */
export interface SignupLeadSnapshot {
  /** Time the counts were decayed to (epoch ms). */
  at: number;
  /** Width of a bin (ms); a snapshot with another width is not restored. */
  binMs: number;
  /** Races found with their first team signup, per lead bin (bin `i`: leads `[i, i + 1) × binMs`). */
  found: number[];
  /** Hours races without team signups spent watched at each lead bin. */
  watched: number[];
}

/**
 * Learns how long before a start the team signs up to a race nobody on the team is in yet — the
 * signups the near sweep looks for. Per lead bin (`LEAD_BIN_MS`, over the near window): how many
 * races were found with their first team signup, against how long races without team signups were
 * watched at that lead (both decayed with one half-life). A found signup happened between the
 * race's previous fetch and the one that found it, so its weight is spread over the leads of that
 * interval: a bin swept less often is not credited with less, which would feed on itself.
 * Only races fetched before are watched or found (a signup that came before the first fetch has no
 * known lead).
 *
 * {@link share} says how much less often than average the team's first signups come at the leads
 * of a range, only where the data shows it with confidence: the one-sided ~95 % upper bound of a
 * bin's found races against what the average rate would have given in its watched hours, capped
 * at 1, the largest over the range. A team without a pattern, or with too little history, gets 1.
 */
export class SignupLeadAffinity {
  readonly #bins: number;
  /** Found races and watched race-hours per lead bin. */
  readonly #counts: DecayedCounts;
  readonly #found: number[];
  readonly #watched: number[];
  #shares: number[] | null = null;

  /** `windowMs`: the leads learned (the near window); leads beyond it are not counted. */
  constructor(options: { halfLifeMs: number; windowMs: number }, snapshot?: SignupLeadSnapshot) {
    this.#bins = Math.max(1, Math.ceil(options.windowMs / LEAD_BIN_MS));
    this.#counts = new DecayedCounts(options.halfLifeMs, [this.#bins, this.#bins]);
    [this.#found, this.#watched] = this.#counts.tables as [number[], number[]];
    if (snapshot) this.restore(snapshot);
  }

  #decayTo(now: number): void {
    if (this.#counts.decayTo(now)) this.#shares = null;
  }

  /** Adds `weight` spread evenly over the leads `[from, to]` (ms before the start) to `bins`. */
  #spread(bins: number[], from: number, to: number, weight: number): void {
    const span = to - from;
    if (!(span > 0) || !(weight > 0)) return;
    const end = Math.min(to, this.#bins * LEAD_BIN_MS);
    for (let i = Math.max(0, Math.floor(from / LEAD_BIN_MS)); i * LEAD_BIN_MS < end; i++) {
      const overlap = Math.min(end, (i + 1) * LEAD_BIN_MS) - Math.max(from, i * LEAD_BIN_MS);
      if (overlap > 0) bins[i] = (bins[i] as number) + (weight * overlap) / span;
    }
    this.#shares = null;
  }

  /**
   * A race without team signups (fetched before) was watched from `from` to `to` (clock ms): its
   * leads over that time count as watched.
   */
  observeWatched(startsAt: number, from: number, to: number, now: number): void {
    this.#decayTo(now);
    const lo = Math.max(0, startsAt - to);
    const hi = startsAt - from;
    // Race-hours: the watched time itself (its weight is its length).
    this.#spread(this.#watched, lo, hi, Math.max(0, hi - lo) / HOUR);
  }

  /**
   * A race without team signups at its fetch at `previousAt` had some at `foundAt`: its first team
   * signup came at a lead between `startsAt - foundAt` and `startsAt - previousAt`.
   */
  observeFound(startsAt: number, previousAt: number, foundAt: number, now: number): void {
    this.#decayTo(now);
    const lo = Math.max(0, startsAt - foundAt);
    const hi = startsAt - previousAt;
    if (hi <= lo) return;
    this.#spread(this.#found, lo, hi, 1);
  }

  /**
   * In (0, 1]: the largest, over the leads `[from, to]` (ms before the start), of how much less
   * often than average the team's first signup to a race comes at that lead.
   */
  share(from: number, to: number, now: number): number {
    this.#decayTo(now);
    this.#shares ??= this.#fit();
    const first = Math.floor(Math.max(0, from) / LEAD_BIN_MS);
    // A range reaching beyond the learned leads takes the last bin's share there.
    const last = Math.min(this.#bins - 1, Math.floor(Math.max(0, to) / LEAD_BIN_MS));
    let share = 0;
    for (let i = first; i <= last; i++) share = Math.max(share, this.#shares[i] as number);
    return share > 0 ? share : 1;
  }

  #fit(): number[] {
    const found = this.#found.reduce((a, b) => a + b, 0);
    const watched = this.#watched.reduce((a, b) => a + b, 0);
    if (found <= 0 || watched <= 0) return this.#found.map(() => 1);
    const rate = found / watched;
    return this.#found.map((observed, i) => {
      const expected = rate * (this.#watched[i] as number);
      // Too little watched at that lead to say anything.
      if (expected < 1) return 1;
      return Math.min(1, poissonUpper(observed) / expected);
    });
  }

  snapshot(): SignupLeadSnapshot {
    return { at: this.#counts.at, binMs: LEAD_BIN_MS, found: [...this.#found], watched: [...this.#watched] };
  }

  /** Restores a snapshot (a malformed one, or one of another bin width or window, is ignored). */
  restore(snapshot: SignupLeadSnapshot): void {
    if (snapshot.binMs !== LEAD_BIN_MS) return;
    if (this.#counts.restore(snapshot.at, [snapshot.found, snapshot.watched])) this.#shares = null;
  }
}
