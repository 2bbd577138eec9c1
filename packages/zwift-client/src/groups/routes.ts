import { z } from 'zod';
import type { ClientContext } from '../context.ts';
import { type CallOptions, checkCallOptions, requestJson } from '../http/request.ts';
import { normaliseRoute } from '../normalise/routes.ts';
import { routeSchema } from '../schemas/routes.ts';
import type { RoutesResult, SkippedRecord } from '../types.ts';
import { validateBody, validateList } from '../validate/validate.ts';

/** `routes` group (site API, `site` budget). */
export interface RoutesGroup {
  /** All routes (`GET {siteBaseUrl}/api/routes`); distances converted from km to metres. */
  list(options?: CallOptions): Promise<RoutesResult>;
}

const listSchema = z.array(z.unknown());

export function createRoutesGroup(ctx: ClientContext): RoutesGroup {
  return {
    async list(options) {
      const endpoint = 'routes.list';
      checkCallOptions(options, endpoint);
      const path = '/api/routes';
      const list = validateBody(
        ctx,
        endpoint,
        listSchema,
        await requestJson(ctx, endpoint, { path }, options),
      );
      const skipped: SkippedRecord[] = [];
      const routes = validateList(ctx, endpoint, list, routeSchema, '', normaliseRoute, skipped);
      return { routes, skipped };
    },
  };
}
