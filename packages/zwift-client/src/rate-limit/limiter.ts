import type PQueue from 'p-queue';
import { raceAbort } from '../abort.ts';
import type { Clock } from '../clock.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { Gate, type Ticket } from './gate.ts';
import type { BucketSpec, RateLimitStore } from './types.ts';

/** A token was refused: wait `ms`, then queue again. */
class TokenWait {
  constructor(readonly ms: number) {}
}

/**
 * The job run inside a concurrency slot: take a token, then (only if granted) leave the line and
 * send. A factory, so the per-call closure is anonymous: name-keeping transpilers (tsx) would
 * otherwise attach a name to a fresh function on every call.
 */
function tokenThenTask<T>(
  store: RateLimitStore,
  clock: Clock,
  key: string,
  spec: BucketSpec,
  gate: Gate,
  ticket: Ticket,
  task: () => Promise<T>,
): () => Promise<T | TokenWait> {
  return async () => {
    const taken = await store.take(key, spec, clock.now());
    if (!taken.granted) return new TokenWait(Math.max(1, taken.waitMs));
    gate.leave(ticket); // the next waiter may take the next token while this request flies
    return await task();
  };
}

/** How long a call may still wait for tokens and 429 blocks; decremented as it waits. */
export interface WaitBudget {
  remainingMs: number;
}

export interface AcquireOptions {
  endpoint: string;
  bucket: string;
  priority: number;
  signal: AbortSignal | undefined;
  budget: WaitBudget;
}

/**
 * Gates dispatch on the {@link RateLimitStore}. A task runs only inside a concurrency slot of the
 * shared p-queue *and* right after a token was granted for its bucket, so no request leaves without
 * a token and no slot is held while waiting for one: the wait happens outside the queue, in the
 * bucket's own {@link Gate}, so a saturated bucket never stalls the others. An uncontended call
 * is lent its slot without queueing (see `#inSlot`).
 */
export class Limiter {
  readonly #gates = new Map<string, Gate>();
  readonly #store: RateLimitStore;
  readonly #clock: Clock;
  readonly #queue: PQueue;
  /** Concurrency limit: slots held by queued tasks plus slots lent to uncontended jobs. */
  readonly #slots: number;
  /** Slots lent out (see `#inSlot`). */
  #lent = 0;

  constructor(store: RateLimitStore, clock: Clock, queue: PQueue) {
    this.#store = store;
    this.#clock = clock;
    this.#queue = queue;
    this.#slots = queue.concurrency;
  }

  /** Runs `task` as soon as a token of `key` is granted (and a slot is free); resolves to its result. */
  async run<T>(key: string, spec: BucketSpec, options: AcquireOptions, task: () => Promise<T>): Promise<T> {
    const { signal, budget, priority } = options;
    signal?.throwIfAborted();
    // One gate per store key, kept for the client's life: a client has at most one key per bucket.
    let gate = this.#gates.get(key);
    if (gate === undefined) {
      gate = new Gate();
      this.#gates.set(key, gate);
    }
    const ticket = gate.enter(priority);
    const clock = this.#clock;
    const job = tokenThenTask(this.#store, clock, key, spec, gate, ticket, task);
    try {
      if (gate.size > 1) {
        const ahead = gate.ahead(ticket);
        if (ahead > 0) await this.#waitForTurn(key, spec, options, ahead, ticket.ready);
      }
      for (;;) {
        const outcome = await this.#inSlot(job, priority, signal);
        if (!(outcome instanceof TokenWait)) return outcome;
        if (outcome.ms > budget.remainingMs) throw this.#tooLong(options, outcome.ms);
        await clock.sleep(outcome.ms, signal);
        budget.remainingMs -= outcome.ms;
      }
    } finally {
      gate.leave(ticket);
    }
  }

  /**
   * Runs `job` inside a concurrency slot. When a slot is free and nobody waits for one, p-queue
   * would start the job at once; the slot is lent to the job directly instead, which skips
   * p-queue's per-task bookkeeping (a Symbol, a BigInt id, a Map entry, a microtask) on the
   * uncontended path. While slots are lent, the queue runs with that many fewer (its concurrency is
   * lowered, or it is paused when every slot is lent), so lent + queued never exceed the limit; a
   * returned slot goes back to the queue, which starts its highest-priority waiting task.
   * Otherwise — some call already waits, or no slot is free — the job waits in the queue.
   */
  #inSlot<R>(job: () => Promise<R>, priority: number, signal: AbortSignal | undefined): Promise<R> {
    const queue = this.#queue;
    if (queue.size > 0 || queue.pending + this.#lent >= this.#slots) {
      return queue.add(job, { priority, signal });
    }
    this.#lend(1);
    const running = job();
    running.then(this.#giveBack, this.#giveBack); // runs before the caller resumes
    // like a queued task, a lent one rejects as soon as the caller aborts
    return signal === undefined ? running : raceAbort(running, signal);
  }

  readonly #giveBack = (): void => this.#lend(-1);

  /** Lends (`+1`) or takes back (`-1`) a slot, resizing the queue to the slots it may use. */
  #lend(delta: 1 | -1): void {
    this.#lent += delta;
    const queue = this.#queue;
    const left = this.#slots - this.#lent;
    if (left === 0) {
      queue.pause(); // p-queue's concurrency cannot be 0
      return;
    }
    queue.concurrency = left; // starts waiting tasks when it grows
    if (queue.isPaused) queue.start();
  }

  /** Wait until `ready` (head of the line), within the budget: estimate first, fail fast when hopeless. */
  async #waitForTurn(
    key: string,
    spec: BucketSpec,
    options: AcquireOptions,
    ahead: number,
    ready: Promise<void>,
  ): Promise<void> {
    const { budget, signal } = options;
    if (Number.isFinite(budget.remainingMs)) {
      const estimate = await this.#estimate(key, spec, ahead);
      if (estimate > budget.remainingMs) throw this.#tooLong(options, estimate);
      const started = this.#clock.now();
      const timer = new AbortController();
      const expired = this.#clock.sleep(budget.remainingMs, timer.signal).then(
        () => true,
        () => false,
      );
      try {
        const timedOut = await raceAbort(Promise.race([ready.then(() => false), expired]), signal);
        if (timedOut) throw this.#tooLong(options, await this.#estimate(key, spec, Number.POSITIVE_INFINITY));
      } finally {
        timer.abort();
        budget.remainingMs -= this.#clock.now() - started;
      }
      return;
    }
    await raceAbort(ready, signal);
  }

  /**
   * Lower bound of the wait for a token with `ahead` waiters before us: 0 when enough tokens are
   * available for all of them, else the time until the next token frees up (≥ 1 ms).
   */
  async #estimate(key: string, spec: BucketSpec, ahead: number): Promise<number> {
    const now = this.#clock.now();
    const state = await this.#store.peek(key, spec, now);
    if (ahead < state.available) return 0;
    return Math.max(1, Math.ceil(state.nextAvailableAt - now));
  }

  #tooLong(options: AcquireOptions, waitMs: number): RateLimitError {
    return new RateLimitError(
      `Rate limit of bucket "${options.bucket}" needs a ${waitMs} ms wait, beyond the call's maxWaitMs`,
      { endpoint: options.endpoint, retryAfterMs: waitMs },
    );
  }
}
