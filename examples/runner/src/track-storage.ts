/**
 * On a virtual clock, time only moves when nothing tracked is in flight. A database is I/O the
 * clock cannot see, so every call of a real storage (its methods, its leases, its rate-limit store)
 * is passed through `clock.track` — otherwise simulated time could jump while a batch is being
 * written. Memory storage needs none of this; the system and scaled clocks neither.
 */
import type { VirtualClock } from '@racesync/simulator';

function trackObject<T extends object>(target: T, clock: VirtualClock, nested: readonly string[]): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof prop === 'string' && nested.includes(prop) && value && typeof value === 'object') {
        return trackObject(value, clock, []);
      }
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        return result instanceof Promise ? clock.track(result) : result;
      };
    },
  });
}

/** `storage` with every async call tracked by `clock`, including `leases` and `rateLimitStore`. */
export function trackStorage<T extends object>(storage: T, clock: VirtualClock): T {
  return trackObject(storage, clock, ['leases', 'rateLimitStore']);
}
