/** The public API's results of a race. */
import type { SimEvent } from '../events.ts';
import type { RawResultRow } from '../results.ts';

/** `GET /public/results/{eventId}` object form (shape of zwiftracing-public-results-event.json). */
export function resultsObject(ev: SimEvent, rows: RawResultRow[]): Record<string, unknown> {
  return {
    eventId: ev.eventId,
    time: ev.startMs / 1000,
    routeId: ev.route.idStr,
    distance: ev.distanceM / 1000,
    elevation: ev.elevationM,
    title: ev.title,
    type: 'Race',
    subType: ev.subType,
    results: rows,
  };
}
