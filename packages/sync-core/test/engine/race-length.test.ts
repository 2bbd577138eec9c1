import { describe, expect, it } from 'vitest';
import { climbingPrior, fitOnClimbing } from '../../src/adaptive/fit-on-climbing.js';
import { raceFinishSeconds } from '../../src/adaptive/race-duration.js';
import {
  ROUTE_DURATION_ROUTES,
  ROUTE_DURATION_SAMPLES,
  RouteDurations,
} from '../../src/adaptive/route-durations.js';

describe('raceFinishSeconds', () => {
  it("is the slowest pen's winning time: not thrown by stragglers, broken rows or a missing pen", () => {
    const rows = [
      { category: 'A', timeSeconds: 3000 },
      { category: 'A', timeSeconds: 3100 },
      { category: 'D', timeSeconds: 3600 },
      { category: 'D', timeSeconds: 9000 }, // a straggler
      { category: 'D', timeSeconds: 0 }, // no time
      { category: 'D', timeSeconds: Number.NaN },
      { category: null, timeSeconds: 3300 },
    ];
    expect(raceFinishSeconds(rows)).toBe(3600);
    expect(raceFinishSeconds([{ category: 'A', timeSeconds: 0 }])).toBeNull();
    expect(raceFinishSeconds([])).toBeNull();
  });
});

describe('RouteDurations', () => {
  it("answers a route's median ratio once one race on it was seen, and ignores ratios no race has", () => {
    const d = new RouteDurations();
    expect(d.ratio('r1')).toBeNull();
    expect(d.ratio(null)).toBeNull();
    d.observe('r1', 1.3);
    expect(d.ratio('r1')).toBe(1.3);
    d.observe('r1', 1.5);
    d.observe('r1', 1.2);
    expect(d.ratio('r1')).toBe(1.3);
    d.observe('r1', 1.4);
    expect(d.ratio('r1')).toBeCloseTo(1.35, 10);
    for (const broken of [0.1, 10, Number.NaN, Number.POSITIVE_INFINITY]) d.observe('r2', broken);
    expect(d.ratio('r2')).toBeNull();
  });

  it('keeps the last few races per route and the most recently used routes', () => {
    const d = new RouteDurations();
    for (let i = 0; i < ROUTE_DURATION_SAMPLES; i++) d.observe('r', 2);
    for (let i = 0; i < ROUTE_DURATION_SAMPLES; i++) d.observe('r', 1.1);
    expect(d.ratio('r')).toBe(1.1);
    for (let i = 0; i < ROUTE_DURATION_ROUTES + 10; i++) d.observe(`route-${i}`, 1.2);
    expect(d.ratio('r')).toBeNull();
    expect(d.ratio('route-0')).toBeNull();
    expect(d.ratio(`route-${ROUTE_DURATION_ROUTES + 9}`)).toBe(1.2);
    expect(d.toJSON()).toHaveLength(ROUTE_DURATION_ROUTES);
  });

  it('gives a quantile of the routes (each route counted once), and reads back what it persisted', () => {
    const d = new RouteDurations();
    d.observe('flat', 1.05);
    d.observe('rolling', 1.2);
    d.observe('rolling', 1.2);
    d.observe('rolling', 1.2);
    d.observe('hilly', 1.6);
    expect(d.quantile(0.5, 4)).toBeNull();
    expect(d.quantile(0.5, 3)).toBe(1.2);
    expect(d.quantile(0, 1)).toBe(1.05);
    const back = RouteDurations.from(JSON.parse(JSON.stringify(d.toJSON())));
    expect(back.medians()).toEqual(d.medians());
    expect(RouteDurations.from([['a', [1.1, 'x']], ['b'], [3, [1.2]], 'c']).medians()).toEqual([['a', 1.1]]);
    expect(RouteDurations.from({ not: 'a list' }).medians()).toEqual([]);
  });
});

describe('climbingPrior', () => {
  it('is the flat estimate on a flat route and 1 % longer per m/km of climbing, never shorter', () => {
    expect(climbingPrior(0)).toBe(1);
    expect(climbingPrior(10)).toBeCloseTo(1.1, 9);
    expect(climbingPrior(25)).toBeCloseTo(1.25, 9);
    expect(climbingPrior(-3)).toBe(1);
  });
});

describe('fitOnClimbing', () => {
  it('fits race length on climbing: never later than the slowest route seen, earlier down to the flat estimate', () => {
    // Ratio = 1.05 × (1 + perKm / 40), as on routes from 4 to 15 m/km.
    const samples = [4, 6, 9, 12, 15].map((perKm) => ({ perKm, ratio: 1.05 * (1 + perKm / 40) }));
    const fit = fitOnClimbing(samples, 3)!;
    expect(fit(6)).toBeCloseTo(1.05 * (1 + 6 / 40), 6);
    expect(fit(10)).toBeCloseTo(1.05 * (1 + 10 / 40), 6);
    // Steeper than any route seen: the largest ratio seen (a first attempt must not come late).
    expect(fit(40)).toBeCloseTo(1.05 * (1 + 15 / 40), 6);
    // Flatter: down the line (early costs a call, not lag), but never below the flat estimate.
    expect(fit(0)).toBeCloseTo(1.05, 6);
    expect(fit(-10)).toBe(1);
  });

  it('is null with too few routes, climbing that does not vary, or a line that does not rise', () => {
    expect(
      fitOnClimbing(
        [
          { perKm: 1, ratio: 1.1 },
          { perKm: 5, ratio: 1.3 },
        ],
        3,
      ),
    ).toBeNull();
    expect(
      fitOnClimbing(
        [1, 2, 3].map((i) => ({ perKm: 4, ratio: 1 + i / 10 })),
        3,
      ),
    ).toBeNull();
    expect(
      fitOnClimbing(
        [1, 2, 3].map((i) => ({ perKm: i, ratio: 2 - i / 10 })),
        3,
      ),
    ).toBeNull();
    expect(fitOnClimbing([], 0)).toBeNull();
  });
});
