import type { Lease, LeaseManager } from '../storage/lease.js';
import type { JobState } from '../storage/records.js';
import type { CoordinatorOptions } from './coordinator.js';
import { adoptState, type JobSlot } from './job-slot.js';

/**
 * May this instance run the job now? `null`: no (another instance runs it, or already ran it).
 * `states`: every job's persisted state as read for the claim (null without leases).
 */
export type Claim = { lease: Lease | null; states: readonly JobState[] | null } | null;

/**
 * Several instances on one storage: takes the job's lease, then reads the shared job state. Another
 * instance holding the lease runs the job now (look again when its run should be over); one that
 * already ran it in this slot has done the work (adopt its state). A pull stands unless another
 * instance ran the job at or after the time it asked for; a forced run (`runOnce`) always runs.
 * (Without leases the coordinator claims nothing: every run goes ahead.) On any failure the lease is released and the error rethrown.
 */
export async function claimJob(
  o: CoordinatorOptions,
  leases: LeaseManager,
  slot: JobSlot,
  startedAt: number,
  forced: boolean,
): Promise<Claim> {
  let lease: Lease | null = null;
  try {
    lease = await leases.acquire(`racesync:${slot.job.name}`, o.instanceId, o.policy.leaseTtlMs, startedAt);
    if (!lease) {
      // Another instance runs it now; look again when its run should be over.
      slot.nextDueAt = startedAt + Math.min(o.policy.leaseTtlMs, 30_000);
      return null;
    }
    const states = await o.storage.getJobStates();
    const shared = states.find((s) => s.job === slot.job.name);
    const ranElsewhere = shared !== undefined && shared.lastRunAt !== slot.lastRunAt;
    const dueThere =
      shared?.nextDueAt === undefined || shared.nextDueAt === null || shared.nextDueAt <= startedAt;
    // A pull stands unless another instance already ran the job at or after the time it asked for.
    const pullServed =
      ranElsewhere &&
      shared?.lastRunAt != null &&
      slot.pulledFor !== null &&
      shared.lastRunAt >= slot.pulledFor;
    if (!forced && (!slot.pulled || pullServed) && !dueThere && shared) {
      adoptState(slot, shared, startedAt); // another instance ran it in this slot
      slot.pulled = false;
      slot.pulledFor = null;
      slot.loaded = false;
      await leases.release(lease);
      return null;
    }
    if (ranElsewhere && shared) {
      slot.cursor = (shared.cursor as Record<string, unknown> | null) ?? null;
      slot.loaded = false; // its working state moved under us
    }
    return { lease, states };
  } catch (error) {
    if (lease) await leases.release(lease).catch(() => undefined);
    throw error;
  }
}
