import type { RawResultRow } from '../schemas/results.ts';
import type { ResultRow } from '../types.ts';
import { decodeHtmlEntities } from './html-entities.ts';
import { requireNumber, toCount, toNumber } from './values.ts';

/** ZwiftRacing result row → {@link ResultRow} (`time` seconds, float). */
export function normaliseResultRow(raw: RawResultRow): ResultRow {
  return {
    riderId: requireNumber(raw.riderId, 'riderId'),
    name: decodeHtmlEntities(raw.name ?? ''),
    category: raw.category ?? null,
    timeSeconds: requireNumber(raw.time, 'time'),
    gap: toNumber(raw.gap),
    position: toCount(raw.position, 'position'),
    positionInCategory: toCount(raw.positionInCategory, 'positionInCategory'),
    rating: toNumber(raw.rating),
    ratingBefore: toNumber(raw.ratingBefore),
    ratingDelta: toNumber(raw.ratingDelta),
    ratingMax30: toNumber(raw.ratingMax30),
    ratingMax90: toNumber(raw.ratingMax90),
  };
}
