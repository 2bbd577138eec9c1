import type { ClientContext } from '../context.ts';
import { type CallOptions, checkCallOptions, requestJson } from '../http/request.ts';
import { normaliseRaceEvent } from '../normalise/events.ts';
import { normaliseSignupRider } from '../normalise/signups.ts';
import { toNumber } from '../normalise/values.ts';
import { raceEventSchema } from '../schemas/events.ts';
import { signupPenSchema, signupRiderSchema } from '../schemas/signups.ts';
import type { EventSignups, SignupPen, SignupRider, SkippedRecord, UpcomingEvents } from '../types.ts';
import { validateList, validateListBody } from '../validate/validate.ts';
import { checkStringId } from './args.ts';

/** `events` group (ZwiftRacing site API; keyless, shared self-imposed `site` budget). */
export interface EventsGroup {
  /** Upcoming races (`GET {siteBaseUrl}/api/events/upcoming`). */
  upcoming(options?: CallOptions): Promise<UpcomingEvents>;
  /** Signups of one event by pen (`GET {siteBaseUrl}/api/events/{eventId}/signups`). */
  signups(eventId: string | number, options?: CallOptions): Promise<EventSignups>;
}

export function createEventsGroup(ctx: ClientContext): EventsGroup {
  return {
    async upcoming(options) {
      const endpoint = 'events.upcoming';
      checkCallOptions(options, endpoint);
      const path = '/api/events/upcoming';
      const { items: events, skipped } = validateListBody(
        ctx,
        endpoint,
        await requestJson(ctx, endpoint, { path }, options),
        raceEventSchema,
        normaliseRaceEvent,
      );
      return { events, skipped };
    },

    async signups(eventId, options) {
      const endpoint = 'events.signups';
      const id = checkStringId(eventId, 'eventId', endpoint);
      checkCallOptions(options, endpoint);
      const path = `/api/events/${encodeURIComponent(id)}/signups`;
      const skipped: SkippedRecord[] = [];
      const { items: pens } = validateListBody(
        ctx,
        endpoint,
        await requestJson(ctx, endpoint, { path }, options),
        signupPenSchema,
        (raw, index): SignupPen => {
          const label = String(raw.name);
          return {
            label,
            avgRating: toNumber(raw.avgRating),
            ratedRiders: toNumber(raw.ratedRiders),
            riders: validateList(
              ctx,
              endpoint,
              raw.riders ?? [],
              signupRiderSchema,
              `[${index}].riders`,
              (r) => normaliseSignupRider(r, label),
              skipped,
            ),
          };
        },
        skipped,
      );
      const seen = new Set<number>();
      const riders: SignupRider[] = [];
      for (const pen of pens) {
        for (const rider of pen.riders) {
          if (seen.has(rider.riderId)) continue;
          seen.add(rider.riderId);
          riders.push(rider);
        }
      }
      return { eventId: id, pens, riders, skipped };
    },
  };
}
