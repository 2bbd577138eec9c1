import { z } from 'zod';
import { optionalNumberSchema, optionalStringSchema } from './common.ts';

/** A positive number of seconds, as a number or a numeric string. */
const secondsSchema = z.union([
  z.number().positive(),
  z
    .string()
    .regex(/^\s*\d+(?:\.\d+)?\s*$/, 'Expected seconds')
    .refine((s) => Number(s) > 0, 'Expected a positive number of seconds'),
]);

/**
 * Answer of Zwift's token endpoint (Keycloak's OpenID Connect token response):
 * `{ access_token, token_type: "Bearer", expires_in, refresh_token, refresh_expires_in }` (seconds).
 * A missing `refresh_token` means the client logs in again when the access token expires.
 */
export const zwiftTokenResponseSchema = z.looseObject({
  access_token: z.string().regex(/\S/, 'Expected a token'),
  token_type: optionalStringSchema,
  expires_in: secondsSchema,
  refresh_token: z.string().regex(/\S/, 'Expected a token').nullish(),
  refresh_expires_in: optionalNumberSchema,
});

/** Raw token response as validated. */
export type RawZwiftTokenResponse = z.infer<typeof zwiftTokenResponseSchema>;
