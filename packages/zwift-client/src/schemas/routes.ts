import { z } from 'zod';
import { optionalFlagSchema, optionalNumberSchema, optionalStringSchema, stringIdSchema } from './common.ts';

/** A route of the site API's `/api/routes`: `distance` in KM, `elevation` in metres. */
export const routeSchema = z.looseObject({
  routeId: stringIdSchema,
  name: optionalStringSchema,
  distance: optionalNumberSchema,
  elevation: optionalNumberSchema,
  world: optionalStringSchema,
  profile: optionalStringSchema,
  eventOnly: optionalFlagSchema,
  leadIn: optionalNumberSchema,
  url: optionalStringSchema,
  difficulty: optionalNumberSchema,
});

/** Raw route as validated. */
export type RawRoute = z.infer<typeof routeSchema>;
