/** Persisted form: series key → [decayed score, time of the score]. */
export type AffinitySnapshot = Record<string, [number, number]>;

/**
 * Groups recurring races into series by title pattern (digits and stage numbers ignored), so
 * "Stage 3: Tour of X" and "Stage 4: Tour of X" are one series.
 */
export function seriesKey(title: string): string {
  let key = keyCache.get(title);
  if (key === undefined) {
    if (keyCache.size >= 20_000) keyCache.clear();
    key = computeSeriesKey(title);
    keyCache.set(title, key);
  }
  return key;
}

const keyCache = new Map<string, string>();

function computeSeriesKey(title: string): string {
  return title
    .toLowerCase()
    .replace(/\d+/g, '#')
    .replace(/[^\p{L}#|]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Learns which series the team rides: every observed team signup adds 1 to its series' score, and
 * scores halve every `halfLifeMs`. A series is relevant once its score reaches `minSignups` and
 * `minShare` of all scores — teams keep coming back to a few series.
 */
export class SeriesAffinity {
  readonly #scores = new Map<string, { score: number; at: number }>();
  readonly #halfLifeMs: number;
  readonly #minSignups: number;
  readonly #minShare: number;
  #totalCache: { at: number; total: number } | null = null;

  constructor(
    options: { halfLifeMs: number; minSignups: number; minShare: number },
    snapshot?: AffinitySnapshot,
  ) {
    this.#halfLifeMs = options.halfLifeMs;
    this.#minSignups = options.minSignups;
    this.#minShare = options.minShare;
    if (snapshot) this.restore(snapshot);
  }

  #decayed(entry: { score: number; at: number }, now: number): number {
    return entry.score * 0.5 ** (Math.max(0, now - entry.at) / this.#halfLifeMs);
  }

  /** Records `count` team signups seen in the series of `title` at `now`. */
  observe(title: string, now: number, count = 1): void {
    const key = seriesKey(title);
    const entry = this.#scores.get(key);
    this.#scores.set(key, { score: (entry ? this.#decayed(entry, now) : 0) + count, at: now });
    this.#totalCache = null;
  }

  /** The decayed score of the series of `title`. */
  score(title: string, now: number): number {
    const entry = this.#scores.get(seriesKey(title));
    return entry ? this.#decayed(entry, now) : 0;
  }

  /** Whether the series of `title` is one the team rides. */
  isRelevant(title: string, now: number): boolean {
    const score = this.score(title, now);
    if (score < this.#minSignups) return false;
    return score >= this.#minShare * this.#total(now);
  }

  #total(now: number): number {
    if (this.#totalCache && this.#totalCache.at === now) return this.#totalCache.total;
    let total = 0;
    for (const entry of this.#scores.values()) total += this.#decayed(entry, now);
    this.#totalCache = { at: now, total };
    return total;
  }

  snapshot(): AffinitySnapshot {
    const out: AffinitySnapshot = {};
    for (const [key, entry] of this.#scores) out[key] = [entry.score, entry.at];
    return out;
  }

  restore(snapshot: AffinitySnapshot): void {
    this.#scores.clear();
    for (const [key, value] of Object.entries(snapshot)) {
      if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number') {
        this.#scores.set(key, { score: value[0], at: value[1] });
      }
    }
    this.#totalCache = null;
  }
}
