/** Handlers of the ZwiftRacing.app public API: riders (one, bulk), clubs, results (own and ZwiftPower). */

import { resultsObject } from '../../world/payloads/public-results.ts';
import { zpResultsJson } from '../../world/payloads/zp-results.ts';
import type { World } from '../../world/world.ts';
import { type Body, joinJson } from '../body.ts';
import { HttpError } from '../http-error.ts';
import { eventOr404 } from './find-event.ts';

/** `GET /public/riders/{id}[/{epoch}]`: the rider as at `epoch` (never after now). */
export function riderBody(world: World, p: string[], now: number): Body {
  const id = Number(p[0]);
  const at = p[1] === undefined ? now : Math.min(now, Number(p[1]) * 1000);
  const buf = world.riderBufAt(id, at);
  if (buf === null) throw new HttpError(404, `Rider ${p[0]} not found`);
  return buf;
}

/**
 * `POST /public/riders[/{epoch}]`: the known riders among `ids` (each once), in an order shuffled
 * by `shuffleSeed`, unknown ids left out.
 */
export function ridersBulkBody(
  world: World,
  p: string[],
  now: number,
  ids: number[],
  shuffleSeed: () => number,
): Body {
  const at = p[0] === undefined ? now : Math.min(now, Number(p[0]) * 1000);
  const seen = new Set<number>();
  const parts: Buffer[] = [];
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const buf = world.riderBufAt(id, at);
    if (buf !== null) parts.push(buf);
  }
  // Answer order deliberately differs from request order: clients must key by riderId.
  let s = shuffleSeed();
  for (let i = parts.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const tmp = parts[i] as Buffer;
    parts[i] = parts[j] as Buffer;
    parts[j] = tmp;
  }
  return joinJson('[', parts, ']');
}

/** `GET /public/clubs/{id}[/{fromRiderId}]`: one page of a team's riders, from a rider id on. */
export function clubBody(world: World, p: string[], now: number, pageSize: number): Body {
  const clubId = Number(p[0]);
  const team = world.teamOfClub(clubId);
  if (!team) throw new HttpError(404, `Club ${p[0]} not found`);
  const from = p[1] === undefined ? 0 : Number(p[1]);
  const ids = team.riderIds;
  let lo = 0;
  while (lo < ids.length && (ids[lo] as number) < from) lo++;
  const page = ids.slice(lo, lo + pageSize);
  return joinJson(
    `{"clubId":${clubId},"name":${JSON.stringify(team.info.name)},"riders":[`,
    page.map((id) => world.riderBufAt(id, now) as Buffer),
    ']}',
  );
}

/** `GET /public/results/{eventId}`: the results as published at `now` (404 before). */
export function resultsBody(world: World, p: string[], now: number): Body {
  const ev = eventOr404(world, p[0] as string);
  const rows = world.resultsAt(ev, now);
  if (rows === null) throw new HttpError(404, `Results for event ${ev.eventId} not found`);
  return JSON.stringify(resultsObject(ev, rows));
}

/** `GET /public/zp/{eventId}/results`: ZwiftPower's view of the same results. */
export function zpResultsBody(world: World, p: string[], now: number): Body {
  const ev = eventOr404(world, p[0] as string);
  const rows = world.resultsAt(ev, now);
  if (rows === null) throw new HttpError(404, `Results for event ${ev.eventId} not found`);
  return zpResultsJson(world, ev, rows);
}
