import { z } from 'zod';
import { numericIdSchema, optionalNumberSchema, optionalStringSchema, riderIdSchema } from './common.ts';
import { riderPowerSchema } from './rider.ts';

/** A rider in a signup pen (`/api/events/{id}/signups`); `name` may hold HTML entities. */
export const signupRiderSchema = z.looseObject({
  riderId: riderIdSchema,
  name: optionalStringSchema,
  power: riderPowerSchema.nullish(),
  race: z
    .looseObject({
      rating: optionalNumberSchema,
      finishes: optionalNumberSchema,
      wins: optionalNumberSchema,
      podiums: optionalNumberSchema,
      dnfs: optionalNumberSchema,
      max30: optionalNumberSchema,
    })
    .nullish(),
  weight: optionalNumberSchema,
  height: optionalNumberSchema,
  club: z
    .looseObject({
      clubId: numericIdSchema.nullish(),
      id: numericIdSchema.nullish(),
      name: optionalStringSchema,
    })
    .nullish(),
});

/** A signup pen; its riders are validated one by one. */
export const signupPenSchema = z.looseObject({
  name: z.union([z.string(), z.number()]),
  avgRating: optionalNumberSchema,
  ratedRiders: optionalNumberSchema,
  riders: z.array(z.unknown()).nullish(),
});

/** Raw signup rider as validated. */
export type RawSignupRider = z.infer<typeof signupRiderSchema>;
/** Raw signup pen as validated. */
export type RawSignupPen = z.infer<typeof signupPenSchema>;
