import type { Clock } from '../clock.ts';

/** An armed timeout; `disarm` it when the request settles. */
export interface TimeoutHandle {
  deadline: number;
  done: boolean;
  fire: () => void;
}

const CANCELLED = Symbol('timeouts-cancelled');
const noop = (): void => {};

/**
 * Request timeouts of one client on its clock, with ONE pending sleep for all requests in flight
 * (instead of a sleep per request — the hot path of a busy client, and on a virtual clock one timer
 * instead of hundreds). Deadlines are `now + timeoutMs` with a fixed `timeoutMs`, so they arrive in
 * order and a FIFO suffices. When no request is in flight the sleep is cancelled, so an idle client
 * holds no timer.
 */
export class Timeouts {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  #queue: TimeoutHandle[] = [];
  #head = 0;
  #active = 0;
  #sleeper: AbortController | null = null;

  constructor(clock: Clock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** Calls `fire` once `timeoutMs` of clock time pass, unless disarmed first. */
  arm(fire: () => void): TimeoutHandle {
    const handle: TimeoutHandle = { deadline: this.#clock.now() + this.#timeoutMs, done: false, fire };
    this.#queue.push(handle);
    this.#active++;
    if (this.#sleeper === null) this.#schedule();
    return handle;
  }

  disarm(handle: TimeoutHandle): void {
    if (handle.done) return;
    handle.done = true;
    handle.fire = noop; // release what the callback holds (controller, request) right away
    this.#active--;
    if (this.#active === 0) {
      this.#queue = [];
      this.#head = 0;
      const sleeper = this.#sleeper;
      this.#sleeper = null;
      sleeper?.abort(CANCELLED);
      return;
    }
    // A busy client may never be idle: drop settled handles from the front as they settle, so the
    // line holds only (roughly) the requests in flight, not every request of the last `timeoutMs`.
    const queue = this.#queue;
    let head = this.#head;
    while (head < queue.length && queue[head]!.done) head++;
    this.#head = head;
    this.#compact();
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #schedule(): void {
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.done) this.#head++;
    const next = this.#queue[this.#head];
    if (next === undefined) return;
    const sleeper = new AbortController();
    this.#sleeper = sleeper;
    this.#clock.sleep(Math.max(0, next.deadline - this.#clock.now()), sleeper.signal).then(
      () => {
        if (this.#sleeper !== sleeper) return;
        this.#sleeper = null;
        this.#expire();
      },
      () => {},
    );
  }

  #expire(): void {
    const now = this.#clock.now();
    while (this.#head < this.#queue.length) {
      const handle = this.#queue[this.#head]!;
      if (!handle.done && handle.deadline > now) break;
      this.#head++;
      if (handle.done) continue;
      handle.done = true;
      this.#active--;
      const fire = handle.fire;
      handle.fire = noop;
      fire();
    }
    this.#compact();
    if (this.#active > 0 && this.#sleeper === null) this.#schedule();
  }
}
