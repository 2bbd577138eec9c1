import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock.ts';

/** Handles armed at the same clock time share a deadline, hence (on request) one abort signal. */
interface TimeoutGroup {
  deadline: number;
  controller: AbortController | null;
}

/** An armed timeout; `disarm` it when the request settles. */
export interface TimeoutHandle {
  deadline: number;
  done: boolean;
  fire: () => void;
  group: TimeoutGroup;
}

/** Reason of the signals of {@link Timeouts.signalOf} when their deadline passes. */
export const TIMEOUT: unique symbol = Symbol('timeout');

const CANCELLED = Symbol('timeouts-cancelled');
const noop = (): void => {};

/**
 * Request timeouts of one client on its clock, with ONE pending sleep for all requests in flight
 * (instead of a timer + AbortController per request — the hot path of a busy client). Deadlines are
 * `now + timeoutMs` with a fixed `timeoutMs`, so they arrive in order and a FIFO suffices. When no
 * request is in flight the sleep is cancelled, so an idle client holds no timer.
 *
 * Requests armed at the same clock time have the same deadline, so they can also share one abort
 * signal ({@link signalOf}): when the deadline passes, every one of them still in flight times
 * out at once, and the signal of those that settled earlier no longer matters. A busy client
 * thus creates one AbortController per clock tick instead of one per request.
 */
export class Timeouts {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  #queue: TimeoutHandle[] = [];
  #head = 0;
  #active = 0;
  #sleeper: AbortController | null = null;
  #lastGroup: TimeoutGroup | null = null;

  constructor(clock: Clock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** Calls `fire` once `timeoutMs` of clock time pass, unless disarmed first. */
  arm(fire: () => void = noop): TimeoutHandle {
    const deadline = this.#clock.now() + this.#timeoutMs;
    let group = this.#lastGroup;
    if (group === null || group.deadline !== deadline || group.controller?.signal.aborted === true) {
      group = { deadline, controller: null };
      this.#lastGroup = group;
    }
    const handle: TimeoutHandle = { deadline, done: false, fire, group };
    this.#queue.push(handle);
    this.#active++;
    if (this.#sleeper === null) this.#schedule();
    return handle;
  }

  /**
   * A signal aborted with reason {@link TIMEOUT} when `handle`'s deadline passes while it (or any
   * handle armed at the same clock time) is still armed. Shared by those handles.
   */
  signalOf(handle: TimeoutHandle): AbortSignal {
    const { group } = handle;
    if (group.controller === null) {
      group.controller = new AbortController();
      // many requests may listen to one signal (undici raises the limit the same way; a custom
      // fetch would otherwise trigger MaxListenersExceededWarning past 10 requests per tick)
      setMaxListeners(1500, group.controller.signal);
    }
    return group.controller.signal;
  }

  disarm(handle: TimeoutHandle): void {
    if (handle.done) return;
    handle.done = true;
    handle.fire = noop; // release what the callback holds (controller, request) right away
    this.#active--;
    if (this.#active === 0) {
      this.#queue = [];
      this.#head = 0;
      this.#lastGroup = null;
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
    if (head > 1024 && head * 2 > queue.length) {
      this.#queue = queue.slice(head);
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
      handle.fire();
      handle.group.controller?.abort(TIMEOUT);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#active > 0 && this.#sleeper === null) this.#schedule();
  }
}
