import type { AffinitySnapshot } from './series-affinity.js';
import type { SignupLeadSnapshot } from './signup-lead-affinity.js';
import type { StartTimeSnapshot } from './start-time-affinity.js';

/** Cursor persisted with the events job's state. */
export interface EventsCursor {
  listDueAt: number;
  /** Last successful list fetch. */
  listAt: number;
  /** Events that started up to this time have been handed to the results queue. */
  startsScannedTo: number;
  affinity: AffinitySnapshot;
  /** When the team races (hours of the day, weekdays), learned from the races that started. */
  startTimes: StartTimeSnapshot | null;
  /** How long before a start the team signs up, learned from the races the near sweep found. */
  leads: SignupLeadSnapshot | null;
  /** Races were watched for the lead learning up to this time. */
  leadsWatchedTo: number | null;
}

/**
 * The events job's persisted cursor, read tolerantly: a missing or malformed field takes its
 * starting value (`now` for the due and scan times; nothing learned, no list yet).
 */
export function readEventsCursor(
  stored: Record<string, unknown> | null | undefined,
  now: number,
): EventsCursor {
  const c = (stored ?? {}) as Partial<EventsCursor>;
  return {
    listDueAt: typeof c.listDueAt === 'number' ? c.listDueAt : now,
    listAt: typeof c.listAt === 'number' ? c.listAt : Number.NEGATIVE_INFINITY,
    startsScannedTo: typeof c.startsScannedTo === 'number' ? c.startsScannedTo : now,
    affinity: c.affinity && typeof c.affinity === 'object' ? c.affinity : {},
    startTimes: c.startTimes && typeof c.startTimes === 'object' ? c.startTimes : null,
    leads: c.leads && typeof c.leads === 'object' ? c.leads : null,
    leadsWatchedTo: typeof c.leadsWatchedTo === 'number' ? c.leadsWatchedTo : null,
  };
}
