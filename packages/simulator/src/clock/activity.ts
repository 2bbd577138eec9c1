/**
 * What the virtual clock waits for before it moves time: tracked operations in flight (requests,
 * promises), held requests parked aside, and idle detection (no activity for a few event-loop turns).
 */
import { VirtualClockStallError } from './stall-error.ts';

interface Operation {
  /** Deliberately held by a server (hang, slow): does not keep the clock from advancing. */
  parked: boolean;
  /** What it is, for the stall error. */
  label: string;
}

/** Tracked operations of one virtual clock and the idle wait over them. */
export class Activity {
  /** Tracked operations by activity token. */
  private readonly inflight = new Map<string, Operation>();
  /** Operations in flight and not parked. */
  private active = 0;
  /** Bumped by every change; an idle wait that sees it move starts over. */
  private generation = 0;
  private zeroWaiters: (() => void)[] = [];

  constructor(
    /** Event-loop macrotask turns (setImmediate) without new activity that count as idle. */
    private readonly idleTurns: number,
    /** Real ms to wait for in-flight operations before failing (0 = wait forever). */
    private readonly stallTimeoutMs: number,
  ) {}

  /** Tracked operations in flight (parked ones excluded). */
  get inFlight(): number {
    return this.active;
  }

  /** Something happened (a timer set, fired or cancelled): an idle wait in progress starts over. */
  touch(): void {
    this.generation++;
  }

  /** An operation starts. */
  begin(token: string, label: string): void {
    this.inflight.set(token, { parked: false, label });
    this.active++;
    this.generation++;
  }

  /** An operation ends (an unknown token is ignored). */
  end(token: string): void {
    const entry = this.inflight.get(token);
    if (!entry) return;
    this.inflight.delete(token);
    if (!entry.parked) this.decrement();
    this.generation++;
  }

  /** The operation is deliberately held: stop counting it. False for an unknown token. */
  park(token: string): boolean {
    const entry = this.inflight.get(token);
    if (!entry) return false;
    if (!entry.parked) {
      entry.parked = true;
      this.generation++;
      this.decrement();
    }
    return true;
  }

  /** The held operation goes on: count it again. */
  unpark(token: string): void {
    const entry = this.inflight.get(token);
    if (!entry?.parked) return;
    entry.parked = false;
    this.active++;
    this.generation++;
  }

  /**
   * Resolves when nothing is in flight and `idleTurns` macrotask turns passed without activity.
   * Rejects with a `VirtualClockStallError` when operations stay in flight for `stallTimeoutMs`.
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.active > 0) await this.waitZero();
      const gen = this.generation;
      let quiet = true;
      for (let i = 0; i < this.idleTurns; i++) {
        await turn();
        if (this.generation !== gen || this.active > 0) {
          quiet = false;
          break;
        }
      }
      if (quiet) return;
    }
  }

  private decrement(): void {
    this.active--;
    if (this.active === 0 && this.zeroWaiters.length > 0) {
      const waiters = this.zeroWaiters;
      this.zeroWaiters = [];
      for (const w of waiters) w();
    }
  }

  private describeInflight(): string {
    return [...this.inflight.values()]
      .filter((e) => !e.parked)
      .map((e) => e.label)
      .slice(0, 10)
      .join(', ');
  }

  private waitZero(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.active === 0) return resolve();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = (): void => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.zeroWaiters.push(waiter);
      if (this.stallTimeoutMs > 0) {
        timer = setTimeout(() => {
          this.zeroWaiters = this.zeroWaiters.filter((w) => w !== waiter);
          reject(
            new VirtualClockStallError(
              `virtual clock: ${this.active} tracked operation(s) still in flight after ${this.stallTimeoutMs} ms of real time: ${this.describeInflight()}`,
            ),
          );
        }, this.stallTimeoutMs);
        timer.unref?.();
      }
    });
  }
}

function turn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
