/** Checks of a route's path parameters (ids and epochs). */
import { HttpError } from './http-error.ts';
import type { Route } from './routes.ts';

const EPOCH_RE = /^\d{1,12}$/;
const INT_RE = /^\d{1,15}$/;

/** Throws a 400 `HttpError` naming the first bad parameter of `found`. */
export function validateParams(found: Route): void {
  const p = found.params;
  switch (found.endpoint) {
    case 'riders':
      if (!INT_RE.test(p[0] as string)) throw new HttpError(400, 'Invalid rider id');
      if (p[1] !== undefined && !EPOCH_RE.test(p[1])) throw new HttpError(400, 'Invalid epoch');
      return;
    case 'riders-bulk':
      if (p[0] !== undefined && !EPOCH_RE.test(p[0])) throw new HttpError(400, 'Invalid epoch');
      return;
    case 'clubs':
      if (!INT_RE.test(p[0] as string)) throw new HttpError(400, 'Invalid club id');
      if (p[1] !== undefined && !INT_RE.test(p[1])) throw new HttpError(400, 'Invalid rider id');
      return;
    case 'results':
    case 'results-zp':
    case 'site-signups':
      if (!INT_RE.test(p[0] as string)) throw new HttpError(400, 'Invalid event id');
      return;
    case 'zwift-entrants':
      if (!INT_RE.test(p[0] as string)) throw new HttpError(400, 'Invalid subgroup id');
      return;
    default:
      return;
  }
}
