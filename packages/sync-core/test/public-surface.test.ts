import { describe, expect, it } from 'vitest';

/**
 * The main entry is what applications build on — engine, storage, policy, events, errors — and
 * nothing else: the engine's parts live at `@racesync/sync-core/internal` (no semver promise).
 * A new name here is a decision, not an accident.
 */
describe('public surface', () => {
  it('the main entry exports the engine, storage, policy, events and errors only', async () => {
    const index = await import('../src/index.js');
    expect(Object.keys(index).sort()).toEqual([
      'DEFAULT_POLICY',
      'LeaseLostError',
      'SOURCE_BUCKETS',
      'StorageError',
      'SyncConfigError',
      'SyncError',
      'createMemoryStorage',
      'createSyncEngine',
      'resolvePolicy',
      'ttlFor',
    ]);
  });

  it('the internal entry has the planner, hashing helpers, coordinator, jobs and operations', async () => {
    const internal = await import('../src/internal.js');
    for (const name of [
      'planSignupFetches',
      'SeriesAffinity',
      'estimateFinish',
      'hashData',
      'diffFields',
      'Coordinator',
      'createJobEngine',
      'createEventsJob',
      'syncSignups',
    ]) {
      expect(internal, name).toHaveProperty(name);
    }
  });
});
