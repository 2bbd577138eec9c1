/**
 * One-sided ≈ 95 % upper confidence bound of a Poisson mean from an observed count (a normal
 * approximation with a continuity term): 2.96 for 0 and 17.5 for 10, where the exact bounds are
 * 3.00 and 17.0 — close enough to decide "significantly rarer than average".
 */
export function poissonUpper(observed: number): number {
  return observed + 1 + 1.96 * Math.sqrt(observed + 1);
}
