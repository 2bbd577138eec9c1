import { describe, expect, it } from 'vitest';
import {
  type ChangeEvent,
  createMemoryStorage,
  createSyncEngine,
  type SourceRider,
  type StorageAdapter,
  StorageError,
  SyncConfigError,
  type SyncSource,
} from '../../src/index.js';
import {
  fakeSource,
  HOUR,
  MIN,
  manualClock,
  sourceEvent,
  sourceResult,
  sourceRider,
  T0,
} from './fake-source.js';

// What reaches the engine from a source it cannot trust — malformed records skipped by the source,
// duplicates, garbage answers — and bad configuration. Each ends in a typed error, a skipped and
// reported record, or a clean failed run that is logged and retried; never a crash, never a wrong
// write. (The client's own parsing is covered in zwift-client's test/reliability.)

function engineFor(source: SyncSource, storage: StorageAdapter = createMemoryStorage(), riderIds = [1, 2]) {
  const clock = manualClock();
  const events: ChangeEvent[] = [];
  const logs: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => {
    logs.push({ level, message, fields });
  };
  const engine = createSyncEngine({
    source,
    storage,
    team: { riderIds },
    clock,
    instanceId: 'test',
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  });
  engine.on('*', (e) => {
    events.push(e);
  });
  return { engine, storage, clock, events, logs };
}

describe('a source answer with records skipped as malformed', () => {
  it('an unreadable event in the list is not taken for a cancellation (nothing marked removed)', async () => {
    const { source, script } = fakeSource();
    const { engine, storage, clock } = engineFor(source);
    script.events = [
      sourceEvent('e1', T0 + 2 * HOUR),
      sourceEvent('e2', T0 + 3 * HOUR),
      sourceEvent('e3', T0 + 5 * HOUR),
    ];
    await engine.runOnce('events');
    expect((await storage.listEvents()).map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);

    // e2 could not be read this time: the list is not complete evidence that e2 is gone.
    clock.advance(5 * MIN);
    script.events = [sourceEvent('e1', T0 + 2 * HOUR), sourceEvent('e3', T0 + 5 * HOUR)];
    script.eventsSkipped = [
      { endpoint: 'events.upcoming', index: 1, path: '[1].time', message: 'time', excerpt: '' },
    ];
    const [run] = await engine.runOnce('events');
    expect(run?.status).toBe('ok');
    expect((await storage.listEvents()).map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);

    // A complete list without e2 does mark it removed.
    clock.advance(5 * MIN);
    script.eventsSkipped = [];
    await engine.runOnce('events');
    expect((await storage.listEvents()).map((e) => e.eventId)).toEqual(['e1', 'e3']);
    expect(
      (await storage.listEvents({ includeRemoved: true })).find((e) => e.eventId === 'e2')?.removedAt,
    ).toBe(clock.now());
  });

  it('a signup list with a skipped record withdraws nobody; a complete one does', async () => {
    const { source, script } = fakeSource();
    const { engine, storage, clock, events } = engineFor(source);
    await engine.runOnce('team');
    const list = (counts: Record<string, number>) => [
      sourceEvent('e1', T0 + 3 * HOUR, { signupCounts: counts }),
    ];
    script.events = list({ A: 10, B: 20 });
    script.signups.set('e1', {
      riders: [
        { riderId: 1, pen: 'A' },
        { riderId: 2, pen: 'B' },
        { riderId: 99, pen: 'B' },
      ],
      skipped: [],
    });
    await engine.runOnce('events');
    expect((await storage.listSignups({ activeOnly: true })).map((s) => s.riderId)).toEqual([1, 2]);

    clock.advance(31 * MIN);
    script.events = list({ A: 10, B: 21 }); // counts moved: the list is due
    script.signups.set('e1', {
      riders: [{ riderId: 1, pen: 'A' }],
      skipped: [{ index: 1, path: '[1].riders[0].riderId' }],
    });
    await engine.runOnce('events');
    expect((await storage.listSignups({ activeOnly: true })).map((s) => s.riderId)).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'signup.withdrawn')).toHaveLength(0);

    clock.advance(31 * MIN);
    script.events = list({ A: 10, B: 22 });
    script.signups.set('e1', { riders: [{ riderId: 1, pen: 'A' }], skipped: [] });
    await engine.runOnce('events');
    expect((await storage.listSignups({ activeOnly: true })).map((s) => s.riderId)).toEqual([1]);
    expect(
      events.filter((e) => e.type === 'signup.withdrawn').map((e) => 'riderId' in e && e.riderId),
    ).toEqual([2]);
  });
});

describe.each([
  ['a club member list', false],
  ['a club member page (clubs.membersPage)', true],
])('%s with a record skipped as malformed', (_name, paged) => {
  it('adds the members it lists and removes none; a complete list removes those who left', async () => {
    const { source } = fakeSource();
    let answer: { riders: SourceRider[]; skipped: unknown[] } = {
      riders: [sourceRider(1), sourceRider(2), sourceRider(3)],
      skipped: [],
    };
    const storage = createMemoryStorage();
    const clock = manualClock();
    const engine = createSyncEngine({
      source: {
        ...source,
        clubs: paged
          ? {
              members: async () => Promise.reject(new Error('the paged source is read by page')),
              membersPage: async () => ({ ...answer, next: null }),
            }
          : { members: async () => answer },
      },
      storage,
      team: { clubId: 77 },
      clock,
      instanceId: 'test',
    });
    const team = async () => (await storage.getTeam()).map((m) => m.riderId).sort((a, b) => a - b);
    await engine.runOnce('team');
    expect(await team()).toEqual([1, 2, 3]);

    // Rider 2's record could not be read (and rider 4 joined): 2 is not taken for gone.
    clock.advance(HOUR);
    answer = {
      riders: [sourceRider(1), sourceRider(3), sourceRider(4)],
      skipped: [
        { endpoint: 'clubs.members', index: 1, path: '[1].riderId', message: 'riderId', excerpt: '' },
      ],
    };
    const [run] = await engine.runOnce('team');
    expect(run?.status).toBe('ok');
    expect(await team()).toEqual([1, 2, 3, 4]);

    // A complete list without rider 2: rider 2 left.
    clock.advance(HOUR);
    answer = { riders: [sourceRider(1), sourceRider(3), sourceRider(4)], skipped: [] };
    await engine.runOnce('team');
    expect(await team()).toEqual([1, 3, 4]);
  });
});

describe('first start', () => {
  it('no signup list is fetched (and applied as "no team signups") before the team is known', async () => {
    const { source, script } = fakeSource();
    // The team's first write fails: runOnce('events') runs the team job first (it has never
    // completed), and the events job then runs without a team.
    const memory = createMemoryStorage();
    let teamWrites = 0;
    const flaky = Object.assign(Object.create(memory) as StorageAdapter, {
      replaceTeam: (...args: Parameters<StorageAdapter['replaceTeam']>) => {
        if (teamWrites++ === 0) return Promise.reject(new StorageError('replaceTeam', 'connection reset'));
        return memory.replaceTeam(...args);
      },
    });
    const { engine, storage } = engineFor(source, flaky);
    script.events = [sourceEvent('e1', T0 + 30 * MIN), sourceEvent('e2', T0 + 20 * HOUR)];
    script.signups.set('e1', { riders: [{ riderId: 1, pen: 'A' }], skipped: [] });
    script.signups.set('e2', { riders: [{ riderId: 2, pen: 'B' }], skipped: [] });
    const [team, first] = await engine.runOnce('events');
    expect(team?.job).toBe('team');
    expect(team?.status).toBe('failed');
    expect(first?.job).toBe('events');
    expect(first?.status).toBe('ok');
    expect(script.calls.filter((c) => c.startsWith('signups:'))).toEqual([]);
    expect(await storage.getSignupChecks()).toEqual([]);
    expect(first?.nextDueAt).toBeLessThanOrEqual(T0 + MIN); // comes back soon
    await engine.runOnce('team');
    await engine.runOnce('events');
    expect((await storage.listSignups({ activeOnly: true })).map((x) => x.riderId).sort()).toEqual([1, 2]);
  });
});

describe('duplicates and garbage in one answer', () => {
  it('an event listed twice in one list is stored once', async () => {
    const { source, script } = fakeSource();
    const { engine, storage } = engineFor(source);
    script.events = [sourceEvent('e1', T0 + 2 * HOUR), sourceEvent('e1', T0 + 2 * HOUR, { title: 'twice' })];
    const [run] = await engine.runOnce('events');
    expect(run?.status).toBe('ok');
    expect((await storage.listEvents()).map((e) => e.eventId)).toEqual(['e1']);
  });

  it('a result set listing a rider twice stores one row for the rider', async () => {
    const { source, script } = fakeSource();
    const { engine, storage } = engineFor(source);
    await engine.runOnce('team');
    await storage.putResultJobs([
      {
        eventId: 'e1',
        phase: 'initial',
        dueAt: T0,
        attempts: 0,
        priority: 1,
        eventStartsAt: T0 - HOUR,
        createdAt: T0,
      },
    ]);
    script.results.set('e1', {
      results: [sourceResult(1, 1), sourceResult(5, 2), sourceResult(1, 3)],
      skipped: [],
    });
    const [run] = await engine.runOnce('results');
    expect(run?.status).toBe('ok');
    const rows = await storage.listResults({ eventIds: ['e1'] });
    expect(rows.map((r) => r.riderId).sort()).toEqual([1, 5]);
  });

  it('a correction fetch with malformed rows is repeated (a few times), not taken as final', async () => {
    const { source, script } = fakeSource();
    const { engine, storage, clock } = engineFor(source);
    await engine.runOnce('team');
    await storage.putResultJobs([
      {
        eventId: 'e1',
        phase: 'correction',
        dueAt: T0,
        attempts: 0,
        priority: 1,
        eventStartsAt: T0 - HOUR,
        createdAt: T0,
      },
    ]);
    const drifted = {
      results: [sourceResult(1, 1, { position: null, ratingDelta: null }), sourceResult(5, 2)],
      skipped: [{ index: 2, path: 'results[2].riderId' }],
    };
    script.results.set('e1', drifted);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await engine.runOnce('results');
      expect(await storage.listResultJobs()).toMatchObject([
        { eventId: 'e1', phase: 'correction', attempts: attempt },
      ]);
      clock.advance(10 * MIN);
    }
    // A clean answer settles it…
    script.results.set('e1', { results: [sourceResult(1, 1), sourceResult(5, 2)], skipped: [] });
    await engine.runOnce('results');
    expect(await storage.listResultJobs()).toEqual([]);
    expect((await storage.listResults({ eventIds: ['e1'] })).find((r) => r.riderId === 1)?.position).toBe(1);
    // …and an answer that stays malformed is given up after three repeats.
    await storage.putResultJobs([
      {
        eventId: 'e2',
        phase: 'correction',
        dueAt: clock.now(),
        attempts: 0,
        priority: 1,
        eventStartsAt: T0,
        createdAt: T0,
      },
    ]);
    script.results.set('e2', drifted);
    for (let i = 0; i < 4; i++) {
      await engine.runOnce('results');
      clock.advance(10 * MIN);
    }
    expect(await storage.listResultJobs()).toEqual([]);
    expect(script.calls.filter((c) => c === 'results:e2')).toHaveLength(4);
  });

  it('garbage instead of an answer fails the run cleanly: logged, emitted, retried later; the engine keeps going', async () => {
    const { source } = fakeSource();
    (source.events as { upcoming: () => Promise<unknown> }).upcoming = async () => null;
    (source.riders as { getMany: () => Promise<unknown> }).getMany = async () => ({ riders: 'nope' });
    const { engine, storage, events, clock } = engineFor(source);
    await engine.runOnce('team');
    const runs = await engine.runOnce();
    const byJob = Object.fromEntries(runs.map((r) => [r.job, r]));
    expect(byJob['events']?.status).toBe('partial');
    expect(byJob['events']?.errorKind).toBe('internal');
    expect(byJob['riders']?.status).toBe('failed');
    expect(byJob['riders']?.nextDueAt).toBeGreaterThan(clock.now());
    expect(events.some((e) => e.type === 'sync.failed' && e.job === 'riders')).toBe(true);
    const log = await storage.listSyncLog();
    expect(log.find((e) => e.job === 'riders')?.status).toBe('failed');
    expect(await storage.getRiders()).toEqual([]);
  });
});

describe('engine configuration: every invalid option gets one clear error naming it', () => {
  const storage = createMemoryStorage();
  const { source } = fakeSource();
  const base = { source, storage, team: { riderIds: [1] } };
  const cases: [string, Record<string, unknown>][] = [
    ['options', null as unknown as Record<string, unknown>],
    ['source', { ...base, source: undefined }],
    ['storage', { ...base, storage: undefined }],
    ['team', { ...base, team: undefined }],
    ['team.riderIds[0]', { ...base, team: { riderIds: ['1'] } }],
    ['team.clubId', { ...base, team: { clubId: 1.5 } }],
    ['logger', { ...base, logger: 'console' }],
    ['logger.warn', { ...base, logger: { warn: 'yes' } }],
    ['instanceId', { ...base, instanceId: 42 }],
    ['instanceId', { ...base, instanceId: '' }],
    ['useLeases', { ...base, useLeases: 'yes' }],
    ['useLeases', { ...base, storage: { ...storage, leases: undefined }, useLeases: true }],
    ['clock', { ...base, clock: 5 }],
    ['clock.sleep', { ...base, clock: { now: () => 0 } }],
    // Options the engine no longer has (the original schedule moved to the benchmark).
    ['strategy', { ...base, strategy: 'baseline' }],
    ['baselineSchedule', { ...base, baselineSchedule: { ridersEveryMs: 60_000 } }],
    ['policy.riders.intervalMs', { ...base, policy: { riders: { intervalMs: 0 } } }],
    ['polcy', { ...base, polcy: { riders: {} } }],
    ['followerFeed', { ...base, followerFeed: 'yes' }],
    // The follower feed needs Zwift's authenticated API on the source.
    ['source.zwift.events.search', { ...base, followerFeed: true }],
    [
      'source.zwift.subgroups.entrants',
      { ...base, source: { ...source, zwift: { events: { search: () => undefined } } }, followerFeed: true },
    ],
    ['policy.followerFeed.nearPollMs', { ...base, policy: { followerFeed: { nearPollMs: 0 } } }],
    [
      'policy.followerFeed.retryMaxMs',
      { ...base, policy: { followerFeed: { retryAfterMs: 60_000, retryMaxMs: 1000 } } },
    ],
  ];
  for (const [option, options] of cases) {
    it(`${option}`, () => {
      let error: unknown;
      try {
        createSyncEngine(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SyncConfigError);
      expect((error as SyncConfigError).option).toBe(option);
      expect((error as SyncConfigError).kind).toBe('config');
      expect((error as Error).message).toContain(option);
    });
  }
});
