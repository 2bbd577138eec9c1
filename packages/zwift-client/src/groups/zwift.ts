import { z } from 'zod';
import type { ClientContext } from '../context.ts';
import { type CallOptions, checkCallOptions, requestJson } from '../http/request.ts';
import { normaliseZwiftEvent } from '../normalise/zwift-events.ts';
import { zwiftEventSchema } from '../schemas/zwift-events.ts';
import type { SkippedRecord, ZwiftUpcomingEvents } from '../types.ts';
import { validateBody, validateList } from '../validate/validate.ts';

/** `zwift` group (Zwift's own public API; keyless, `zwift` budget). */
export interface ZwiftGroup {
  events: {
    /** Upcoming events (`GET {zwiftBaseUrl}/api/public/events/upcoming`, ≤ 200, ~12–18 h ahead). */
    upcoming(options?: CallOptions): Promise<ZwiftUpcomingEvents>;
  };
}

const listSchema = z.array(z.unknown());

export function createZwiftGroup(ctx: ClientContext): ZwiftGroup {
  return {
    events: {
      async upcoming(options) {
        const endpoint = 'zwift.events.upcoming';
        checkCallOptions(options, endpoint);
        const path = '/api/public/events/upcoming';
        const list = validateBody(
          ctx,
          endpoint,
          listSchema,
          await requestJson(ctx, endpoint, { path }, options),
        );
        const skipped: SkippedRecord[] = [];
        const events = validateList(ctx, endpoint, list, zwiftEventSchema, '', normaliseZwiftEvent, skipped);
        return { events, skipped };
      },
    },
  };
}
