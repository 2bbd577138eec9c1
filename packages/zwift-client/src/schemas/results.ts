import { z } from 'zod';
import {
  numberLikeSchema,
  optionalNumberSchema,
  optionalStringSchema,
  riderIdSchema,
  stringIdSchema,
} from './common.ts';

/** One row of `/public/results/{eventId}`. */
export const resultRowSchema = z.looseObject({
  riderId: riderIdSchema,
  name: optionalStringSchema,
  category: optionalStringSchema,
  time: numberLikeSchema,
  gap: optionalNumberSchema,
  position: optionalNumberSchema,
  positionInCategory: optionalNumberSchema,
  rating: optionalNumberSchema,
  ratingBefore: optionalNumberSchema,
  ratingDelta: optionalNumberSchema,
  ratingMax30: optionalNumberSchema,
  ratingMax90: optionalNumberSchema,
});

/** The current host's object form; `results` rows are validated one by one. */
export const resultsEnvelopeSchema = z.looseObject({
  eventId: stringIdSchema.nullish(),
  time: optionalNumberSchema,
  routeId: stringIdSchema.nullish(),
  distance: optionalNumberSchema,
  elevation: optionalNumberSchema,
  title: optionalStringSchema,
  type: optionalStringSchema,
  subType: optionalStringSchema,
  results: z.array(z.unknown()),
});

/** Either the object form or the older host's bare array of rows. */
export const resultsBodySchema = z.union([resultsEnvelopeSchema, z.array(z.unknown())]);

/** Raw result row as validated. */
export type RawResultRow = z.infer<typeof resultRowSchema>;
/** Raw results envelope as validated. */
export type RawResultsEnvelope = z.infer<typeof resultsEnvelopeSchema>;
