import { describe, expect, it } from 'vitest';
import { createMemoryStorage, type StorageAdapter } from '../../src/index.js';
import { FeedState, mayBeListed } from '../../src/internal.js';

const T0 = Date.UTC(2026, 0, 1, 18);

/** Persists `feed` as the follow job's state, as the coordinator does at the end of a run. */
async function persist(storage: StorageAdapter, feed: FeedState): Promise<void> {
  await storage.putJobState({
    job: 'follow',
    nextDueAt: T0,
    lastRunAt: T0,
    lastSuccessAt: T0,
    cursor: feed.toCursor() as never,
  });
}

describe("the follower feed's state across instances", () => {
  it('refreshFrom adopts the persisted state only when newer (a higher revision), anything while it holds none, never mid-run', async () => {
    const storage = createMemoryStorage();
    const elsewhere = new FeedState();
    elsewhere.revision = 3;
    elsewhere.nearAt = T0;
    elsewhere.listWantedAt = T0 - 1000;
    elsewhere.followed.add(7);
    await persist(storage, elsewhere);

    // A process that holds nothing yet takes it.
    const here = new FeedState();
    await here.refreshFrom(await storage.getJobStates());
    expect(here.revision).toBe(3);
    expect(here.nearAt).toBe(T0);
    expect(here.listWantedAt).toBe(T0 - 1000);
    expect([...here.followed]).toEqual([7]);

    // Its own newer run (not persisted yet) is kept; an equal or older stored state is not taken.
    here.revision = 4;
    here.nearAt = T0 + 150_000;
    await here.refreshFrom(await storage.getJobStates());
    expect(here.nearAt).toBe(T0 + 150_000);

    // Another instance ran later: taken.
    elsewhere.revision = 5;
    elsewhere.nearAt = T0 + 300_000;
    await persist(storage, elsewhere);
    here.busy = true;
    await here.refreshFrom(await storage.getJobStates());
    expect(here.nearAt).toBe(T0 + 150_000); // not while a follow run is in progress here
    here.busy = false;
    await here.refreshFrom(await storage.getJobStates());
    expect(here.revision).toBe(5);
    expect(here.nearAt).toBe(T0 + 300_000);
  });

  it('revision and listWantedAt survive the cursor; malformed or absent ones (older cursors) read as none', () => {
    const feed = new FeedState();
    feed.revision = 12;
    feed.listWantedAt = T0;
    const copy = new FeedState();
    copy.restore(feed.toCursor() as unknown as Record<string, unknown>);
    expect(copy.revision).toBe(12);
    expect(copy.listWantedAt).toBe(T0);
    copy.restore({ ...feed.toCursor(), revision: -1, listWantedAt: 'soon' } as unknown as Record<
      string,
      unknown
    >);
    expect(copy.revision).toBe(0);
    expect(copy.listWantedAt).toBeNull();
    const { revision: _r, listWantedAt: _l, ...older } = feed.toCursor();
    copy.restore(older as unknown as Record<string, unknown>);
    expect(copy.revision).toBe(0);
    expect(copy.listWantedAt).toBeNull();
  });

  it('mayBeListed: group rides and workouts are never on the site list; races, time trials and unknown types may be', () => {
    for (const type of ['GROUP_RIDE', 'EVENT_TYPE_GROUP_RIDE', 'group_workout', ' GROUP_WORKOUT '])
      expect(mayBeListed(type), type).toBe(false);
    for (const type of ['RACE', 'EVENT_TYPE_RACE', 'TIME_TRIAL', 'TEAM_TIME_TRIAL', 'EFONDO', null])
      expect(mayBeListed(type), String(type)).toBe(true);
  });
});
