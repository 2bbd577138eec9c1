import {
  createMemoryStorage,
  type EventRecord,
  type ResultRecord,
  type RiderWrite,
  type StorageAdapter,
} from '@racesync/sync-core';
import { makeEvent, makeResult, makeRider } from '@racesync/sync-core/testing';
import { seeded } from '@racesync/verify';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  migrate,
  type PostgresStorage,
} from '../src/index.ts';
import { freshSchemaName, pgUrl } from './support/db.ts';

// Differential test: seeded random operation sequences applied to sync-core's memory storage (the
// reference implementation) and to this storage; every result and the full state must agree.
// Known, documented differences are normalised: the order of `withdrawn` in a signup delta, and
// result counts when one result set lists a rider twice (not generated here).

const transport = createPostgresTransport({ connectionString: pgUrl(), max: 2 });
afterAll(() => transport.close());

async function state(s: StorageAdapter) {
  return {
    team: await s.getTeam(),
    riders: await s.getRiders(),
    history: await s.listRiderHistory(),
    events: await s.listEvents({ includeRemoved: true }),
    signups: await s.listSignups(),
    checks: (await s.getSignupChecks()).sort((a, b) => (a.eventId < b.eventId ? -1 : 1)),
    results: await s.listResults({ includeRemoved: true }),
    jobs: await s.listResultJobs(),
    states: (await s.getJobStates()).sort((a, b) => (a.job < b.job ? -1 : 1)),
    log: await s.listSyncLog(),
  };
}

const normalise = (op: string, value: unknown) => {
  if (op === 'applySignups' && value && typeof value === 'object') {
    const delta = value as { withdrawn: { riderId: number }[] };
    return { ...delta, withdrawn: [...delta.withdrawn].sort((a, b) => a.riderId - b.riderId) };
  }
  return value;
};

describe.each([1, 2, 3])('random operation sequences agree with the memory storage (seed %i)', (seed) => {
  it('every result and the final state are identical', async () => {
    const rand = seeded(seed);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T>(xs: readonly T[]) => xs[int(xs.length)]!;
    const schema = freshSchemaName('rs_diff');
    await migrate({ transport, schema });
    const pg: PostgresStorage = createPostgresStorage({ transport, schema });
    const memory = createMemoryStorage();
    const riderIds = Array.from({ length: 8 }, (_, i) => 100 + i);
    const eventIds = Array.from({ length: 4 }, (_, i) => `e${String(i).padStart(2, '0')}`);
    const pens = ['A', 'B', 'C', 'Women', 'É'];
    let clock = 1000;
    const fences: { name: string; token: number }[] = [];

    for (let step = 0; step < 400; step++) {
      clock += 1 + int(500);
      const at = rand() < 0.25 ? clock - 1 - int(30_000) : clock; // often back-dated (stale writes)
      const kind = int(10);
      let op = '';
      let run: (s: StorageAdapter) => Promise<unknown>;
      if (kind === 0) {
        op = 'replaceTeam';
        const source = pick(['manual', 'club'] as const);
        const ids = riderIds.filter(() => rand() < 0.4);
        run = (s) => s.replaceTeam(source, ids, at);
      } else if (kind <= 2) {
        op = 'writeRiders';
        const stored = new Map((await memory.getRiders()).map((r) => [r.riderId, r.hash]));
        const writes: RiderWrite[] = [];
        for (let i = 0; i < 1 + int(5); i++) {
          const id = pick(riderIds);
          const rider = makeRider(id, at, { weight: 60 + int(3) });
          const prior = stored.get(id) ?? null;
          const roll = rand();
          if (prior === rider.hash && roll < 0.7) writes.push({ rider, history: null, expectedHash: prior });
          else {
            const expected = roll < 0.15 ? 'stale-hash' : roll < 0.25 ? null : prior;
            writes.push({
              rider,
              history: { riderId: id, at, changedFields: ['weight'], snapshot: rider.data, hash: rider.hash },
              expectedHash: expected,
            });
          }
        }
        run = (s) => s.writeRiders(writes);
      } else if (kind === 3) {
        op = 'upsertEvents';
        const events: EventRecord[] = [];
        for (let i = 0; i < 1 + int(4); i++) {
          events.push(
            makeEvent(pick(eventIds), at, {
              startsAt: 10_000 + int(5) * 1000,
              title: `T${int(3)}`,
              fetchedAt: at,
            }),
          );
        }
        run = (s) => s.upsertEvents(events);
      } else if (kind === 4) {
        op = 'markEventsRemoved';
        const ids = eventIds.filter(() => rand() < 0.25);
        run = (s) => s.markEventsRemoved(ids, at);
      } else if (kind <= 6) {
        op = 'applySignups';
        const event = pick(eventIds);
        const present = riderIds.filter(() => rand() < 0.35).map((riderId) => ({ riderId, pen: pick(pens) }));
        if (present.length > 0 && rand() < 0.2) present.push({ ...present[0]!, pen: pick(pens) }); // listed twice
        run = (s) => s.applySignups(event, present, at);
      } else if (kind === 7) {
        op = 'applyResults';
        const event = pick(eventIds);
        const rows: ResultRecord[] = riderIds
          .filter(() => rand() < 0.4)
          .map((riderId, i) =>
            makeResult(event, riderId, at, { position: rand() < 0.1 ? null : i + 1 + int(2) }),
          );
        run = (s) => s.applyResults(event, rows, at);
      } else if (kind === 8) {
        const sub = int(4);
        if (sub === 0) {
          op = 'putSignupChecks';
          const checks = [
            { eventId: pick(eventIds), fetchedAt: at, countsAtFetch: { A: int(9) }, teamSignups: int(4) },
          ];
          run = (s) => s.putSignupChecks(checks);
        } else if (sub === 1) {
          op = 'putResultJobs';
          const jobs = [
            {
              eventId: pick(eventIds),
              phase: pick(['initial', 'correction'] as const),
              dueAt: clock + int(10) * 1000,
              attempts: int(3),
              priority: int(10) / 3,
              eventStartsAt: 5000,
              createdAt: at,
            },
          ];
          run = (s) => s.putResultJobs(jobs);
        } else if (sub === 2) {
          op = 'deleteResultJobs';
          const keys = [{ eventId: pick(eventIds), phase: pick(['initial', 'correction'] as const) }];
          run = (s) => s.deleteResultJobs(keys);
        } else {
          op = 'appendSyncLog';
          const entry = {
            runId: `r${step}`,
            job: pick(['riders', 'events']),
            startedAt: at,
            finishedAt: at + int(100),
            status: pick(['ok', 'failed', 'partial', 'skipped'] as const),
            apiCalls: int(3),
            records: int(50),
            changes: int(5),
            errorKind: rand() < 0.5 ? null : 'transient',
            message: null,
          };
          run = (s) => s.appendSyncLog([entry]);
        }
      } else {
        const sub = int(3);
        const name = pick(['job:riders', 'job:events']);
        if (sub === 0) {
          op = 'leases.acquire';
          const holder = pick(['a', 'b']);
          run = async (s) => {
            const lease = await s.leases!.acquire(name, holder, 1000, at);
            if (lease && s === memory) fences.push({ name: lease.name, token: lease.token });
            return lease;
          };
        } else if (sub === 1) {
          op = 'putJobState (fenced)';
          const fence = fences.length > 0 && rand() < 0.8 ? pick(fences) : undefined;
          const jobState = {
            job: name,
            nextDueAt: clock + 1000,
            lastRunAt: at,
            lastSuccessAt: null,
            cursor: { step },
          };
          run = (s) =>
            s.putJobState(jobState, fence).then(
              () => 'ok',
              (e: { kind?: string }) => e.kind,
            );
        } else {
          op = 'leases.release';
          const lease = fences.length > 0 ? pick(fences) : { name, token: 0 };
          run = (s) => s.leases!.release({ name: lease.name, holder: 'a', token: lease.token, expiresAt: 0 });
        }
      }
      const expected = normalise(op, await run(memory));
      const actual = normalise(op, await run(pg));
      expect(actual, `step ${step}: ${op}`).toEqual(expected);
      if (step % 40 === 39) expect(await state(pg), `state after step ${step}`).toEqual(await state(memory));
    }
    expect(await state(pg)).toEqual(await state(memory));
    await transport.sql.unsafe(`drop schema "${schema}" cascade`);
  }, 120_000);
});
