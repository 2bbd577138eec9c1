import type { Clock } from '@racesync/zwift-client';
import type { SourceEvent, SourceResult, SourceRider, SourceSignup, SyncSource } from '../../src/index.js';

export const T0 = Date.UTC(2026, 0, 1);
export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** A clock that only moves when told (or by a sleep, which returns at once). */
export function manualClock(start = T0): Clock & { set(t: number): void; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      t += Math.max(0, ms);
    },
    set(value) {
      t = value;
    },
    advance(ms) {
      t += ms;
    },
  };
}

export function sourceEvent(
  eventId: string,
  startsAt: number,
  overrides: Partial<SourceEvent> = {},
): SourceEvent {
  return {
    eventId,
    startsAt,
    routeId: '3368626651',
    distanceMeters: 30_000,
    laps: 2,
    title: `Race ${eventId}`,
    type: 'Race',
    subType: 'Scratch',
    categories: ['A', 'B'],
    signupCounts: { A: 10, B: 20 },
    ...overrides,
  };
}

export function sourceRider(riderId: number, overrides: Partial<SourceRider> = {}): SourceRider {
  return {
    riderId,
    name: `Rider ${riderId}`,
    gender: 'F',
    country: 'nl',
    height: 170,
    weight: 60,
    zpCategory: 'B',
    zpFTP: 250,
    race: {
      current: { rating: 1500 },
      max30: { rating: 1550 },
      max90: { rating: 1600 },
      finishes: 10,
      wins: 1,
      podiums: 2,
      dnfs: 0,
    },
    club: { id: 7, name: 'Club' },
    ...overrides,
  };
}

export function sourceResult(
  riderId: number,
  position: number,
  overrides: Partial<SourceResult> = {},
): SourceResult {
  return {
    riderId,
    name: `Rider ${riderId}`,
    category: 'B',
    timeSeconds: 3600 + position,
    gap: position - 1,
    position,
    positionInCategory: position,
    rating: 1500,
    ratingBefore: 1490,
    ratingDelta: 10,
    ...overrides,
  };
}

type Answer<T> = T | Error | (() => T | Promise<T>);

/** A scripted source: set what each method answers (a value, an error to throw, or a function). */
export function fakeSource() {
  const script = {
    riders: new Map<number, SourceRider>(),
    ridersSkipped: [] as unknown[],
    events: [] as SourceEvent[] | Error,
    eventsSkipped: [] as unknown[],
    signups: new Map<string, Answer<{ riders: SourceSignup[]; skipped: unknown[] }>>(),
    results: new Map<string, Answer<{ results: SourceResult[]; skipped: unknown[] }>>(),
    calls: [] as string[],
  };
  const resolve = async <T>(answer: Answer<T> | undefined, fallback: () => T): Promise<T> => {
    if (answer === undefined) return fallback();
    if (answer instanceof Error) throw answer;
    if (typeof answer === 'function') return (answer as () => T | Promise<T>)();
    return answer;
  };
  const notFound = () => Object.assign(new Error('not found (HTTP 404)'), { kind: 'not_found' });
  const source: SyncSource = {
    riders: {
      async getMany(ids) {
        script.calls.push('riders');
        const riders = new Map<number, SourceRider>();
        for (const id of ids) {
          const rider = script.riders.get(id);
          if (rider) riders.set(id, rider);
        }
        return { riders, missing: ids.filter((id) => !riders.has(id)), skipped: script.ridersSkipped };
      },
    },
    events: {
      async upcoming() {
        script.calls.push('events');
        if (script.events instanceof Error) throw script.events;
        return { events: script.events, skipped: script.eventsSkipped };
      },
      async signups(eventId) {
        script.calls.push(`signups:${eventId}`);
        return resolve(script.signups.get(eventId), () => ({ riders: [], skipped: [] }));
      },
    },
    results: {
      async forEvent(eventId) {
        script.calls.push(`results:${eventId}`);
        return resolve(script.results.get(eventId), () => {
          throw notFound();
        });
      },
    },
  };
  return { source, script };
}
