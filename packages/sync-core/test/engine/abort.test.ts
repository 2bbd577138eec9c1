import { describe, expect, it } from 'vitest';
import {
  type ChangeEvent,
  createMemoryStorage,
  createSyncEngine,
  SyncConfigError,
  type SyncLogEntry,
} from '../../src/index.js';
import { fakeSource, HOUR, manualClock, sourceEvent, sourceRider, T0 } from '../reliability/fake-source.js';

// A caller stops a run with any abort reason: `abort()` (an AbortError), `abort(new Error(…))`,
// `abort('text')` or `AbortSignal.timeout()` (a TimeoutError). The client rejects with
// `signal.reason`, whatever it is. The run must end as aborted — not as a failure that backs off —
// the job must stop at once instead of trying its next race, and runOnce must not start the jobs
// after it.

const reasons: [string, () => unknown][] = [
  ['an Error', () => new Error('stopped by the caller')],
  ['a string', () => 'stop'],
  ['a TimeoutError', () => new DOMException('The operation timed out.', 'TimeoutError')],
  ['no reason (AbortError)', () => undefined],
];

function setup() {
  const { source, script } = fakeSource();
  const clock = manualClock();
  const storage = createMemoryStorage();
  script.riders.set(1, sourceRider(1));
  script.riders.set(2, sourceRider(2));
  // Three races near their start: a cold start fetches all three signup lists.
  script.events = ['e1', 'e2', 'e3'].map((id, i) => sourceEvent(id, T0 + (1 + i) * HOUR));
  const engine = createSyncEngine({ source, storage, team: { riderIds: [1, 2] }, clock, logger: {} });
  const events: ChangeEvent[] = [];
  engine.on('*', (e) => {
    events.push(e);
  });
  return { engine, source, script, storage, events };
}

async function logOf(storage: ReturnType<typeof createMemoryStorage>): Promise<SyncLogEntry[]> {
  return storage.listSyncLog({ limit: 100 });
}

describe('a run stopped by its signal, whatever the abort reason', () => {
  it.each(reasons)(
    'with %s: the events job stops at the first list, is logged aborted, and nothing after it runs',
    async (_, reason) => {
      const { engine, script, storage, events } = setup();
      await engine.runOnce('team');
      const controller = new AbortController();
      script.signups.set('e1', () => {
        controller.abort(reason());
        // What the client does once the call's signal is aborted.
        throw controller.signal.reason;
      });
      const summaries = await engine.runOnce(undefined, { signal: controller.signal });

      // The events job tried one list, not three.
      expect(script.calls.filter((c) => c.startsWith('signups:'))).toEqual(['signups:e1']);
      const eventsRun = summaries.find((s) => s.job === 'events');
      expect(eventsRun?.status).not.toBe('failed');
      // Jobs after the events job were not started, so not logged as having run.
      const order = summaries.map((s) => s.job);
      expect(order.indexOf('events')).toBe(order.length - 1);
      const log = await logOf(storage);
      expect(log.filter((e) => e.status === 'failed')).toEqual([]);
      expect(events.filter((e) => e.type === 'sync.failed')).toEqual([]);
    },
  );

  it.each(reasons)(
    'with %s: a job that throws the reason is recorded as aborted and is due again at once',
    async (_, reason) => {
      const { engine, source, storage, events } = setup();
      await engine.runOnce('team');
      const controller = new AbortController();
      // The event list call itself is the one aborted.
      source.events.upcoming = async () => {
        controller.abort(reason());
        throw controller.signal.reason;
      };
      const [run] = await engine.runOnce('events', { signal: controller.signal });
      expect(run).toMatchObject({ job: 'events', status: 'skipped', errorKind: 'aborted' });
      expect(run?.nextDueAt).toBeLessThanOrEqual(T0 + 1000);
      const state = (await storage.getJobStates()).find((s) => s.job === 'events');
      expect(state?.nextDueAt).toBeLessThanOrEqual(T0 + 1000);
      expect(events.filter((e) => e.type === 'sync.failed')).toEqual([]);
    },
  );

  it('runOnce with a signal aborted before it starts runs nothing', async () => {
    const { engine, script, storage } = setup();
    const summaries = await engine.runOnce(undefined, { signal: AbortSignal.abort(new Error('stop')) });
    expect(summaries).toEqual([]);
    expect(script.calls).toEqual([]);
    expect(await logOf(storage)).toEqual([]);
  });
});

describe('runOnce with a job name the engine does not have', () => {
  it('throws a SyncConfigError naming the job and the jobs there are', async () => {
    const { engine } = setup();
    const error = await engine.runOnce('ridres').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncConfigError);
    expect(error).toMatchObject({ kind: 'config', option: 'runOnce(name)' });
    expect((error as Error).message).toMatch(/unknown job "ridres" \(jobs: .*riders.*\)/);
  });
});
