/**
 * Recognises the simulator's virtual clock by its shape, so that code shared with the production
 * runner (`pnpm start:supabase`) needs no runtime import of `@racesync/simulator` — the simulator is
 * a test and benchmark tool, never loaded to sync a real team. On a virtual clock time moves only
 * when driven (`run`, `runUntil`), and I/O it cannot see must be `track`ed.
 */
import type { VirtualClock } from '@racesync/simulator';
import type { Clock } from '@racesync/zwift-client';

export function isVirtualClock(clock: Clock): clock is VirtualClock {
  const c = clock as Partial<VirtualClock>;
  return (
    c.kind === 'virtual' &&
    typeof c.run === 'function' &&
    typeof c.runUntil === 'function' &&
    typeof c.track === 'function'
  );
}
