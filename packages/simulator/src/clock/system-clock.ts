/** The wall clock. */
import type { Clock } from '@racesync/zwift-client';
import { realSleep } from './real-sleep.ts';

/** Wall-clock time and real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: realSleep,
};
