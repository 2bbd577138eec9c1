/** How many recent observations the learned delay keeps (older ones drop out first). */
export const PUBLICATION_DELAY_SAMPLES = 100;

/** One observation: ms after the estimated finish, and the race's climb (null: unknown). */
interface Sample {
  delayMs: number;
  climb: number | null;
}

/**
 * How long after their estimated finish the results of recent races appeared, learned from the
 * results queue's own attempts. The estimate (distance at a brisk pen speed, no climbing) is early
 * for most races, and results take minutes more to appear: a first attempt at the estimate plus a
 * fixed grace mostly finds nothing. Each race whose results were found adds one observation: the
 * midpoint between the attempt that found them and the one before it that found nothing. When the
 * first attempt found them, the caller passes one retry wait before it as that earlier attempt:
 * taking the first attempt itself would only ever record the learned delay (an upper bound), and the
 * quantile could then rise but never fall; this way it settles where that share of races really is
 * out by the first attempt.
 *
 * Climbing makes most of the spread (a hilly race ends long after its flat estimate). When the
 * caller knows a race's **climb** — its estimated duration × its route's metres of climbing per km
 * (see `RouteClimbs`) — the delay is fitted as `slope × climb + rest` (least squares over the
 * observations with a climb, slope ≥ 0, once there are twice `minSamples` of them), and the
 * quantile is taken of the rest: a hilly race waits
 * longer, a flat one less, and fewer first attempts come too early.
 */
export class PublicationDelay {
  private readonly samples: Sample[];

  /** @param samples earlier observations, oldest first (see {@link PublicationDelay.from}). */
  constructor(samples: readonly Sample[] = []) {
    this.samples = samples
      .filter((s) => Number.isFinite(s.delayMs) && (s.climb === null || Number.isFinite(s.climb)))
      .slice(-PUBLICATION_DELAY_SAMPLES);
  }

  /**
   * Records one race: results found `foundAfterMs` after its estimated finish, not found at
   * `notFoundAfterMs` (the attempt before); `climb` when the race's climb is known.
   */
  observe(foundAfterMs: number, notFoundAfterMs: number, climb: number | null = null): void {
    const delayMs = (foundAfterMs + notFoundAfterMs) / 2;
    if (!Number.isFinite(delayMs)) return;
    this.samples.push({ delayMs, climb: climb !== null && Number.isFinite(climb) ? climb : null });
    if (this.samples.length > PUBLICATION_DELAY_SAMPLES) this.samples.shift();
  }

  /**
   * The `q` quantile (0…1, nearest rank) of the delay, or null with fewer than `minSamples`
   * observations. With a `climb` and twice `minSamples` observations with one, the quantile of the
   * fitted rest plus `slope × climb`; otherwise the quantile of all observed delays.
   */
  quantile(q: number, minSamples: number, climb: number | null = null): number | null {
    if (this.samples.length === 0 || this.samples.length < minSamples) return null;
    const fit = climb !== null && Number.isFinite(climb) ? this.fit(minSamples) : null;
    if (fit) return nearestRank(fit.rest, q) + fit.slope * climb!;
    return nearestRank(
      this.samples.map((s) => s.delayMs),
      q,
    );
  }

  /** Least-squares slope of delay on climb (≥ 0) and the rests, or null with too few climbs. */
  private fit(minSamples: number): { slope: number; rest: number[] } | null {
    const known = this.samples.filter((s): s is { delayMs: number; climb: number } => s.climb !== null);
    // Two numbers are fitted: twice the observations a plain quantile needs (at least three).
    if (known.length < Math.max(3, 2 * minSamples)) return null;
    const meanX = known.reduce((a, s) => a + s.climb, 0) / known.length;
    const meanY = known.reduce((a, s) => a + s.delayMs, 0) / known.length;
    let sxx = 0;
    let sxy = 0;
    for (const s of known) {
      sxx += (s.climb - meanX) ** 2;
      sxy += (s.climb - meanX) * (s.delayMs - meanY);
    }
    const slope = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
    return { slope, rest: known.map((s) => s.delayMs - slope * s.climb) };
  }

  /** The observations, oldest first (what a job cursor persists): `[delayMs, climb | null]`. */
  toJSON(): [number, number | null][] {
    return this.samples.map((s) => [s.delayMs, s.climb]);
  }

  /**
   * Reads observations back from a persisted cursor value (`[delayMs, climb | null]` pairs, or the
   * plain delays of earlier versions); anything else gives an empty history.
   */
  static from(value: unknown): PublicationDelay {
    if (!Array.isArray(value)) return new PublicationDelay();
    const samples: Sample[] = [];
    for (const item of value) {
      if (typeof item === 'number') samples.push({ delayMs: item, climb: null });
      else if (Array.isArray(item) && typeof item[0] === 'number')
        samples.push({ delayMs: item[0], climb: typeof item[1] === 'number' ? item[1] : null });
    }
    return new PublicationDelay(samples);
  }
}

function nearestRank(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
