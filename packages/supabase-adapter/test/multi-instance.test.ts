import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStorage, createPostgresTransport, migrate } from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';
import type { Acquisition, TakeRecord } from './support/instance-child.ts';

// Several runner instances = several OS processes, each with its own connection, sharing one
// database: the rate-limit budget of one API key and the leases must hold across them.
//
// Nothing here depends on how fast the machine is. The instances start together once every one of
// them is connected (an observable start line, not a guessed boot time). The rate limit is judged
// the way the store decides: on the callers' clocks (`now`, logical here) and the grant times the
// store recorded, audited take by take in the order the store decided them. The slot test runs on
// the real clock, so a loaded machine may make an instance ask for a slot already past or lose its
// lease mid-run (its fenced write is then refused): it asserts what the leases and fencing
// guarantee regardless, and each instance runs until states it can observe (the job has run enough
// times, it has held the lease itself), never for a fixed time.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const child = fileURLToPath(new URL('./support/instance-child.ts', import.meta.url));
const admin = adminSql(2);
const schema = freshSchemaName('rs_multi');

/**
 * Spawns `count` instances, waits until every one is connected (`ready`), then gives them one
 * start line (`go`), and resolves with their results.
 */
async function runInstances<T>(
  count: number,
  config: (index: number) => Record<string, unknown>,
): Promise<T[]> {
  const procs: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const results = Array.from({ length: count }, (_, index) => {
    const args = JSON.stringify({ url: pgUrl(), schema, index, ...config(index) });
    const proc = spawn(process.execPath, ['--import', 'tsx', child, args], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    procs.push(proc);
    let out = '';
    let err = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d;
    });
    proc.stderr?.on('data', (d: Buffer) => {
      err += d;
    });
    const exited = new Promise<T>((resolve, reject) => {
      proc.on('error', reject);
      proc.on('close', (code) => {
        if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop() ?? 'null') as T);
        else reject(new Error(`instance ${index} exited with ${code}: ${err}`));
      });
    });
    ready.push(
      Promise.race([
        new Promise<void>((resolve) => proc.once('message', () => resolve())),
        exited.then(() => undefined),
      ]),
    );
    return exited;
  });
  await Promise.race([Promise.all(ready), Promise.all(results)]);
  const startAt = Date.now();
  for (const proc of procs) if (proc.connected) proc.send({ go: startAt });
  return Promise.all(results);
}

beforeAll(async () => {
  await migrate({ connectionString: pgUrl(), schema });
  // Test-only audit: every take the store decided, in the order it decided them (the bucket's row
  // lock serialises takes; the trigger runs inside the take's transaction, right after the bucket
  // was updated): whose it was (the instance's database backend), granted or not, and the grant
  // time the store recorded.
  await admin.unsafe(`
    create table "${schema}".take_log (
      id bigserial primary key, key text not null, pid integer not null, granted boolean not null,
      at double precision);
    create function "${schema}".log_take() returns trigger language plpgsql as $$
    begin
      if new.granted > coalesce(case when tg_op = 'UPDATE' then old.granted end, 0) then
        insert into "${schema}".take_log (key, pid, granted, at)
        select b.key, pg_backend_pid(), true, b.grants[cardinality(b.grants)]
        from "${schema}".rate_limit_buckets b where b.key = new.key;
      elsif new.denied > coalesce(case when tg_op = 'UPDATE' then old.denied end, 0) then
        insert into "${schema}".take_log (key, pid, granted) values (new.key, pg_backend_pid(), false);
      end if;
      return new;
    end $$;
    create trigger log_take after insert or update on "${schema}".rate_limit_usage
      for each row execute function "${schema}".log_take();
    create table "${schema}".job_runs (slot bigint not null, holder text not null, token bigint not null);
  `);
});

afterAll(async () => {
  await admin.unsafe(`drop schema "${schema}" cascade`);
  await admin.end();
});

describe('several processes sharing one database', () => {
  it('4 processes saturating one key: every take decided exactly by the sliding window (audit of every take)', async () => {
    const key = 'ns:riders';
    const spec = { capacity: 3, intervalMs: 250 };
    const perInstance = 6;
    const results = await runInstances<{ pid: number; takes: TakeRecord[] }>(4, () => ({
      mode: 'saturate',
      key,
      ...spec,
      now: 1_000_000,
      grants: perInstance,
    }));
    const log = await admin<{ pid: number; granted: boolean; at: number | null }[]>`
      select pid, granted, at from ${admin(schema)}.take_log where key = ${key} order by id`;
    // Every take of every instance is in the audit, in that instance's order: the k-th logged take
    // of a backend is the k-th take its instance made, so each decision is paired with the caller's
    // clock (the store's `now`).
    expect(new Set(results.map((r) => r.pid)).size).toBe(4);
    expect(log).toHaveLength(results.reduce((n, r) => n + r.takes.length, 0));
    const next = new Map(results.map((r) => [r.pid, 0]));
    const byPid = new Map(results.map((r) => [r.pid, r.takes]));
    const grants: number[] = [];
    let denied = 0;
    for (const entry of log) {
      const index = next.get(entry.pid)!;
      next.set(entry.pid, index + 1);
      const take = byPid.get(entry.pid)![index]!;
      expect(take.granted).toBe(entry.granted);
      // The store's clock for this take: the caller's, never behind a grant already recorded (a
      // caller whose clock reads earlier than another's cannot slip a grant into the past).
      const eff = Math.max(take.now, grants.at(-1) ?? take.now);
      const inWindow = grants.filter((g) => g > eff - spec.intervalMs).length;
      if (entry.granted) {
        // Granted only with room in the window ending now, and recorded at that time.
        expect(inWindow).toBeLessThan(spec.capacity);
        expect(entry.at).toBe(eff);
        grants.push(eff);
      } else {
        // Refused only when the window was full, with the wait until its oldest grant leaves it.
        expect(inWindow).toBe(spec.capacity);
        const oldest = grants[grants.length - spec.capacity]!;
        expect(take.waitMs).toBe(Math.max(1, Math.ceil(oldest + spec.intervalMs - take.now)));
        denied++;
      }
    }
    // Hence no window of intervalMs ever held more than capacity grants (checked directly too).
    expect(grants).toHaveLength(4 * perInstance);
    for (let i = spec.capacity; i < grants.length; i++) {
      expect(grants[i]! - grants[i - spec.capacity]!).toBeGreaterThanOrEqual(spec.intervalMs);
    }
    // All clocks start at one instant and move only on a refusal, so 24 grants cannot all fit:
    // the instances competed for one budget (refusals are forced, not a matter of speed).
    expect(denied).toBeGreaterThan(0);
    for (const r of results) expect(r.takes.filter((t) => t.granted)).toHaveLength(perInstance);
  }, 120_000);

  it('a burst of takes from 4 processes at the same instant grants exactly the capacity', async () => {
    const spec = { capacity: 5, intervalMs: 900_000 };
    const results = await runInstances<{ results: { granted: boolean; waitMs: number }[] }>(4, () => ({
      mode: 'burst',
      key: 'ns:riders-bulk',
      ...spec,
      now: 5000,
      takes: 15,
    }));
    const all = results.flatMap((r) => r.results);
    expect(all).toHaveLength(60);
    expect(all.filter((r) => r.granted)).toHaveLength(5);
    for (const r of all.filter((x) => !x.granted)) expect(r.waitMs).toBe(900_000);
  }, 120_000);

  it('3 processes competing for a job: one lease holder at a time, the job runs at most once per slot', async () => {
    const slotMs = 400;
    const target = 8;
    const results = await runInstances<{ acquisitions: Acquisition[] }>(3, () => ({
      mode: 'slots',
      slotMs,
      runs: target,
    }));
    const runs = await admin<{ slot: number; n: number; token: number }[]>`
      select slot::float8 as slot, count(*)::int as n, max(token)::int as token
      from ${admin(schema)}.job_runs group by slot order by slot`;
    const all = results.flatMap((r) => r.acquisitions);
    // The job ran `target` times or more (every instance waited for that), each run recorded by the
    // acquisition that made it…
    expect(runs.reduce((n, r) => n + r.n, 0)).toBeGreaterThanOrEqual(target);
    const ran = all.filter((a) => a.outcome === 'ran');
    expect(ran.map((a) => a.slot).sort((x, y) => x - y)).toEqual(runs.map((r) => r.slot));
    // …never twice in a slot…
    expect(runs.filter((r) => r.n > 1)).toEqual([]);
    // …and every acquisition either ran the job, or found it already run for its slot or a later
    // one (a holder whose clock was read before it stalled may ask for a slot already past), or had
    // its write refused because another instance took the lease after it (fencing).
    const ranIn = new Set(runs.map((r) => r.slot));
    for (const a of all.filter((x) => x.outcome === 'skipped')) {
      expect(a.seenSlot).toBeGreaterThanOrEqual(a.slot);
      expect(ranIn.has(a.seenSlot!)).toBe(true);
    }
    const maxToken = Math.max(...all.map((a) => a.token));
    for (const a of all.filter((x) => x.outcome === 'fenced')) expect(a.token).toBeLessThan(maxToken);
    // Every instance held the lease (each waited for that), and fencing tokens were unique and grew
    // with the slots the job ran in.
    for (const r of results) expect(r.acquisitions.length).toBeGreaterThan(0);
    expect(new Set(all.map((a) => a.token)).size).toBe(all.length);
    const tokens = runs.map((r) => r.token);
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
    const storage = createPostgresStorage({
      transport: createPostgresTransport({ connectionString: pgUrl() }),
      schema,
    });
    try {
      const [state] = await storage.getJobStates();
      expect(state?.nextDueAt).toBe(((runs.at(-1)?.slot ?? 0) + 1) * slotMs);
    } finally {
      await storage.close();
    }
  }, 120_000);
});
