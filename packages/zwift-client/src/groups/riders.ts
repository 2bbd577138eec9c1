import { z } from 'zod';
import type { ClientContext } from '../context.ts';
import { ConfigError } from '../errors/config-error.ts';
import { type CallOptions, checkCallOptions, requestJson, withCallScope } from '../http/request.ts';
import { normaliseRider } from '../normalise/rider.ts';
import { riderSchema } from '../schemas/rider.ts';
import type { Rider, RidersResult, SkippedRecord } from '../types.ts';
import { validateBody, validateList } from '../validate/validate.ts';
import { checkAt, checkNumericId } from './args.ts';

/** Most ids one bulk POST may carry (upstream limit). */
export const BULK_RIDERS_MAX = 1000;

/** Options of the rider methods. */
export interface RiderCallOptions extends CallOptions {
  /**
   * Rider state at this moment (Date or epoch ms), via the `/{epochSec}` path suffix.
   * @default undefined (the rider as of now: no suffix)
   */
  at?: Date | number;
}

/** `riders` group. */
export interface RidersGroup {
  /** One rider (`GET /public/riders/{id}[/{epochSec}]`, bucket `riders`). 404 → `NotFoundError`. */
  get(riderId: number, options?: RiderCallOptions): Promise<Rider>;
  /**
   * Many riders (`POST /public/riders[/{epochSec}]`, bucket `riders-bulk`): ids deduped, chunks of
   * ≤ 1000, keyed by the `riderId` in each record; `missing` lists requested ids not answered.
   */
  getMany(riderIds: Iterable<number>, options?: RiderCallOptions): Promise<RidersResult>;
}

const riderArraySchema = z.array(z.unknown());

export function createRidersGroup(ctx: ClientContext): RidersGroup {
  return {
    async get(riderId, options) {
      const endpoint = 'riders.get';
      const id = checkNumericId(riderId, 'riderId', endpoint);
      checkCallOptions(options, endpoint);
      const at = checkAt(options?.at, endpoint);
      const path = `/public/riders/${id}${at === undefined ? '' : `/${at}`}`;
      const body = await requestJson(ctx, endpoint, { path }, options);
      return normaliseRider(validateBody(ctx, endpoint, riderSchema, body));
    },

    async getMany(riderIds, callOptions) {
      const endpoint = 'riders.getMany';
      if (riderIds === null || typeof (riderIds as Iterable<number>)?.[Symbol.iterator] !== 'function') {
        throw new ConfigError('riderIds', 'must be an iterable of rider ids', endpoint);
      }
      const ids = [...new Set(riderIds)];
      for (const id of ids) checkNumericId(id, 'riderIds', endpoint);
      checkCallOptions(callOptions, endpoint);
      const at = checkAt(callOptions?.at, endpoint);
      const path = `/public/riders${at === undefined ? '' : `/${at}`}`;
      return withCallScope(ctx, callOptions, (options) => bulk(ctx, ids, path, options));
    },
  };
}

/** Riders of `ids` in chunks of ≤ {@link BULK_RIDERS_MAX}, keyed by the riderId in each record. */
async function bulk(
  ctx: ClientContext,
  ids: number[],
  path: string,
  options: CallOptions | undefined,
): Promise<RidersResult> {
  const endpoint = 'riders.getMany';
  const riders = new Map<number, Rider>();
  const skipped: SkippedRecord[] = [];
  const requested = new Set(ids);
  for (let start = 0; start < ids.length; start += BULK_RIDERS_MAX) {
    const chunk = ids.slice(start, start + BULK_RIDERS_MAX);
    const body = await requestJson(ctx, endpoint, { path, json: chunk }, options);
    const list = validateBody(ctx, endpoint, riderArraySchema, body);
    const records = validateList(ctx, endpoint, list, riderSchema, '', (r) => normaliseRider(r), skipped);
    for (const rider of records) {
      if (!requested.has(rider.riderId)) {
        ctx.logger.warn(
          { endpoint, riderId: rider.riderId },
          `${endpoint}: answer holds an unrequested rider; ignored`,
        );
        continue;
      }
      if (!riders.has(rider.riderId)) riders.set(rider.riderId, rider);
    }
  }
  const missing = ids.filter((id) => !riders.has(id));
  return { riders, missing, skipped };
}
