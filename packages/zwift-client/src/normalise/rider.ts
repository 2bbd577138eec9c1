import type { RawRatingPoint, RawRider } from '../schemas/rider.ts';
import type { RatingPoint, Rider, RiderRace } from '../types.ts';
import { decodeHtmlEntities } from './html-entities.ts';
import { numberRecord, requireNumber, secondsToMs, toCount, toNumber, toText } from './values.ts';

function ratingPoint(raw: RawRatingPoint | null | undefined): RatingPoint | null {
  if (raw === null || raw === undefined) return null;
  const category = raw.mixed?.category;
  const number = toNumber(raw.mixed?.number);
  return {
    rating: requireNumber(raw.rating, 'rating'),
    date: secondsToMs(raw.date),
    expires: secondsToMs(raw.expires),
    mixed: typeof category === 'string' && number !== null ? { category, number } : null,
  };
}

function riderRace(raw: RawRider['race']): RiderRace | null {
  if (raw === null || raw === undefined) return null;
  return {
    last: ratingPoint(raw.last),
    current: ratingPoint(raw.current),
    max30: ratingPoint(raw.max30),
    max90: ratingPoint(raw.max90),
    finishes: toCount(raw.finishes, 'race.finishes') ?? 0,
    dnfs: toCount(raw.dnfs, 'race.dnfs') ?? 0,
    wins: toCount(raw.wins, 'race.wins') ?? 0,
    podiums: toCount(raw.podiums, 'race.podiums') ?? 0,
  };
}

function handicaps(raw: RawRider['handicaps']): Rider['handicaps'] {
  const p = raw?.profile;
  if (p === null || p === undefined) return null;
  const flat = toNumber(p.flat);
  const rolling = toNumber(p.rolling);
  const hilly = toNumber(p.hilly);
  const mountainous = toNumber(p.mountainous);
  if (flat === null || rolling === null || hilly === null || mountainous === null) return null;
  return { flat, rolling, hilly, mountainous };
}

/** Public-API rider → {@link Rider}. */
export function normaliseRider(raw: RawRider): Rider {
  const clubId = raw.club?.id;
  return {
    riderId: requireNumber(raw.riderId, 'riderId'),
    name: decodeHtmlEntities(raw.name ?? ''),
    gender: raw.gender ?? null,
    country: raw.country ?? null,
    age: toText(raw.age),
    height: toNumber(raw.height),
    weight: toNumber(raw.weight),
    zpCategory: raw.zpCategory ?? null,
    zpFTP: toNumber(raw.zpFTP),
    power: numberRecord(raw.power),
    race: riderRace(raw.race),
    handicaps: handicaps(raw.handicaps),
    phenotype:
      raw.phenotype === null || raw.phenotype === undefined
        ? null
        : {
            value: raw.phenotype.value ?? null,
            bias: toNumber(raw.phenotype.bias),
            scores: numberRecord(raw.phenotype.scores),
          },
    club:
      raw.club === null || raw.club === undefined || clubId === null || clubId === undefined
        ? null
        : { id: requireNumber(clubId, 'club.id'), name: decodeHtmlEntities(raw.club.name ?? '') },
  };
}
