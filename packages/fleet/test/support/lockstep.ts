/**
 * One virtual time for several processes (the parent side): discrete-event lockstep over Node's IPC
 * channel, so that no decision of a runner process or of the simulator depends on wall time.
 *
 * Every process (this one, which serves the simulator, and each runner child; see
 * `lockstep-follower.ts`) has its own virtual clock. A child reports `{ idle, next }` when nothing it
 * tracks (a database call, a request to the simulator) is in flight and its event loop is quiet;
 * `next` is its earliest timer. Once every live child is idle, the driver takes the earliest timer
 * of all (`T`), moves its own clock (the simulator's) to `T`, and tells every child to run to `T`.
 * Time never moves while any process works, so real-time delays of any length — a loaded machine,
 * a slow database — change nothing a process or the simulator observes: a token taken at `T` is
 * spent by a request the simulator receives at `T`, a run lasts the virtual time it waited for.
 * Actions of different processes at one instant run concurrently for real (their order is up to
 * the machine), which is what several instances sharing one database are.
 */
import type { ChildProcess } from 'node:child_process';
import type { VirtualClock } from '@racesync/simulator';

/** Parent → child: run your timers up to `to` (virtual epoch ms). */
export interface StepMessage {
  lockstep: 'step';
  to: number;
}

/** Child → parent: nothing in flight; `next` is the earliest timer (null: none). */
export interface IdleMessage {
  lockstep: 'idle';
  next: number | null;
}

/** Anything a child says over IPC other than `idle` (handed to `onMessage`). */
export type ChildMessage = Record<string, unknown>;

interface Member {
  name: string;
  proc: ChildProcess;
  /** The child's last report, until the next step is sent. */
  report: IdleMessage | null;
  alive: boolean;
  wake: (() => void) | null;
}

/** Options of {@link createLockstep}. */
export interface LockstepOptions {
  /** The parent's clock (the simulator's): moved to each step's time before the children run. */
  clock: VirtualClock;
  /**
   * Called before each step with its time: return a promise to do something at that instant (kill
   * a child, inspect the database) before the children run.
   */
  beforeStep?: (to: number) => void | Promise<void>;
}

/** The driver of a lockstep group (see the module comment). */
export interface Lockstep {
  /** Add a child spawned with an IPC channel (`stdio[3] = 'ipc'`); it joins at the next step. */
  add(name: string, proc: ChildProcess, onMessage?: (message: ChildMessage) => void): void;
  /** Steps taken so far. */
  readonly steps: number;
  /**
   * Drives time until `done()` is true at a step boundary (every live child idle) or every child
   * has exited. Rejects when the children are idle with no timer left (nothing can ever happen
   * again: a deadlock). Warns after `quietMs` of real time without a report (default 60 s).
   */
  run(done?: () => boolean, quietMs?: number): Promise<void>;
}

/** Creates a lockstep driver around the parent's virtual clock. */
export function createLockstep(options: LockstepOptions): Lockstep {
  const { clock } = options;
  const members: Member[] = [];
  let steps = 0;

  const settled = (m: Member) => !m.alive || m.report !== null;

  /**
   * Waits until every live child has reported (or exited). However long that takes: a slow machine
   * only makes it slower. After `quietMs` of real time without a report it says who it waits for
   * (a diagnostic for a hung process; the test's own timeout ends such a run).
   */
  const waitAll = async (quietMs: number): Promise<void> => {
    for (;;) {
      const waiting = members.filter((m) => !settled(m));
      if (waiting.length === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          console.warn(
            `lockstep: still waiting for ${waiting.map((m) => m.name).join(', ')} after ${quietMs} ms of real time`,
          );
        }, quietMs);
        const wake = () => {
          clearTimeout(timer);
          for (const m of waiting) m.wake = null;
          resolve();
        };
        for (const m of waiting) m.wake = wake;
      });
    }
  };

  return {
    add(name, proc, onMessage) {
      const member: Member = { name, proc, report: null, alive: true, wake: null };
      members.push(member);
      proc.on('message', (raw: unknown) => {
        const message = raw as ChildMessage;
        if (message['lockstep'] === 'idle') {
          member.report = message as unknown as IdleMessage;
          member.wake?.();
        } else {
          onMessage?.(message);
        }
      });
      proc.on('exit', () => {
        member.alive = false;
        member.wake?.();
      });
    },
    get steps() {
      return steps;
    },
    async run(done = () => false, quietMs = 60_000) {
      for (;;) {
        await waitAll(quietMs);
        const live = members.filter((m) => m.alive);
        if (live.length === 0 || done()) return;
        const times = live.map((m) => m.report?.next ?? null);
        const own = clock.nextTimerAt();
        const next = [...times, own].filter((t): t is number => t !== null);
        if (next.length === 0) {
          throw new Error(`lockstep: ${live.map((m) => m.name).join(', ')} idle with no timer left`);
        }
        const to = Math.max(clock.now(), Math.min(...next));
        await options.beforeStep?.(to);
        await clock.runUntil(to);
        steps++;
        // Only children with a timer due now have anything to do; the others stay idle (nothing
        // else wakes them: all they wait for is their timers) and keep their report.
        for (const m of live) {
          if (m.report !== null && m.report.next !== null && m.report.next > to) continue;
          m.report = null;
          const message: StepMessage = { lockstep: 'step', to };
          // A child that exits at this very moment drops the message: its exit settles it.
          if (m.proc.connected) m.proc.send(message, () => undefined);
          else m.alive = false;
        }
      }
    },
  };
}
