import { hashData } from '../delta/hash.js';
import type { EventRecord, Json, ResultRecord, RiderHistoryRow, RiderRecord } from '../storage/records.js';
import type { RiderWrite } from '../storage/storage-adapter.js';

/** A rider record with realistic fields; `data` overrides change the hash. */
export function makeRider(riderId: number, at: number, data: { [key: string]: Json } = {}): RiderRecord {
  const payload: { [key: string]: Json } = {
    riderId,
    name: `Rider ${riderId}`,
    country: 'se',
    weight: 72.5,
    race: { current: { rating: 1500 + (riderId % 500) }, finishes: 10 },
    ...data,
  };
  return {
    riderId,
    name: String(payload.name),
    country: 'se',
    gender: 'M',
    category: 'B',
    weight: typeof payload.weight === 'number' ? payload.weight : null,
    height: 180,
    ftp: 300,
    rating: 1500 + (riderId % 500),
    ratingMax30: null,
    ratingMax90: null,
    finishes: 10,
    wins: 0,
    podiums: 1,
    dnfs: 0,
    clubId: 42,
    data: payload,
    hash: hashData(payload),
    fetchedAt: at,
    changedAt: at,
  };
}

/** A first-sight or changed write: rider + history row. */
export function riderChange(
  rider: RiderRecord,
  expectedHash: string | null,
  changedFields = ['*'],
): RiderWrite {
  const history: RiderHistoryRow = {
    riderId: rider.riderId,
    at: rider.changedAt,
    changedFields,
    snapshot: rider.data,
    hash: rider.hash,
  };
  return { rider, history, expectedHash };
}

/** An unchanged refetch. */
export function riderTouch(rider: RiderRecord): RiderWrite {
  return { rider, history: null, expectedHash: rider.hash };
}

export function makeEvent(eventId: string, at: number, overrides: Partial<EventRecord> = {}): EventRecord {
  const base = {
    eventId,
    startsAt: at + 3_600_000,
    routeId: '3368626651',
    distanceMeters: 21_784,
    laps: 4,
    title: `Race ${eventId}`,
    type: 'Race',
    subType: 'Scratch',
    categories: ['A', 'B', 'C', 'D', 'E'],
    signupCounts: { A: 20, B: 29, C: 36, D: 52, E: 39 },
    source: 'zwiftracing' as const,
    ...overrides,
  };
  const { eventId: _id, ...hashed } = base;
  return {
    ...base,
    hash: hashData(hashed),
    fetchedAt: overrides.fetchedAt ?? at,
    changedAt: overrides.changedAt ?? at,
    removedAt: null,
  };
}

export function makeResult(
  eventId: string,
  riderId: number,
  at: number,
  overrides: Partial<ResultRecord> = {},
): ResultRecord {
  const base = {
    eventId,
    riderId,
    name: `Rider ${riderId}`,
    position: riderId % 100,
    positionInCategory: riderId % 20,
    category: 'A',
    timeSeconds: 1506.486,
    gap: null,
    rating: 1800.25,
    ratingBefore: 1790.5,
    ratingDelta: 9.75,
    ...overrides,
  };
  return { ...base, hash: hashData(base), fetchedAt: at, removedAt: null };
}
