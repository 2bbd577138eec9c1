import { raceAbort } from '../abort.ts';

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

/**
 * One operation shared by every concurrent caller (the token request: many calls needing a token
 * → one request). Each caller waits with its own signal; aborting it rejects that caller only. When
 * every caller has left before the operation settled, an abandonable operation's own signal is
 * aborted (an abandoned token request stops waiting for its bucket) and the next caller starts
 * afresh; one that is not (a user's token provider, which takes no signal) runs on, and the next
 * caller joins it — so it never runs twice at once.
 */
export class SingleFlight<T> {
  #current: Flight<T> | null = null;
  readonly #abandonable: boolean;

  /** @param abandonable whether the operation stops when every caller has left (default true). */
  constructor({ abandonable = true }: { abandonable?: boolean } = {}) {
    this.#abandonable = abandonable;
  }

  /** Joins the operation in progress, or starts `start` with a signal of its own. */
  run(start: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    signal?.throwIfAborted();
    let flight = this.#current;
    if (flight === null) {
      const controller = new AbortController();
      const created: Flight<T> = {
        promise: Promise.resolve() as Promise<T>,
        controller,
        waiters: 0,
        settled: false,
      };
      created.promise = Promise.resolve()
        .then(() => start(controller.signal))
        .finally(() => {
          created.settled = true;
          if (this.#current === created) this.#current = null;
        });
      created.promise.catch(() => {}); // every caller handles the rejection it gets
      this.#current = created;
      flight = created;
    }
    return this.#join(flight, signal);
  }

  /** Whether an operation is in progress. */
  get busy(): boolean {
    return this.#current !== null;
  }

  async #join(flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiters++;
    try {
      return await raceAbort(flight.promise, signal);
    } finally {
      flight.waiters--;
      if (flight.waiters === 0 && !flight.settled && this.#abandonable) {
        if (this.#current === flight) this.#current = null;
        flight.controller.abort(signal?.reason);
      }
    }
  }
}
