import type { ClientContext } from '../context.ts';
import { type CallOptions, checkCallOptions, requestJson } from '../http/request.ts';
import { decodeHtmlEntities } from '../normalise/html-entities.ts';
import { normaliseResultRow } from '../normalise/results.ts';
import { kmToMeters, secondsToMs, toId, toNumber } from '../normalise/values.ts';
import { normaliseZwiftPowerRow } from '../normalise/zp-results.ts';
import { resultRowSchema, resultsBodySchema } from '../schemas/results.ts';
import { zpResultRowSchema, zpResultsBodySchema } from '../schemas/zp-results.ts';
import type { EventResults, SkippedRecord, ZwiftPowerResults } from '../types.ts';
import { validateBody, validateList } from '../validate/validate.ts';
import { checkStringId } from './args.ts';

/** `results` group. Results not published yet answer 404 → `NotFoundError` ("not yet"). */
export interface ResultsGroup {
  /** ZwiftRacing results (`GET /public/results/{eventId}`, bucket `results`); object or bare-array form. */
  forEvent(eventId: string | number, options?: CallOptions): Promise<EventResults>;
  /** ZwiftPower results (`GET /public/zp/{eventId}/results`, bucket `results-zp`). */
  zwiftPower(eventId: string | number, options?: CallOptions): Promise<ZwiftPowerResults>;
}

export function createResultsGroup(ctx: ClientContext): ResultsGroup {
  return {
    async forEvent(eventId, options) {
      const endpoint = 'results.forEvent';
      const id = checkStringId(eventId, 'eventId', endpoint);
      checkCallOptions(options, endpoint);
      const path = `/public/results/${encodeURIComponent(id)}`;
      const body = validateBody(
        ctx,
        endpoint,
        resultsBodySchema,
        await requestJson(ctx, endpoint, { path }, options),
      );
      const skipped: SkippedRecord[] = [];
      if (Array.isArray(body)) {
        const results = validateList(ctx, endpoint, body, resultRowSchema, '', normaliseResultRow, skipped);
        return {
          eventId: id,
          startsAt: null,
          routeId: null,
          distanceMeters: null,
          elevationMeters: null,
          title: null,
          type: null,
          subType: null,
          results,
          skipped,
        };
      }
      const results = validateList(
        ctx,
        endpoint,
        body.results,
        resultRowSchema,
        'results',
        normaliseResultRow,
        skipped,
      );
      return {
        eventId: body.eventId === null || body.eventId === undefined ? id : toId(body.eventId),
        startsAt: secondsToMs(body.time),
        routeId: body.routeId === null || body.routeId === undefined ? null : toId(body.routeId),
        distanceMeters: kmToMeters(body.distance),
        elevationMeters: toNumber(body.elevation),
        title: typeof body.title === 'string' ? decodeHtmlEntities(body.title) : null,
        type: body.type ?? null,
        subType: body.subType ?? null,
        results,
        skipped,
      };
    },

    async zwiftPower(eventId, options) {
      const endpoint = 'results.zwiftPower';
      const id = checkStringId(eventId, 'eventId', endpoint);
      checkCallOptions(options, endpoint);
      const path = `/public/zp/${encodeURIComponent(id)}/results`;
      const body = validateBody(
        ctx,
        endpoint,
        zpResultsBodySchema,
        await requestJson(ctx, endpoint, { path }, options),
      );
      const rows = Array.isArray(body) ? body : body.data;
      const skipped: SkippedRecord[] = [];
      const base = Array.isArray(body) ? '' : 'data';
      const results = validateList(
        ctx,
        endpoint,
        rows,
        zpResultRowSchema,
        base,
        normaliseZwiftPowerRow,
        skipped,
      );
      return { eventId: id, results, skipped };
    },
  };
}
