import { z } from 'zod';
import { numericIdSchema, optionalStringSchema } from './common.ts';

/** A club page (`/public/clubs/{id}[/{fromRiderId}]`); its riders are validated one by one with `riderSchema`. */
export const clubPageSchema = z.looseObject({
  clubId: numericIdSchema.nullish(),
  name: optionalStringSchema,
  riders: z.array(z.unknown()),
});

/** Raw club page as validated. */
export type RawClubPage = z.infer<typeof clubPageSchema>;
