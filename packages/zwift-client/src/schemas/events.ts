import { z } from 'zod';
import {
  numberLikeSchema,
  optionalFlagSchema,
  optionalNumberSchema,
  optionalStringSchema,
  stringIdSchema,
} from './common.ts';

/**
 * One event of the site API's `/api/events/upcoming`: `time` in epoch seconds, `distance` in
 * METRES, `numLaps` a string, `categories` "A,B,C" with `signups` "20,29,36".
 */
export const raceEventSchema = z.looseObject({
  eventId: stringIdSchema,
  time: numberLikeSchema,
  routeId: stringIdSchema.nullish(),
  distance: optionalNumberSchema,
  title: optionalStringSchema,
  numLaps: optionalNumberSchema,
  type: optionalStringSchema,
  subType: optionalStringSchema,
  staggeredStart: optionalFlagSchema,
  categories: z.union([z.string(), z.array(z.string())]).nullish(),
  signups: z.union([z.string(), z.number(), z.array(z.union([z.number(), z.string()]))]).nullish(),
});

/** Raw site event as validated. */
export type RawRaceEvent = z.infer<typeof raceEventSchema>;
