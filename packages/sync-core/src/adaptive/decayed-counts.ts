/**
 * Tables of counts that all halve every `halfLifeMs`, kept as of `at`: every count decays alike,
 * so the ratios between them (what the learners fit) stay and only the evidence shrinks. The
 * memory of the start-time and signup-lead learners.
 */
export class DecayedCounts {
  readonly #halfLifeMs: number;
  /** Time the counts were decayed to (epoch ms); NaN before the first observation. */
  at = Number.NaN;
  /** The tables, each of the size it was made with. */
  readonly tables: number[][];

  constructor(halfLifeMs: number, sizes: readonly number[]) {
    this.#halfLifeMs = halfLifeMs;
    this.tables = sizes.map((n) => new Array<number>(n).fill(0));
  }

  /** Decays every count to `now`; returns whether any count changed. */
  decayTo(now: number): boolean {
    if (Number.isNaN(this.at)) {
      this.at = now;
      return false;
    }
    if (now <= this.at) return false;
    const f = 0.5 ** ((now - this.at) / this.#halfLifeMs);
    for (const table of this.tables)
      for (let i = 0; i < table.length; i++) table[i] = (table[i] as number) * f;
    this.at = now;
    return true;
  }

  /**
   * Takes `at` and the tables from a snapshot; returns false, changing nothing, when one is
   * malformed (not a finite non-negative number per cell, or another size).
   */
  restore(at: unknown, tables: readonly unknown[]): boolean {
    const ok = (a: unknown, n: number): a is number[] =>
      Array.isArray(a) &&
      a.length === n &&
      a.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0);
    if (typeof at !== 'number' || tables.length !== this.tables.length) return false;
    if (!tables.every((t, i) => ok(t, (this.tables[i] as number[]).length))) return false;
    this.at = at;
    tables.forEach((t, i) => {
      (this.tables[i] as number[]).splice(0, Infinity, ...(t as number[]));
    });
    return true;
  }
}
