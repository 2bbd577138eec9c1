import { hashData } from '../delta/hash.js';
import type { SourceResult } from '../source/sync-source.js';
import type { ResultRecord } from '../storage/records.js';

/** The stored form of one result row; the hash covers every stored field but `fetchedAt`. */
export function toResultRecord(eventId: string, row: SourceResult, at: number): ResultRecord {
  const fields = {
    eventId,
    riderId: row.riderId,
    name: row.name,
    position: row.position ?? null,
    positionInCategory: row.positionInCategory ?? null,
    category: row.category ?? null,
    timeSeconds: row.timeSeconds,
    gap: row.gap ?? null,
    rating: row.rating ?? null,
    ratingBefore: row.ratingBefore ?? null,
    ratingDelta: row.ratingDelta ?? null,
  };
  return { ...fields, hash: hashData(fields), fetchedAt: at, removedAt: null };
}
