import { diffFields } from '../delta/diff-fields.js';
import type { RunContext } from '../engine/job.js';
import { toRiderRecord } from '../records/rider-record.js';
import type { SourceRider } from '../source/sync-source.js';
import type { RiderWrite } from '../storage/storage-adapter.js';

/** What storing a batch of fetched riders did. */
export interface StoreRidersResult {
  added: number;
  updated: number;
  unchanged: number;
  conflicts: number[];
}

/**
 * Diffs fetched riders against storage and writes them: first sight and real changes with a history
 * row (atomically, by compare-and-set on the stored hash), unchanged refetches as a touch only.
 * Emits `rider.changed` for every change that was written.
 */
export async function storeRiders(
  ctx: RunContext,
  fetched: readonly SourceRider[],
): Promise<StoreRidersResult> {
  const now = ctx.clock.now();
  const stored = new Map(
    (await ctx.storage.getRiders(fetched.map((r) => r.riderId))).map((r) => [r.riderId, r]),
  );
  const writes: RiderWrite[] = [];
  const fields = new Map<number, string[]>();
  const hashes = new Map<number, string>();
  for (const rider of fetched) {
    const record = toRiderRecord(rider, now, ctx.policy.riders.volatilePaths);
    const previous = stored.get(rider.riderId);
    hashes.set(rider.riderId, record.hash);
    if (!previous) {
      fields.set(rider.riderId, ['*']);
      writes.push({
        rider: record,
        history: {
          riderId: record.riderId,
          at: now,
          changedFields: ['*'],
          snapshot: record.data,
          hash: record.hash,
        },
        expectedHash: null,
      });
    } else if (previous.hash === record.hash) {
      writes.push({
        rider: { ...record, changedAt: previous.changedAt },
        history: null,
        expectedHash: previous.hash,
      });
    } else {
      const changed = diffFields(previous.data, record.data);
      fields.set(rider.riderId, changed);
      writes.push({
        rider: record,
        history: {
          riderId: record.riderId,
          at: now,
          changedFields: changed,
          snapshot: record.data,
          hash: record.hash,
        },
        expectedHash: previous.hash,
      });
    }
  }
  const outcome = await ctx.storage.writeRiders(writes);
  ctx.counters.records += fetched.length;
  let added = 0;
  let updated = 0;
  for (const riderId of outcome.applied) {
    const changedFields = fields.get(riderId) ?? [];
    const firstSeen = !stored.has(riderId);
    if (firstSeen) added++;
    else updated++;
    ctx.bus.emit({
      id: `rider.changed:${riderId}:${hashes.get(riderId)}`,
      type: 'rider.changed',
      at: now,
      riderId,
      changedFields,
      firstSeen,
    });
  }
  ctx.counters.changes += outcome.applied.length;
  if (outcome.conflicts.length > 0) {
    ctx.logger.warn?.(
      { riderIds: outcome.conflicts },
      'riders changed under us; they are diffed again on the next run',
    );
  }
  return { added, updated, unchanged: outcome.touched.length, conflicts: outcome.conflicts };
}
