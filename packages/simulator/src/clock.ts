/**
 * Clocks. The contract (docs/contracts.md) is `{ now(), sleep(ms, signal?) }`; every package
 * declares the same structural type, so any of these plugs into the client and the engine.
 */

/** The cross-package clock contract. */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with `signal.reason` when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** setTimeout's maximum delay; longer (or infinite) waits are chained. */
const MAX_TIMEOUT = 2_147_483_647;

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const deadline = performance.now() + Math.max(0, ms);
    const arm = (): void => {
      const left = deadline - performance.now();
      if (left <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      // Infinity never resolves (only an abort ends it); huge waits are re-armed.
      timer = setTimeout(arm, Math.min(MAX_TIMEOUT, left));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (ms <= 0) timer = setTimeout(arm, 0);
    else arm();
  });
}

/** Wall-clock time and real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: realSleep,
};

export interface ScaledClock extends Clock {
  readonly kind: 'scaled';
  /** Virtual epoch ms at which the clock started. */
  readonly start: number;
  /** Virtual ms per real ms. */
  readonly speed: number;
  /** Wall-clock epoch ms at which virtual time was `start` (pass it to other processes' clocks). */
  readonly anchor: number;
}

/** Options of {@link createScaledClock}. */
export interface ScaledClockOptions {
  /** Virtual start (epoch ms, ISO string or Date). Default 2026-01-01T00:00:00Z. */
  start?: number | string | Date;
  /** Virtual ms per real ms. Default 1. */
  speed?: number;
  /**
   * Wall-clock epoch ms (`Date.now()` time) at which virtual time is `start`. Default: now.
   * Processes given the same `start`, `speed` and `anchor` share one virtual time (as closely as
   * their wall clocks agree).
   */
  anchor?: number;
}

/**
 * Real time × `speed`, starting at the virtual instant `start` (epoch ms or ISO string) at the
 * wall-clock instant `anchor` (default: now). `sleep(ms)` waits `ms / speed` real milliseconds.
 * Used by `racesync-sim serve` and by multi-process tests and demos.
 */
export function createScaledClock(options: ScaledClockOptions = {}): ScaledClock {
  const start = toEpochMs(options.start ?? DEFAULT_START);
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError('speed must be a positive finite number');
  if (options.anchor !== undefined && !Number.isFinite(options.anchor)) {
    throw new RangeError('anchor must be a finite epoch ms');
  }
  // The monotonic clock, offset so that performance.timeOrigin + t0 is the anchor's wall time.
  const t0 = options.anchor === undefined ? performance.now() : options.anchor - performance.timeOrigin;
  return {
    kind: 'scaled',
    start,
    speed,
    anchor: performance.timeOrigin + t0,
    now: () => Math.floor(start + (performance.now() - t0) * speed),
    sleep: (ms, signal) => realSleep(ms / speed, signal),
  };
}

/** 2026-01-01T00:00:00Z: the default virtual start of every simulation. */
export const DEFAULT_START = Date.UTC(2026, 0, 1, 0, 0, 0);

export function toEpochMs(value: number | string | Date): number {
  if (typeof value === 'number') return value;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`invalid time: ${String(value)}`);
  return ms;
}

/** Thrown by `run()` when the awaited promise can never settle (no timers, nothing in flight). */
export class VirtualClockStallError extends Error {
  override readonly name = 'VirtualClockStallError';
}

export interface VirtualClockOptions {
  /** Virtual start (epoch ms, ISO string or Date). Default 2026-01-01T00:00:00Z. */
  start?: number | string | Date;
  /**
   * Event-loop macrotask turns (setImmediate) without new activity that count as "idle".
   * Default 3.
   */
  idleTurns?: number;
  /**
   * Real milliseconds that `runUntil`/`run` wait for tracked activity to finish before failing
   * with a `VirtualClockStallError` that names what is still in flight. Default 60 000; 0 = wait forever.
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
  run<T>(promise: Promise<T>, options?: { until?: number }): Promise<T>;
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

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  cancelled: boolean;
}

/** Binary min-heap of timers by (at, seq). */
class TimerHeap {
  private items: Timer[] = [];
  live = 0;

  push(t: Timer): void {
    const a = this.items;
    a.push(t);
    this.live++;
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i] as Timer, a[p] as Timer)) break;
      swap(a, i, p);
      i = p;
    }
  }

  peek(): Timer | undefined {
    this.dropCancelled();
    return this.items[0];
  }

  pop(): Timer | undefined {
    this.dropCancelled();
    const t = this.popRaw();
    if (t) this.live--;
    return t;
  }

  /**
   * Marks `t` cancelled (it is dropped lazily when it reaches the top) and releases its callback at
   * once, so an aborted sleep does not keep its promise, signal and abort reason alive until its
   * due time. When cancelled timers outnumber live ones, the heap is rebuilt without them: a loop
   * that keeps aborting long sleeps (an engine woken early, a held request) stays bounded.
   */
  cancel(t: Timer): void {
    if (t.cancelled) return;
    t.cancelled = true;
    t.resolve = noop;
    this.live--;
    if (this.items.length > 64 && this.items.length - this.live > this.live) this.compact();
  }

  private compact(): void {
    const a = this.items.filter((t) => !t.cancelled);
    for (let i = (a.length >> 1) - 1; i >= 0; i--) siftDown(a, i);
    this.items = a;
  }

  private dropCancelled(): void {
    while (this.items.length > 0 && (this.items[0] as Timer).cancelled) this.popRaw();
  }

  private popRaw(): Timer | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0] as Timer;
    const last = a.pop() as Timer;
    if (a.length > 0) {
      a[0] = last;
      siftDown(a, 0);
    }
    return top;
  }
}

function noop(): void {}

function siftDown(a: Timer[], from: number): void {
  let i = from;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < a.length && less(a[l] as Timer, a[m] as Timer)) m = l;
    if (r < a.length && less(a[r] as Timer, a[m] as Timer)) m = r;
    if (m === i) break;
    swap(a, i, m);
    i = m;
  }
}

function less(x: Timer, y: Timer): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

function swap(a: Timer[], i: number, j: number): void {
  const t = a[i] as Timer;
  a[i] = a[j] as Timer;
  a[j] = t;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);
let clockCounter = 0;

/** Create a discrete-event virtual clock (see {@link VirtualClock}). */
export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  let now = toEpochMs(options.start ?? DEFAULT_START);
  const idleTurns = Math.max(1, options.idleTurns ?? 3);
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  const clockId = `vc${++clockCounter}`;
  const heap = new TimerHeap();
  let seq = 0;
  let tokenSeq = 0;
  /** Tracked operations: token → parked? */
  const inflight = new Map<string, { parked: boolean; label: string }>();
  let active = 0;
  let generation = 0;
  let zeroWaiters: (() => void)[] = [];
  let driving: Promise<unknown> = Promise.resolve();

  const begin = (token: string, label: string): void => {
    inflight.set(token, { parked: false, label });
    active++;
    generation++;
  };
  const end = (token: string): void => {
    const entry = inflight.get(token);
    if (!entry) return;
    inflight.delete(token);
    if (!entry.parked) decrement();
    generation++;
  };
  const decrement = (): void => {
    active--;
    if (active === 0 && zeroWaiters.length > 0) {
      const waiters = zeroWaiters;
      zeroWaiters = [];
      for (const w of waiters) w();
    }
  };

  const describeInflight = (): string =>
    [...inflight.values()]
      .filter((e) => !e.parked)
      .map((e) => e.label)
      .slice(0, 10)
      .join(', ');

  const waitZero = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (active === 0) return resolve();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = (): void => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      zeroWaiters.push(waiter);
      if (stallTimeoutMs > 0) {
        timer = setTimeout(() => {
          zeroWaiters = zeroWaiters.filter((w) => w !== waiter);
          reject(
            new VirtualClockStallError(
              `virtual clock: ${active} tracked operation(s) still in flight after ${stallTimeoutMs} ms of real time: ${describeInflight()}`,
            ),
          );
        }, stallTimeoutMs);
        timer.unref?.();
      }
    });

  const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

  const waitIdle = async (): Promise<void> => {
    for (;;) {
      if (active > 0) await waitZero();
      const gen = generation;
      let quiet = true;
      for (let i = 0; i < idleTurns; i++) {
        await turn();
        if (generation !== gen || active > 0) {
          quiet = false;
          break;
        }
      }
      if (quiet) return;
    }
  };

  const fire = (t: Timer): void => {
    if (t.at > now) now = t.at;
    generation++;
    t.resolve();
  };

  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = driving.then(fn, fn);
    driving = next.catch(() => undefined);
    return next;
  };

  const runUntilInner = async (t: number): Promise<void> => {
    for (;;) {
      await waitIdle();
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
          generation++;
          reject(abortReason(signal as AbortSignal));
        };
        heap.push(timer);
        generation++;
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
          await waitIdle();
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
    whenIdle: () => waitIdle(),
    trackFetch(fetchImpl: typeof fetch = globalThis.fetch): typeof fetch {
      const tracked = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
        const token = `${clockId}.${++tokenSeq}`;
        const label =
          typeof input === 'string' ? input : input instanceof URL ? input.href : (input as Request).url;
        begin(token, `fetch ${label}`);
        try {
          const headers = new Headers(
            init?.headers ?? (typeof input === 'object' && 'headers' in input ? input.headers : undefined),
          );
          headers.set(clock.activityHeader, token);
          const response = await fetchImpl(input, { ...init, headers });
          const buffer = await response.arrayBuffer();
          const copy = new Response(NULL_BODY.has(response.status) ? null : buffer, {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
          });
          Object.defineProperty(copy, 'url', { value: response.url });
          return copy;
        } finally {
          end(token);
        }
      };
      return tracked as typeof fetch;
    },
    track<T>(promise: Promise<T>): Promise<T> {
      const token = `${clockId}.${++tokenSeq}`;
      begin(token, 'tracked promise');
      promise.then(
        () => end(token),
        () => end(token),
      );
      return promise;
    },
    pendingTimers: () => heap.live,
    nextTimerAt: () => heap.peek()?.at ?? null,
    inFlight: () => active,
    park(token: string): boolean {
      const entry = inflight.get(token);
      if (!entry) return false;
      if (!entry.parked) {
        entry.parked = true;
        generation++;
        decrement();
      }
      return true;
    },
    unpark(token: string): void {
      const entry = inflight.get(token);
      if (!entry?.parked) return;
      entry.parked = false;
      active++;
      generation++;
    },
  };
  return clock;
}

/** True when `clock` is a virtual clock created by this package. */
export function isVirtualClock(clock: Clock): clock is VirtualClock {
  return (
    (clock as Partial<VirtualClock>).kind === 'virtual' && typeof (clock as VirtualClock).park === 'function'
  );
}
