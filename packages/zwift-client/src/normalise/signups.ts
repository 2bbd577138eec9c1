import type { RawSignupRider } from '../schemas/signups.ts';
import type { SignupRider } from '../types.ts';
import { decodeHtmlEntities } from './html-entities.ts';
import { requireNumber, toNumber } from './values.ts';

/** Signup rider → {@link SignupRider} (name entities decoded; club id from `clubId` or `id`). */
export function normaliseSignupRider(raw: RawSignupRider, pen: string): SignupRider {
  const club = raw.club;
  const clubIdRaw = club?.clubId ?? club?.id;
  const clubId = clubIdRaw === null || clubIdRaw === undefined ? null : toNumber(clubIdRaw);
  const clubName = club?.name;
  return {
    riderId: requireNumber(raw.riderId, 'riderId'),
    name: decodeHtmlEntities(raw.name ?? ''),
    pen,
    rating: toNumber(raw.race?.rating),
    weight: toNumber(raw.weight),
    height: toNumber(raw.height),
    clubId,
    clubName: typeof clubName === 'string' ? decodeHtmlEntities(clubName) : null,
  };
}
