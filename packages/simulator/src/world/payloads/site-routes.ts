/** The site API's route list. */
import { allRoutes } from '../series.ts';

let routesJson: string | null = null;

/** `GET /api/routes` (shape of zwiftracing-internal-api-routes-item.json, as a list). */
export function siteRoutesJson(): string {
  if (routesJson) return routesJson;
  const difficulty = { Flat: '1.0', Rolling: '2.0', Hilly: '2.5', Mountainous: '4.0' } as const;
  routesJson = JSON.stringify(
    allRoutes().map((r) => ({
      _id: `61284748d4b60c0016${(r.id % 0xffffff).toString(16).padStart(6, '0')}`,
      eventOnly: r.eventOnly,
      world: r.worldName,
      routeId: r.idStr,
      name: r.name,
      distance: r.distanceKm,
      elevation: r.elevation,
      leadIn: r.leadInKm,
      __v: 0,
      profile: r.profile,
      url: r.url,
      difficulty: difficulty[r.profile],
      image: r.slug.toUpperCase().replace(/-/g, '_'),
      leadInDistance: r.leadInKm,
      leadInElevation: r.leadInElevation,
      updatedAt: '2025-11-09T15:45:27.830Z',
    })),
  );
  return routesJson;
}
