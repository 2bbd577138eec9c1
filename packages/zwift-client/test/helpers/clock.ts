import type { Clock } from '../../src/index.ts';

interface Timer {
  at: number;
  ms: number;
  seq: number;
  resolve: () => void;
  cleanup: () => void;
}

/** Lets every queued microtask and I/O callback run (a few macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * A manual clock for tests: time moves only when the test says so (`advance`, `runNext`), or
 * automatically (`autoAdvance`) whenever nothing is in flight — a virtual clock.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start = Date.UTC(2025, 5, 1, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        ms,
        seq: this.#seq++,
        resolve: () => {
          timer.cleanup();
          resolve();
        },
        cleanup: () => {},
      };
      if (signal !== undefined) {
        const onAbort = (): void => {
          this.#timers = this.#timers.filter((t) => t !== timer);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        timer.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.#timers.push(timer);
    });
  }

  /** Durations of the pending sleeps. */
  get pending(): number[] {
    return this.#timers.map((t) => t.ms);
  }

  nextAt(): number | null {
    let best: Timer | undefined;
    for (const t of this.#timers)
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best === undefined ? null : best.at;
  }

  /** Fire every timer due at or before `now`, in order, letting the world settle after each. */
  async #fireDue(): Promise<void> {
    for (;;) {
      const due = this.#timers
        .filter((t) => t.at <= this.#now)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) return;
      this.#timers = this.#timers.filter((t) => t !== due);
      due.resolve();
      await settle();
    }
  }

  /** Move time forward by `ms`, firing timers on the way (each at its own time). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      const next = this.nextAt();
      if (next === null || next > target) break;
      this.#now = Math.max(this.#now, next);
      await this.#fireDue();
    }
    this.#now = target;
    await settle();
  }

  /** Jump to the next timer and fire it. Returns false when there is none. */
  async runNext(): Promise<boolean> {
    const next = this.nextAt();
    if (next === null) return false;
    this.#now = Math.max(this.#now, next);
    await this.#fireDue();
    return true;
  }

  /**
   * Virtual time: whenever the world is idle (`isBusy()` false after settling), jump to the next
   * timer. Returns a stop function.
   */
  autoAdvance(isBusy: () => boolean = () => false): () => void {
    let stopped = false;
    const loop = async (): Promise<void> => {
      while (!stopped) {
        await settle(3);
        if (stopped) break;
        if (isBusy()) continue;
        await settle(3);
        if (stopped || isBusy()) continue;
        await this.runNext();
      }
    };
    void loop();
    return () => {
      stopped = true;
    };
  }
}

/** Polls `condition` (real time, ≤ 2 s) — for waiting on I/O in tests driven by a manual clock. */
export async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('until(): condition not met in time');
    await new Promise<void>((r) => setTimeout(r, 1));
  }
}
