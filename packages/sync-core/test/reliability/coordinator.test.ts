import { describe, expect, it } from 'vitest';
import { Coordinator } from '../../src/engine/coordinator.js';
import type { Job } from '../../src/engine/job.js';
import { EventBus } from '../../src/events/event-bus.js';
import { createMemoryStorage, resolvePolicy } from '../../src/index.js';
import { fakeSource, HOUR, MIN, manualClock, T0 } from './fake-source.js';

// Two instances sharing one storage (leases + persisted job states): a job pulled forward in one
// instance is served by a run in another made at or after the pulled time — it is not run twice.
describe('coordinator: pulled jobs across instances', () => {
  function setup() {
    const storage = createMemoryStorage();
    const clock = manualClock();
    const runs: string[] = [];
    const make = (id: string) => {
      const job: Job = {
        name: 'riders',
        async run(ctx) {
          runs.push(`${id}@${(ctx.clock.now() - T0) / MIN}`);
          return { status: 'ok', nextDueAt: ctx.clock.now() + HOUR };
        },
      };
      return new Coordinator({
        jobs: [job],
        source: fakeSource().source,
        storage,
        clock,
        policy: resolvePolicy(),
        bus: new EventBus(() => {}),
        logger: {},
        instanceId: id,
        maxWaitMs: 0,
        useLeases: true,
      });
    };
    return { a: make('a'), b: make('b'), clock, runs };
  }

  it('a pull served by another instance at or after its time does not run again', async () => {
    const { a, b, clock, runs } = setup();
    await a.runDue();
    await b.runDue(); // not due: a ran it
    clock.set(T0 + 20 * MIN);
    a.pull('riders', T0 + 20 * MIN); // e.g. team results landed in both instances
    b.pull('riders', T0 + 20 * MIN);
    await b.runDue();
    await a.runDue(); // b already ran at the pulled time
    expect(runs).toEqual(['a@0', 'b@20']);
    clock.set(T0 + 80 * MIN);
    await a.runDue(); // the slot b set (20 + 60 min) is due
    await b.runDue();
    expect(runs).toEqual(['a@0', 'b@20', 'a@80']);
  });

  it('a pull for a later time than the other instance ran still runs (a new slot)', async () => {
    const { a, b, clock, runs } = setup();
    await a.runDue();
    await b.runDue();
    clock.set(T0 + 15 * MIN);
    b.pull('riders', T0 + 15 * MIN);
    await b.runDue();
    a.pull('riders', T0 + 17 * MIN); // asked for a run after 17 min: b's at 15 does not serve it
    clock.set(T0 + 17 * MIN);
    await a.runDue();
    expect(runs).toEqual(['a@0', 'b@15', 'a@17']);
  });
});
