import { z } from 'zod';
import { optionalNumberSchema, optionalStringSchema, powerValueSchema, riderIdSchema } from './common.ts';

/** One ZwiftPower row (`/public/zp/{eventId}/results`); values are often `[value, flag]` with numeric strings. */
export const zpResultRowSchema = z.looseObject({
  zwid: riderIdSchema,
  name: optionalStringSchema,
  pos: optionalNumberSchema,
  position_in_cat: optionalNumberSchema,
  category: optionalStringSchema,
  time: powerValueSchema,
  gap: optionalNumberSchema,
  ftp: optionalNumberSchema,
  avg_power: powerValueSchema,
  avg_wkg: powerValueSchema,
  np: powerValueSchema,
  wftp: powerValueSchema,
  wkg_ftp: powerValueSchema,
  weight: powerValueSchema,
  height: powerValueSchema,
  avg_hr: powerValueSchema,
  max_hr: powerValueSchema,
  wkg5: powerValueSchema,
  wkg15: powerValueSchema,
  wkg30: powerValueSchema,
  wkg60: powerValueSchema,
  wkg120: powerValueSchema,
  wkg300: powerValueSchema,
  wkg1200: powerValueSchema,
  w5: powerValueSchema,
  w15: powerValueSchema,
  w30: powerValueSchema,
  w60: powerValueSchema,
  w120: powerValueSchema,
  w300: powerValueSchema,
  w1200: powerValueSchema,
  tname: optionalStringSchema,
  flag: optionalStringSchema,
  age: optionalStringSchema,
});

/** Bare array of rows, or ZwiftPower's own `{ data: [...] }` wrapper. */
export const zpResultsBodySchema = z.union([
  z.array(z.unknown()),
  z.looseObject({ data: z.array(z.unknown()) }),
]);

/** Raw ZwiftPower row as validated. */
export type RawZwiftPowerResultRow = z.infer<typeof zpResultRowSchema>;
