import { z } from 'zod';
import { parseZwiftTime } from '../normalise/values.ts';
import { numericIdSchema, optionalNumberSchema, optionalStringSchema, stringIdSchema } from './common.ts';

/** One subgroup (pen) of a Zwift event. */
export const zwiftSubgroupSchema = z.looseObject({
  id: numericIdSchema,
  subgroupLabel: optionalStringSchema,
  label: optionalNumberSchema,
  eventSubgroupStart: optionalStringSchema,
  routeId: stringIdSchema.nullish(),
  laps: optionalNumberSchema,
  distanceInMeters: optionalNumberSchema,
  durationInSeconds: optionalNumberSchema,
  totalEntrantCount: optionalNumberSchema,
  totalSignedUpCount: optionalNumberSchema,
});

/** One event of Zwift's `/api/public/events/upcoming` (`eventStart` like `2025-06-01T22:30:00.000+0000`). */
export const zwiftEventSchema = z.looseObject({
  id: stringIdSchema,
  name: optionalStringSchema,
  eventStart: z
    .string()
    .refine((s) => parseZwiftTime(s) !== null, 'Expected a timestamp like 2025-06-01T22:30:00.000+0000'),
  routeId: stringIdSchema.nullish(),
  distanceInMeters: optionalNumberSchema,
  durationInSeconds: optionalNumberSchema,
  laps: optionalNumberSchema,
  type: optionalStringSchema,
  eventType: optionalStringSchema,
  sport: optionalStringSchema,
  worldId: optionalNumberSchema,
  mapId: optionalNumberSchema,
  totalEntrantCount: optionalNumberSchema,
  totalSignedUpCount: optionalNumberSchema,
  eventSubgroups: z.array(zwiftSubgroupSchema).nullish(),
});

/** Raw Zwift event as validated. */
export type RawZwiftEvent = z.infer<typeof zwiftEventSchema>;
/** Raw Zwift subgroup as validated. */
export type RawZwiftSubgroup = z.infer<typeof zwiftSubgroupSchema>;
