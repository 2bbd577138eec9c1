import { nearestRank } from './nearest-rank.js';

/** How many recent observations the learned delay keeps (older ones drop out first). */
export const PUBLICATION_DELAY_SAMPLES = 100;

/**
 * How long after a reference time the results of recent races appeared, learned from the results
 * queue's own attempts. The queue keeps two: after each race's finish by its results (its slowest
 * pen's winning time), and after its flat estimate (distance at a brisk pen speed, no climbing) for
 * sources whose results carry no times. Each race whose results were found adds one observation:
 * the midpoint between the attempt that found them and the one before it that found nothing. When
 * the first attempt found them, the caller passes one retry wait before it as that earlier attempt:
 * taking the first attempt itself would only ever record the learned delay (an upper bound), and the
 * quantile could then rise but never fall; this way it settles where that share of races really is
 * out by the first attempt.
 */
export class PublicationDelay {
  private readonly samples: number[];

  /** @param samples earlier observations (ms after the reference time), oldest first. */
  constructor(samples: readonly number[] = []) {
    this.samples = samples.filter((x) => Number.isFinite(x)).slice(-PUBLICATION_DELAY_SAMPLES);
  }

  /**
   * Records one race: results found `foundAfterMs` after its reference time, not found at
   * `notFoundAfterMs` (the attempt before).
   */
  observe(foundAfterMs: number, notFoundAfterMs: number): void {
    const sample = (foundAfterMs + notFoundAfterMs) / 2;
    if (!Number.isFinite(sample)) return;
    this.samples.push(sample);
    if (this.samples.length > PUBLICATION_DELAY_SAMPLES) this.samples.shift();
  }

  /** The `q` quantile (0…1, nearest rank) of the observations, or null with fewer than `minSamples`. */
  quantile(q: number, minSamples: number): number | null {
    if (this.samples.length === 0 || this.samples.length < minSamples) return null;
    return nearestRank(this.samples, q);
  }

  /** The observations, oldest first (what a job cursor persists). */
  toJSON(): number[] {
    return [...this.samples];
  }

  /** Reads observations back from a persisted cursor value; anything else gives an empty history. */
  static from(value: unknown): PublicationDelay {
    if (!Array.isArray(value)) return new PublicationDelay();
    return new PublicationDelay(value.filter((x): x is number => typeof x === 'number'));
  }
}
