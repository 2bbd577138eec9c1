import { describe, expect, it } from 'vitest';
import { Coordinator } from '../../src/engine/coordinator.js';
import type { Job, JobOutcome } from '../../src/engine/job.js';
import { EventBus } from '../../src/events/event-bus.js';
import { createMemoryStorage, resolvePolicy, type StorageAdapter } from '../../src/index.js';
import { fakeSource, HOUR, manualClock } from '../reliability/fake-source.js';

/** A job that logs when it starts and ends, and can be held open or made to fail. */
function job(name: string, log: string[], options: { needs?: string[]; fail?: boolean } = {}) {
  let release: () => void = () => {};
  let held: Promise<void> | null = null;
  const j: Job & { hold(): void; release(): void } = {
    name,
    ...(options.needs ? { needs: options.needs } : {}),
    async run(ctx): Promise<JobOutcome> {
      log.push(`${name} start`);
      if (held) await held;
      log.push(`${name} end`);
      if (options.fail) throw Object.assign(new Error(`${name} broke`), { kind: 'transient' });
      return { status: 'ok', nextDueAt: ctx.clock.now() + HOUR };
    },
    hold() {
      held = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
  };
  return j;
}

function coordinator(jobs: Job[], storage: StorageAdapter = createMemoryStorage()) {
  return new Coordinator({
    jobs,
    source: fakeSource().source,
    storage,
    clock: manualClock(),
    policy: resolvePolicy(),
    bus: new EventBus(() => {}),
    logger: {},
    instanceId: 'needs',
    maxWaitMs: 0,
    useLeases: false,
  });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('jobs that feed others run first (runDue, runOnce)', () => {
  it('runDue on a fresh storage: a job waits for the job it needs to finish; the others run alongside', async () => {
    const log: string[] = [];
    const team = job('team', log);
    const events = job('events', log, { needs: ['team'] });
    const results = job('results', log);
    team.hold();
    const c = coordinator([team, events, results]);
    const done = c.runDue();
    for (let i = 0; i < 5; i++) await tick();
    // team is held: results (no needs) ran meanwhile, events has not started.
    expect(log).toEqual(['team start', 'results start', 'results end']);
    team.release();
    const summaries = await done;
    expect(log).toEqual([
      'team start',
      'results start',
      'results end',
      'team end',
      'events start',
      'events end',
    ]);
    expect(summaries.map((s) => s.job)).toEqual(['team', 'events', 'results']);
  });

  it('once the needed job has completed (persisted), the next runDue runs them side by side', async () => {
    const storage = createMemoryStorage();
    const log: string[] = [];
    await coordinator([job('team', []), job('events', [], { needs: ['team'] })], storage).runDue();
    const team = job('team', log);
    const events = job('events', log, { needs: ['team'] });
    team.hold();
    const c = coordinator([team, events], storage); // a fresh instance: state from storage
    await storage.putJobState({ job: 'team', nextDueAt: 0, lastRunAt: 0, lastSuccessAt: 1, cursor: null });
    await storage.putJobState({ job: 'events', nextDueAt: 0, lastRunAt: 0, lastSuccessAt: 1, cursor: null });
    const done = c.runDue();
    for (let i = 0; i < 5; i++) await tick();
    expect(log).toEqual(['team start', 'events start', 'events end']);
    team.release();
    await done;
  });

  it('a needed job that fails still lets the other run after it (it waited for the attempt, not for success)', async () => {
    const log: string[] = [];
    const c = coordinator([job('team', log, { fail: true }), job('events', log, { needs: ['team'] })]);
    const summaries = await c.runDue();
    expect(log).toEqual(['team start', 'team end', 'events start', 'events end']);
    expect(summaries.map((s) => [s.job, s.status])).toEqual([
      ['team', 'failed'],
      ['events', 'ok'],
    ]);
  });

  it('runOnce(job) on a fresh storage runs what it needs first; afterwards only the job itself', async () => {
    const log: string[] = [];
    const c = coordinator([job('team', log), job('events', log, { needs: ['team'] })]);
    expect((await c.runOnce('events')).map((s) => s.job)).toEqual(['team', 'events']);
    expect((await c.runOnce('events')).map((s) => s.job)).toEqual(['events']);
    expect(log).toEqual([
      'team start',
      'team end',
      'events start',
      'events end',
      'events start',
      'events end',
    ]);
  });

  it('runOnce() runs every job, each after the jobs it needs, whatever the declared order', async () => {
    const log: string[] = [];
    const c = coordinator([job('events', log, { needs: ['team'] }), job('team', log)]);
    expect((await c.runOnce()).map((s) => s.job)).toEqual(['team', 'events']);
  });

  it('unknown or circular needs are refused when the coordinator is built', () => {
    expect(() => coordinator([job('events', [], { needs: ['team'] })])).toThrow(/unknown job "team"/);
    expect(() => coordinator([job('a', [], { needs: ['b'] }), job('b', [], { needs: ['a'] })])).toThrow(
      /need each other: a → b → a/,
    );
  });
});
