import { hashData } from '../delta/hash.js';
import { omitPaths } from '../delta/omit-paths.js';
import type { SourceRider } from '../source/sync-source.js';
import type { Json, RiderRecord } from '../storage/records.js';
import { toJson } from './to-json.js';

const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * The stored form of a fetched rider: dashboard columns, the snapshot without volatile fields, and
 * its hash. `changedAt` is set to `at`; the engine keeps the stored one for unchanged riders.
 */
export function toRiderRecord(rider: SourceRider, at: number, volatilePaths: readonly string[]): RiderRecord {
  const data = omitPaths(toJson(rider) as { [key: string]: Json }, volatilePaths);
  const race = rider.race;
  return {
    riderId: rider.riderId,
    name: rider.name,
    country: rider.country ?? null,
    gender: rider.gender ?? null,
    category: rider.zpCategory ?? null,
    weight: num(rider.weight),
    height: num(rider.height),
    ftp: num(rider.zpFTP),
    rating: num(race?.current?.rating),
    ratingMax30: num(race?.max30?.rating),
    ratingMax90: num(race?.max90?.rating),
    finishes: num(race?.finishes),
    wins: num(race?.wins),
    podiums: num(race?.podiums),
    dnfs: num(race?.dnfs),
    clubId: num(rider.club?.id),
    data,
    hash: hashData(data),
    fetchedAt: at,
    changedAt: at,
  };
}
