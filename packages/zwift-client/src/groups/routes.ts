import type { ClientContext } from '../context.ts';
import { type CallOptions, checkCallOptions, requestJson } from '../http/request.ts';
import { normaliseRoute } from '../normalise/routes.ts';
import { routeSchema } from '../schemas/routes.ts';
import type { RoutesResult } from '../types.ts';
import { validateListBody } from '../validate/validate.ts';

/** `routes` group (site API, `site` budget). */
export interface RoutesGroup {
  /** All routes (`GET {siteBaseUrl}/api/routes`); distances converted from km to metres. */
  list(options?: CallOptions): Promise<RoutesResult>;
}

export function createRoutesGroup(ctx: ClientContext): RoutesGroup {
  return {
    async list(options) {
      const endpoint = 'routes.list';
      checkCallOptions(options, endpoint);
      const path = '/api/routes';
      const { items: routes, skipped } = validateListBody(
        ctx,
        endpoint,
        await requestJson(ctx, endpoint, { path }, options),
        routeSchema,
        normaliseRoute,
      );
      return { routes, skipped };
    },
  };
}
