import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage, createSyncEngine, SyncConfigError } from '../../src/index.js';
import { createWorld, HOUR, MIN, type World } from './harness.js';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

describe('sync engine against the simulated upstream', () => {
  it('runOnce stores the team, its riders with one history row each, and the event feed', async () => {
    world = await createWorld();
    const w = world;
    const summaries = await w.clock.run(w.engine.runOnce());
    expect(summaries.map((s) => [s.job, s.status])).toEqual([
      ['team', 'ok'],
      ['riders', 'ok'],
      ['events', 'ok'],
      ['results', 'ok'],
    ]);
    const team = await w.storage.getTeam();
    expect(team.map((m) => m.riderId)).toEqual([...w.sim.teamRiderIds].sort((a, b) => a - b));
    const riders = await w.storage.getRiders();
    expect(riders).toHaveLength(w.sim.teamRiderIds.length);
    expect(await w.storage.listRiderHistory()).toHaveLength(riders.length);
    const listed = w.sim.truth.events();
    const stored = await w.storage.listEvents();
    expect(stored.map((e) => e.eventId).sort()).toEqual(listed.map((e) => e.eventId).sort());
    const truthEvent = listed[0]!;
    const storedEvent = stored.find((e) => e.eventId === truthEvent.eventId)!;
    expect(storedEvent.startsAt).toBe(truthEvent.startsAt);
    expect(storedEvent.signupCounts).toEqual(truthEvent.signupCounts);
    const log = await w.storage.listSyncLog();
    expect(log).toHaveLength(4);
    expect(log.every((e) => e.apiCalls >= 0 && e.status === 'ok')).toBe(true);
  });

  it('runDue on an empty storage runs the team job first: the first invocation stores the team, its riders, the events and team signups', async () => {
    world = await createWorld({ seed: 1, teamSize: 80 });
    const w = world;
    const summaries = await w.clock.run(w.engine.runDue());
    expect(summaries.map((s) => [s.job, s.status])).toEqual([
      ['team', 'ok'],
      ['riders', 'ok'],
      ['events', 'ok'],
      ['results', 'ok'],
    ]);
    const team = summaries.find((s) => s.job === 'team')!;
    const events = summaries.find((s) => s.job === 'events')!;
    expect(events.startedAt).toBeGreaterThanOrEqual(team.finishedAt);
    expect(await w.storage.getTeam()).toHaveLength(80);
    expect(await w.storage.getRiders()).toHaveLength(80);
    expect((await w.storage.listEvents()).length).toBeGreaterThan(500);
    // Signup lists were fetched in this very invocation, and applied with the team known: for each
    // list fetched, the stored team signups are the truth's (a list applied before the team was
    // known would have stored none and not been looked at again for a while).
    const checks = await w.storage.getSignupChecks();
    expect(checks.length).toBeGreaterThan(0);
    const truth = w.sim.truthAt(w.clock.now());
    let stored = 0;
    for (const check of checks) {
      const expected = truth.teamSignups(check.eventId).map((s) => `${s.riderId}/${s.pen}`);
      const actual = (await w.storage.listSignups({ eventIds: [check.eventId], activeOnly: true })).map(
        (s) => `${s.riderId}/${s.pen}`,
      );
      expect(actual.sort(), `event ${check.eventId}`).toEqual(expected.sort());
      expect(check.teamSignups).toBe(expected.length);
      stored += actual.length;
    }
    expect(stored).toBeGreaterThan(0);
  });

  it('runOnce("events") on an empty storage runs the team job first', async () => {
    world = await createWorld();
    const w = world;
    const summaries = await w.clock.run(w.engine.runOnce('events'));
    expect(summaries.map((s) => [s.job, s.status])).toEqual([
      ['team', 'ok'],
      ['events', 'ok'],
    ]);
    expect((await w.storage.getSignupChecks()).length).toBeGreaterThan(0);
    // Known now: the next runOnce('events') runs the events job alone.
    const again = await w.clock.run(w.engine.runOnce('events'));
    expect(again.map((s) => s.job)).toEqual(['events']);
  });

  it('an unchanged refetch writes no history; a real upstream change writes exactly one row', async () => {
    world = await createWorld();
    const w = world;
    await w.clock.run(w.engine.runOnce('team'));
    const before = (await w.storage.listRiderHistory()).length;
    await w.clock.advanceBy(16 * MIN); // the bulk bucket allows one call per 15 min
    const changed = w.sim.truth.riderChangesBetween(w.start, w.clock.now());
    await w.clock.run(w.engine.runOnce('riders'));
    const changedRiders = new Set(changed.map((c) => c.riderId));
    expect((await w.storage.listRiderHistory()).length).toBe(before + changedRiders.size);
    const riderEvents = w.events.filter((e) => e.type === 'rider.changed');
    expect(new Set(riderEvents.map((e) => e.id)).size).toBe(riderEvents.length);
  });

  it('keeps team signups and results equal to the truth over six hours, without a limit violation', async () => {
    world = await createWorld({ teamSize: 60 });
    const w = world;
    w.engine.start();
    await w.clock.runUntil(w.start + 6 * HOUR);
    await w.clock.run(w.engine.stop());
    const end = w.clock.now();
    expect(w.sim.stats().violations.total).toBe(0);

    // Every team change of a race that started in the window was stored before the start.
    const truth = w.sim.truthAt(end);
    const races = truth.eventsBetween(w.start + 10 * MIN, end);
    for (const race of races) {
      const atStart = w.sim
        .truthAt(race.startsAt - 1)
        .teamSignups(race.eventId)
        .map((s) => s.riderId)
        .sort((a, b) => a - b);
      const stored = (await w.storage.listSignups({ eventIds: [race.eventId], activeOnly: true }))
        .filter((s) => s.firstSeenAt < race.startsAt)
        .map((s) => s.riderId)
        .sort((a, b) => a - b);
      expect(stored, `team signups of ${race.eventId}`).toEqual(atStart);
    }
    // Results of team races that appeared more than 15 minutes before the end are stored, row for row.
    const due = truth.teamRaces.filter((r) => r.startsAt > w.start && r.resultsAt < end - 15 * MIN);
    expect(due.length).toBeGreaterThan(0);
    for (const race of due) {
      const rows = truth.results(race.eventId)?.rows ?? [];
      const stored = await w.storage.listResults({ eventIds: [race.eventId] });
      expect(stored.map((r) => r.riderId).sort((a, b) => a - b)).toEqual(
        rows.map((r) => Number(r.riderId)).sort((a, b) => a - b),
      );
    }
    const ids = w.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resumes after a restart: persisted job times and the results queue carry over', async () => {
    world = await createWorld({ teamSize: 60 });
    const w = world;
    w.engine.start();
    // Run until a results job is pending, then stop.
    let pending = 0;
    for (let i = 0; i < 48 && pending === 0; i++) {
      await w.clock.advanceBy(10 * MIN);
      pending = (await w.storage.listResultJobs()).filter((j) => j.phase === 'initial').length;
    }
    expect(pending).toBeGreaterThan(0);
    const queued = (await w.storage.listResultJobs())
      .filter((j) => j.phase === 'initial')
      .map((j) => j.eventId);
    await w.clock.run(w.engine.stop());
    const historyBefore = (await w.storage.listRiderHistory()).length;

    const restarted = w.restart();
    restarted.start();
    await w.clock.advanceBy(3 * HOUR);
    for (const eventId of queued) {
      expect(
        (await w.storage.listResults({ eventIds: [eventId] })).length,
        `results of ${eventId}`,
      ).toBeGreaterThan(0);
    }
    // A restart does not refetch riders early (the persisted next-due time is kept): no duplicate history.
    const history = await w.storage.listRiderHistory();
    const keys = history.map((h) => `${h.riderId}|${h.hash}|${h.at}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(history.length).toBeGreaterThanOrEqual(historyBefore);
    expect(w.sim.stats().violations.total).toBe(0);
  });

  it('stops gracefully: no request leaves after stop() resolves', async () => {
    world = await createWorld();
    const w = world;
    w.engine.start();
    await w.clock.advanceBy(20 * MIN);
    await w.clock.run(w.engine.stop());
    expect(w.engine.running).toBe(false);
    const requests = w.sim.stats().requests.total;
    await w.clock.advanceBy(2 * HOUR);
    expect(w.sim.stats().requests.total).toBe(requests);
  });

  it('survives upstream faults: failed runs are logged and retried, and the data catches up', async () => {
    world = await createWorld({ faults: { rate: 0.2, kinds: { serverError: 1, truncated: 1, drift: 1 } } });
    const w = world;
    w.engine.start();
    await w.clock.advanceBy(2 * HOUR);
    w.sim.setFaults(null);
    await w.clock.advanceBy(2 * HOUR);
    expect(w.sim.stats().faultsInjected.total).toBeGreaterThan(0);
    expect(w.sim.stats().violations.total).toBe(0);
    const log = await w.storage.listSyncLog();
    expect(log.some((e) => e.status === 'partial' || e.status === 'failed')).toBe(true);
    expect(await w.storage.getRiders()).toHaveLength(w.sim.teamRiderIds.length);
    const truthNow = w.sim.truth;
    const stored = new Set((await w.storage.listEvents()).map((e) => e.eventId));
    // Events entering the 7-day feed since the last list fetch (every few minutes) are not there yet.
    const listedSince = w.clock.now() + 7 * 24 * HOUR - 10 * MIN;
    for (const e of truthNow.events().filter((x) => x.startsAt <= listedSince)) {
      expect(stored.has(e.eventId), `event ${e.eventId}`).toBe(true);
    }
  });
});

describe('engine configuration', () => {
  it('names the option at fault', () => {
    const storage = createMemoryStorage();
    const source = {
      riders: { getMany: () => 0 },
      events: { upcoming: () => 0, signups: () => 0 },
      results: { forEvent: () => 0 },
    };
    const cases: [unknown, string][] = [
      [{ storage, team: { riderIds: [1] } }, 'source'],
      [{ source: {}, storage, team: { riderIds: [1] } }, 'source.riders.getMany'],
      [{ source, team: { riderIds: [1] } }, 'storage'],
      [{ source, storage, team: {} }, 'team'],
      [{ source, storage, team: { riderIds: [1, -2] } }, 'team.riderIds[1]'],
      [{ source, storage, team: { clubId: 5 } }, 'source.clubs.members'],
      // The original schedule lives in the benchmark now: `strategy` is no option of the engine.
      [{ source, storage, team: { riderIds: [1] }, strategy: 'baseline' }, 'strategy'],
      [
        { source, storage, team: { riderIds: [1] }, policy: { signups: { nearSweepMs: 0 } } },
        'policy.signups.nearSweepMs',
      ],
    ];
    for (const [options, option] of cases) {
      let error: unknown;
      try {
        createSyncEngine(options as never);
      } catch (e) {
        error = e;
      }
      expect(error, option).toBeInstanceOf(SyncConfigError);
      expect((error as SyncConfigError).option).toBe(option);
    }
  });
});
