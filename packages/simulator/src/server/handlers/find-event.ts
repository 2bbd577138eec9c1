/** Looking up the race a path names. */
import type { SimEvent } from '../../world/events.ts';
import type { World } from '../../world/world.ts';
import { HttpError } from '../http-error.ts';

/** The race with id `id`, or a 404 `HttpError`. */
export function eventOr404(world: World, id: string): SimEvent {
  const ev = world.eventById.get(id);
  if (!ev) throw new HttpError(404, `Event ${id} not found`);
  return ev;
}
