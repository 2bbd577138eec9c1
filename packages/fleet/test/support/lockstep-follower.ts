/**
 * One virtual time for several processes (the child side; see `lockstep.ts`): this process's
 * virtual clock runs only when the parent says so. After boot and after every step it waits until
 * nothing it tracks is in flight and its event loop is quiet, then reports its earliest timer.
 */
import type { VirtualClock } from '@racesync/simulator';
import type { IdleMessage, StepMessage } from './lockstep.ts';

/** Follows the parent's steps over the IPC channel; the first report goes out once `clock` is idle. */
export function followLockstep(clock: VirtualClock): void {
  if (!process.send) throw new Error('followLockstep: no IPC channel (spawn with stdio[3] = "ipc")');
  let chain: Promise<void> = Promise.resolve();
  const report = async (): Promise<void> => {
    await clock.whenIdle();
    const message: IdleMessage = { lockstep: 'idle', next: clock.nextTimerAt() };
    if (process.connected) process.send?.(message);
  };
  process.on('message', (raw: unknown) => {
    const message = raw as StepMessage;
    if (message?.lockstep !== 'step') return;
    chain = chain.then(async () => {
      await clock.runUntil(message.to);
      await report();
    });
  });
  chain = chain.then(report);
}
