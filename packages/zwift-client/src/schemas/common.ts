import { z } from 'zod';

/** A decimal number written as a string, e.g. `"70.1"`, `"4"`, `"-3.5e2"`. */
export const numericStringSchema = z
  .string()
  .regex(/^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/, 'Expected a numeric string');

/** A number or a numeric string. */
export const numberLikeSchema = z.union([z.number(), numericStringSchema]);

/** Optional number: number, numeric string, `''`, `null` or absent (the last three mean "no value"). */
export const optionalNumberSchema = z
  .union([z.number(), numericStringSchema, z.literal(''), z.null()])
  .optional();

/**
 * A power value as the upstreams send it: a number, a numeric string, or an array whose first
 * element is the value (`[value, pct, pct]` internal API, `["70.1", 0]` ZwiftPower).
 */
export const powerValueSchema = z
  .union([
    z.number(),
    numericStringSchema,
    z.literal(''),
    z.null(),
    z.array(z.union([z.number(), numericStringSchema, z.literal(''), z.null()])),
  ])
  .optional();

/** A numeric id (club, subgroup): a non-negative safe integer, or a string of digits within that range. */
export const numericIdSchema = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+$/, 'Expected an id')
    .refine((s) => Number.isSafeInteger(Number(s)), 'Expected an id within the safe integer range'),
]);

/** A rider id: a positive safe integer, or a string of digits within that range (0 is not a rider). */
export const riderIdSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d+$/, 'Expected a rider id')
    .refine((s) => Number(s) > 0 && Number.isSafeInteger(Number(s)), 'Expected a positive rider id'),
]);

/** A string id (event, route): a string with a non-blank character, or a non-negative integer (kept as text). */
export const stringIdSchema = z.union([
  z.string().regex(/\S/, 'Expected a non-blank id'),
  z.number().int().nonnegative(),
]);

/** Optional text. */
export const optionalStringSchema = z.string().nullish();

/** Optional flag: boolean, 0/1 or "true"/"false". */
export const optionalFlagSchema = z.union([z.boolean(), z.number(), z.string()]).nullish();
