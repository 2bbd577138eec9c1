import type { StorageAdapter } from '@racesync/sync-core';
import type { Clock } from '@racesync/zwift-client';

/** When storage first reflected each change, keyed for matching against the simulator's truth. */
export interface Recording {
  /** `${eventId}:${riderId}` → times the signup became active / was withdrawn. */
  signupAdded: Map<string, number[]>;
  signupWithdrawn: Map<string, number[]>;
  /** eventId → times result rows were added or changed. */
  results: Map<string, number[]>;
  /** riderId → times a changed rider was written. */
  riders: Map<number, number[]>;
}

const push = <K>(map: Map<K, number[]>, key: K, at: number) => {
  const list = map.get(key);
  if (list) list.push(at);
  else map.set(key, [at]);
};

/**
 * Wraps a storage so every write that changes team data is time-stamped with the clock: the
 * benchmark's lag is the time from a change in the truth to the moment storage reflects it.
 * Reads and writes pass through unchanged.
 */
export function recordingStorage(
  inner: StorageAdapter,
  clock: Clock,
): { storage: StorageAdapter; recording: Recording } {
  const recording: Recording = {
    signupAdded: new Map(),
    signupWithdrawn: new Map(),
    results: new Map(),
    riders: new Map(),
  };
  const storage: StorageAdapter = Object.create(inner) as StorageAdapter;
  Object.assign(storage, {
    async applySignups(...args: Parameters<StorageAdapter['applySignups']>) {
      const delta = await inner.applySignups(...args);
      const at = clock.now();
      for (const row of delta.added) push(recording.signupAdded, `${row.eventId}:${row.riderId}`, at);
      for (const row of delta.withdrawn) push(recording.signupWithdrawn, `${row.eventId}:${row.riderId}`, at);
      return delta;
    },
    async applyResults(...args: Parameters<StorageAdapter['applyResults']>) {
      const delta = await inner.applyResults(...args);
      if (delta.added + delta.updated + delta.removed > 0) push(recording.results, args[0], clock.now());
      return delta;
    },
    async writeRiders(...args: Parameters<StorageAdapter['writeRiders']>) {
      const outcome = await inner.writeRiders(...args);
      const at = clock.now();
      for (const riderId of outcome.applied) push(recording.riders, riderId, at);
      return outcome;
    },
  });
  return { storage, recording };
}
