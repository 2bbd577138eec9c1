import { z } from 'zod';
import { parseZwiftTime } from '../normalise/values.ts';
import { optionalNumberSchema, optionalStringSchema, riderIdSchema, stringIdSchema } from './common.ts';

/**
 * One subgroup (pen) of an event of Zwift's authenticated event search. `followeeEntrantCount` is
 * how many riders the account follows are signed up to it; absent means "no signal".
 */
export const zwiftFeedSubgroupSchema = z.looseObject({
  id: stringIdSchema,
  subgroupLabel: optionalStringSchema,
  eventSubgroupStart: optionalStringSchema,
  followeeEntrantCount: optionalNumberSchema,
  totalEntrantCount: optionalNumberSchema,
});

/**
 * One event of `POST /api/events/search` (Zwift's event shape, as in the public upcoming feed, plus
 * the account's `followeeEntrantCount`). `eventSubgroups` items are validated one by one: a
 * malformed pen is skipped and reported, not the whole event.
 */
export const zwiftFeedEventSchema = z.looseObject({
  id: stringIdSchema,
  name: optionalStringSchema,
  eventStart: z
    .string()
    .refine((s) => parseZwiftTime(s) !== null, 'Expected a timestamp like 2026-01-01T10:00:00.000+0000'),
  eventType: optionalStringSchema,
  type: optionalStringSchema,
  followeeEntrantCount: optionalNumberSchema,
  totalEntrantCount: optionalNumberSchema,
  eventSubgroups: z.array(z.unknown()).nullish(),
});

/** A profile of `GET /api/events/subgroups/entrants/{id}` (only `id` is needed; names may be absent). */
export const zwiftProfileSchema = z.looseObject({
  id: riderIdSchema,
  firstName: optionalStringSchema,
  lastName: optionalStringSchema,
});

/** Raw event of the event search as validated. */
export type RawZwiftFeedEvent = z.infer<typeof zwiftFeedEventSchema>;
/** Raw subgroup of the event search as validated. */
export type RawZwiftFeedSubgroup = z.infer<typeof zwiftFeedSubgroupSchema>;
/** Raw entrant profile as validated. */
export type RawZwiftProfile = z.infer<typeof zwiftProfileSchema>;
