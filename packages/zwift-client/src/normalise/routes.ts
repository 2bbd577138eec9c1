import type { RawRoute } from '../schemas/routes.ts';
import type { Route } from '../types.ts';
import { decodeHtmlEntities } from './html-entities.ts';
import { kmToMeters, toFlag, toId, toNumber } from './values.ts';

/** Site API route → {@link Route}: `distance` km → metres. */
export function normaliseRoute(raw: RawRoute): Route {
  return {
    routeId: toId(raw.routeId),
    name: decodeHtmlEntities(raw.name ?? ''),
    distanceMeters: kmToMeters(raw.distance),
    elevationMeters: toNumber(raw.elevation),
    world: raw.world ?? null,
    profile: raw.profile ?? null,
    eventOnly: toFlag(raw.eventOnly),
    url: raw.url ?? null,
    difficulty: toNumber(raw.difficulty),
  };
}
