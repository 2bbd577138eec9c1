import { z } from 'zod';
import {
  numberLikeSchema,
  numericIdSchema,
  optionalNumberSchema,
  optionalStringSchema,
  powerValueSchema,
  riderIdSchema,
} from './common.ts';

/** A rating snapshot (`race.last|current|max30|max90`); `date`, `expires` and `mixed` may be missing. */
export const ratingPointSchema = z.looseObject({
  rating: numberLikeSchema,
  date: optionalNumberSchema,
  expires: optionalNumberSchema,
  mixed: z.looseObject({ category: optionalStringSchema, number: optionalNumberSchema }).nullish(),
});

/** `race` block of a rider (may be `null` upstream). */
export const riderRaceSchema = z.looseObject({
  last: ratingPointSchema.nullish(),
  current: ratingPointSchema.nullish(),
  max30: ratingPointSchema.nullish(),
  max90: ratingPointSchema.nullish(),
  finishes: optionalNumberSchema,
  dnfs: optionalNumberSchema,
  wins: optionalNumberSchema,
  podiums: optionalNumberSchema,
});

/** Power block: `wkg5…wkg1200`, `w5…w1200`, `CP`, `AWC`, `compoundScore`, `powerRating?` — numbers, numeric strings or arrays. */
export const riderPowerSchema = z.record(z.string(), powerValueSchema);

/** A rider of the public API (`/public/riders`, bulk POST, club pages). Unknown fields pass. */
export const riderSchema = z.looseObject({
  riderId: riderIdSchema,
  name: optionalStringSchema,
  gender: optionalStringSchema,
  country: optionalStringSchema,
  age: z.union([z.string(), z.number()]).nullish(),
  height: optionalNumberSchema,
  weight: optionalNumberSchema,
  zpCategory: optionalStringSchema,
  zpFTP: optionalNumberSchema,
  power: riderPowerSchema.nullish(),
  race: riderRaceSchema.nullish(),
  handicaps: z
    .looseObject({
      profile: z
        .looseObject({
          flat: optionalNumberSchema,
          rolling: optionalNumberSchema,
          hilly: optionalNumberSchema,
          mountainous: optionalNumberSchema,
        })
        .nullish(),
    })
    .nullish(),
  phenotype: z
    .looseObject({
      scores: z.record(z.string(), optionalNumberSchema).nullish(),
      value: optionalStringSchema,
      bias: optionalNumberSchema,
    })
    .nullish(),
  club: z.looseObject({ id: numericIdSchema.nullish(), name: optionalStringSchema }).nullish(),
});

/** Raw rider as validated (before normalisation). */
export type RawRider = z.infer<typeof riderSchema>;
/** Raw rating point as validated. */
export type RawRatingPoint = z.infer<typeof ratingPointSchema>;
