/** One route seen: its climbing (m per km) and how long its races took (× the flat estimate). */
export interface ClimbSample {
  perKm: number;
  ratio: number;
}

/**
 * A least-squares line of race length (as a ratio of the flat estimate) on climbing per km, fitted
 * on the routes seen: climbing slows a race roughly in proportion. Null with fewer than `minRoutes`
 * routes, when their climbing does not vary, or when the line does not rise with climbing (then
 * climbing explains nothing here). A route steeper than any seen gets the largest ratio seen, never
 * more (a first attempt must not come late); a flatter one follows the line down, to no less than
 * the flat estimate or the smallest ratio seen, whichever is lower (early costs a call, not lag).
 */
export function fitOnClimbing(
  samples: readonly ClimbSample[],
  minRoutes: number,
): ((perKm: number) => number) | null {
  const n = samples.length;
  if (n === 0 || n < minRoutes) return null;
  const meanX = samples.reduce((sum, s) => sum + s.perKm, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + s.ratio, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const s of samples) {
    sxx += (s.perKm - meanX) ** 2;
    sxy += (s.perKm - meanX) * (s.ratio - meanY);
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  if (!(slope > 0)) return null;
  const lo = Math.min(1, ...samples.map((s) => s.ratio));
  const hi = Math.max(...samples.map((s) => s.ratio));
  return (perKm) => Math.min(hi, Math.max(lo, meanY + slope * (perKm - meanX)));
}

/**
 * Slowdown per metre of climbing per km of a route assumed before any route was learned (see
 * {@link climbingPrior}).
 */
const PRIOR_SLOWDOWN_PER_M_PER_KM = 0.01;

/**
 * A race's length (× the flat estimate) on a route climbing `perKm` metres per km, before the
 * queue has learned any route's: about 1 % longer per m/km. A pack at ~3 W/kg loses ~15–20 % of
 * its flat speed on a 1 % grade, and a route's climbing is gained over about half its length while
 * the descents give back only part of it. A guess, on the low side (early costs a call, late costs
 * lag); the lengths learned from the races' results replace it.
 */
export function climbingPrior(perKm: number): number {
  return 1 + PRIOR_SLOWDOWN_PER_M_PER_KM * Math.max(0, perKm);
}
