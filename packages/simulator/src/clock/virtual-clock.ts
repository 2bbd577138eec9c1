/**
 * The discrete-event virtual clock: time moves only when the driver asks, one timer at a time,
 * each once the process is idle.
 */
import type { Clock } from '@racesync/zwift-client';
import { abortReason } from './abort-reason.ts';
import { Activity } from './activity.ts';
import { VirtualClockStallError } from './stall-error.ts';
import { DEFAULT_START, toEpochMs } from './start-time.ts';
import { type Timer, TimerHeap } from './timer-heap.ts';
import { trackedFetch } from './tracked-fetch.ts';

/** Options of {@link createVirtualClock}. */
export interface VirtualClockOptions {
  /**
   * Virtual start (epoch ms, ISO string or Date).
   * @default '2026-01-01T00:00:00Z'
   */
  start?: number | string | Date;
  /**
   * Event-loop macrotask turns (setImmediate) without new activity that count as "idle".
   * @default 3
   */
  idleTurns?: number;
  /**
   * Real milliseconds that `runUntil`/`run` wait for tracked activity to finish before failing
   * with a `VirtualClockStallError` that names what is still in flight. 0 = wait forever.
   * @default 60000
   */
  stallTimeoutMs?: number;
}

/**
 * A discrete-event clock for driving a whole system (client, engine, simulator) with real
 * loopback I/O. Time only moves inside `runUntil` / `advanceBy` / `run`: each step waits until the
 * process is idle (no tracked fetch or promise in flight, then `idleTurns` macrotask turns with
 * no new activity), fires the earliest timer, and repeats.
 */
export interface VirtualClock extends Clock {
  readonly kind: 'virtual';
  /** Fire every timer due at or before `t` (in order, waiting for idle before each), then set now = t. */
  runUntil(t: number): Promise<void>;
  /** `runUntil(now() + ms)`. */
  advanceBy(ms: number): Promise<void>;
  /**
   * Drive timers until `promise` settles and return its outcome. Rejects with
   * `VirtualClockStallError` when it is still pending while nothing is in flight and no timer
   * is left, or when the next timer lies beyond `options.until`.
   */
  run<T>(
    promise: Promise<T>,
    options?: {
      /**
       * Virtual epoch ms beyond which no timer fires: a promise that needs a later one rejects.
       * @default no bound
       */
      until?: number;
    },
  ): Promise<T>;
  /** Resolves when the process is idle (see above). Does not move time. */
  whenIdle(): Promise<void>;
  /**
   * Wrap a fetch so its requests count as activity from the call until the full body is read
   * (the returned Response is rebuilt from the buffer, so nothing is pending after it resolves).
   */
  trackFetch(fetchImpl?: typeof fetch): typeof fetch;
  /** Count `promise` as activity until it settles; returns it. */
  track<T>(promise: Promise<T>): Promise<T>;
  /** Number of pending timers. */
  pendingTimers(): number;
  /** Time of the earliest pending timer, or null. */
  nextTimerAt(): number | null;
  /** Tracked operations in flight (parked requests excluded). */
  inFlight(): number;
  /** Name of the request header a tracked fetch adds (its activity token). */
  readonly activityHeader: string;
  /**
   * For servers: a request carrying this activity token is deliberately held (hang, slow), so it
   * must not keep the clock from advancing. Returns false for an unknown token.
   */
  park(token: string): boolean;
  /** The held request is being answered again: count it as activity. */
  unpark(token: string): void;
}

let clockCounter = 0;

/** Create a discrete-event virtual clock (see {@link VirtualClock}). */
export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  let now = toEpochMs(options.start ?? DEFAULT_START);
  const idleTurns = Math.max(1, options.idleTurns ?? 3);
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  const clockId = `vc${++clockCounter}`;
  const heap = new TimerHeap();
  const activity = new Activity(idleTurns, stallTimeoutMs);
  let seq = 0;
  let tokenSeq = 0;
  let driving: Promise<unknown> = Promise.resolve();

  const nextToken = (): string => `${clockId}.${++tokenSeq}`;

  const fire = (t: Timer): void => {
    if (t.at > now) now = t.at;
    activity.touch();
    t.resolve();
  };

  /** One driver at a time: runUntil / advanceBy / run calls queue behind each other. */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = driving.then(fn, fn);
    driving = next.catch(() => undefined);
    return next;
  };

  const runUntilInner = async (t: number): Promise<void> => {
    for (;;) {
      await activity.whenIdle();
      const next = heap.peek();
      if (!next || next.at > t) break;
      heap.pop();
      fire(next);
    }
    if (t > now) now = t;
  };

  const clock: VirtualClock = {
    kind: 'virtual',
    activityHeader: 'x-racesync-sim-activity',
    now: () => now,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      if (!(ms > 0)) {
        // Zero or negative waits resolve without moving time (like a real timer of 0 ms).
        return new Promise<void>((resolve) => setImmediate(resolve));
      }
      return new Promise<void>((resolve, reject) => {
        const timer: Timer = {
          at: now + ms,
          seq: ++seq,
          cancelled: false,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          heap.cancel(timer);
          activity.touch();
          reject(abortReason(signal as AbortSignal));
        };
        heap.push(timer);
        activity.touch();
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    runUntil: (t: number) => exclusive(() => runUntilInner(t)),
    advanceBy: (ms: number) => exclusive(() => runUntilInner(now + ms)),
    run<T>(promise: Promise<T>, runOptions: { until?: number } = {}): Promise<T> {
      let settled = false;
      promise.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      return exclusive(async () => {
        for (;;) {
          await activity.whenIdle();
          if (settled) return promise;
          const next = heap.peek();
          if (!next) {
            throw new VirtualClockStallError(
              'virtual clock: the promise is still pending but no timer is pending and nothing is in flight',
            );
          }
          if (runOptions.until !== undefined && next.at > runOptions.until) {
            if (runOptions.until > now) now = runOptions.until;
            throw new VirtualClockStallError(
              `virtual clock: the promise did not settle by ${new Date(runOptions.until).toISOString()}`,
            );
          }
          heap.pop();
          fire(next);
        }
      });
    },
    whenIdle: () => activity.whenIdle(),
    trackFetch(fetchImpl: typeof fetch = globalThis.fetch): typeof fetch {
      return trackedFetch(fetchImpl, activity, nextToken, clock.activityHeader);
    },
    track<T>(promise: Promise<T>): Promise<T> {
      const token = nextToken();
      activity.begin(token, 'tracked promise');
      promise.then(
        () => activity.end(token),
        () => activity.end(token),
      );
      return promise;
    },
    pendingTimers: () => heap.live,
    nextTimerAt: () => heap.peek()?.at ?? null,
    inFlight: () => activity.inFlight,
    park: (token: string): boolean => activity.park(token),
    unpark: (token: string): void => activity.unpark(token),
  };
  return clock;
}

/** True when `clock` is a virtual clock created by this package. */
export function isVirtualClock(clock: Clock): clock is VirtualClock {
  return (
    (clock as Partial<VirtualClock>).kind === 'virtual' && typeof (clock as VirtualClock).park === 'function'
  );
}
