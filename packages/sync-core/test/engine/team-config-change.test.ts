import { describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  createSyncEngine,
  type StorageAdapter,
  type TeamConfig,
} from '../../src/index.js';
import { fakeSource, MIN, manualClock, sourceRider, T0 } from '../reliability/fake-source.js';

// A team captain changes the team between two starts (a club → a rider list, a club dropped or
// swapped): the saved team job is due hours later (the club interval), but the stored team must
// follow the new configuration at the next start, and members of a source no longer configured
// must go.

function start(storage: StorageAdapter, team: TeamConfig, clock = manualClock()) {
  const { source, script } = fakeSource();
  for (const id of [1, 2, 3, 9]) script.riders.set(id, sourceRider(id));
  const clubCalls: number[] = [];
  source.clubs = {
    async members(clubId) {
      clubCalls.push(clubId);
      const ids = clubId === 7 ? [1, 2, 3] : [2, 9];
      return { riders: ids.map((id) => sourceRider(id)), skipped: [] };
    },
  };
  const engine = createSyncEngine({ source, storage, team, clock, logger: {} });
  return { engine, clock, clubCalls };
}

const members = async (storage: StorageAdapter) =>
  (await storage.getTeam()).map((m) => `${m.source}:${m.riderId}`);

describe('the team configuration changes between starts', () => {
  it('a club replaced by a rider list: the next start applies the list at once and drops the club members', async () => {
    const storage = createMemoryStorage();
    await start(storage, { clubId: 7 }).engine.runDue();
    expect(await members(storage)).toEqual(['club:1', 'club:2', 'club:3']);

    const clock = manualClock(T0 + 10 * MIN); // well inside the club interval
    const runs = await start(storage, { riderIds: [1, 9] }, clock).engine.runDue();
    expect(runs.map((r) => r.job)).toContain('team');
    expect(await members(storage)).toEqual(['manual:1', 'manual:9']);
  });

  it('a rider list dropped for a club, and one club swapped for another, apply at the next start', async () => {
    const storage = createMemoryStorage();
    await start(storage, { riderIds: [1, 9] }).engine.runDue();
    const second = start(storage, { clubId: 7 }, manualClock(T0 + 10 * MIN));
    await second.engine.runDue();
    expect(await members(storage)).toEqual(['club:1', 'club:2', 'club:3']);
    const third = start(storage, { clubId: 8 }, manualClock(T0 + 20 * MIN));
    await third.engine.runDue();
    expect(third.clubCalls).toEqual([8]);
    expect(await members(storage)).toEqual(['club:2', 'club:9']);
  });

  it('the same configuration (in any order) keeps the saved due time: no extra club call', async () => {
    const storage = createMemoryStorage();
    await start(storage, { clubId: 7, riderIds: [9, 1] }).engine.runDue();
    const again = start(storage, { riderIds: [1, 9], clubId: 7 }, manualClock(T0 + 10 * MIN));
    const runs = await again.engine.runDue();
    expect(runs.map((r) => r.job)).not.toContain('team');
    expect(again.clubCalls).toEqual([]);
  });
});
