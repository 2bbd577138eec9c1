/**
 * THE clock shape of racesync: the source of time for every wait the client makes (token waits,
 * 429 blocks, retry back-off, request timeouts), and the same type the sync engine
 * (`@racesync/sync-core`) and the simulator's clocks use (they `import type { Clock } from
 * '@racesync/zwift-client'`), so one clock drives them all. Inject a virtual clock to run a
 * simulated day in seconds.
 */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with `signal.reason` when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `Date.now()` and a timer; the default `clock` of the client. The only place the
 * package itself touches `setTimeout` (ky's own timers are off, except a 10 s bound on reading an
 * error body, see the README).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
