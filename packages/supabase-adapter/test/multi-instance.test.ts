import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStorage, createPostgresTransport, migrate } from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';

// Several runner instances = several OS processes, each with its own connection, sharing one
// database: the rate-limit budget of one API key and the leases must hold across them.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const child = fileURLToPath(new URL('./support/instance-child.ts', import.meta.url));
const admin = adminSql(2);
const schema = freshSchemaName('rs_multi');

function runInstances<T>(count: number, config: (index: number) => Record<string, unknown>): Promise<T[]> {
  const startAt = Date.now() + 2500; // after every process has booted and connected
  return Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<T>((resolve, reject) => {
          const args = JSON.stringify({ url: pgUrl(), schema, index, startAt, ...config(index) });
          const proc = spawn(process.execPath, ['--import', 'tsx', child, args], { cwd: packageDir });
          let out = '';
          let err = '';
          proc.stdout.on('data', (d: Buffer) => {
            out += d;
          });
          proc.stderr.on('data', (d: Buffer) => {
            err += d;
          });
          proc.on('error', reject);
          proc.on('close', (code) => {
            if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop() ?? 'null') as T);
            else reject(new Error(`instance ${index} exited with ${code}: ${err}`));
          });
        }),
    ),
  );
}

beforeAll(async () => {
  await migrate({ connectionString: pgUrl(), schema });
  // Test-only audit: every grant the store records, as the store records it (trigger on the
  // usage counter, reading the grant time just appended to the bucket in the same transaction).
  await admin.unsafe(`
    create table "${schema}".grant_log (id bigserial primary key, key text not null, at double precision not null);
    create function "${schema}".log_grant() returns trigger language plpgsql as $$
    begin
      if new.granted > coalesce(case when tg_op = 'UPDATE' then old.granted end, 0) then
        insert into "${schema}".grant_log (key, at)
        select b.key, b.grants[cardinality(b.grants)] from "${schema}".rate_limit_buckets b where b.key = new.key;
      end if;
      return new;
    end $$;
    create trigger log_grant after insert or update on "${schema}".rate_limit_usage
      for each row execute function "${schema}".log_grant();
    create table "${schema}".job_runs (slot bigint not null, holder text not null, token bigint not null);
  `);
});

afterAll(async () => {
  await admin.unsafe(`drop schema "${schema}" cascade`);
  await admin.end();
});

describe('several processes sharing one database', () => {
  it('4 processes saturating one key never exceed its sliding window (exact audit of every grant)', async () => {
    const key = 'ns:riders';
    const spec = { capacity: 3, intervalMs: 250 };
    const durationMs = 2500;
    const results = await runInstances<{ granted: number; denied: number }>(4, () => ({
      mode: 'saturate',
      key,
      ...spec,
      durationMs,
    }));
    const granted = results.reduce((n, r) => n + r.granted, 0);
    const grants = await admin<{ at: number }[]>`
      select at from ${admin(schema)}.grant_log where key = ${key} order by id`;
    expect(grants).toHaveLength(granted);
    // Recorded in non-decreasing order, and no window of intervalMs holds more than capacity.
    const times = grants.map((g) => g.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    let worst = 0;
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && times[j]! < times[i]! + spec.intervalMs) j++;
      worst = Math.max(worst, j - i);
    }
    expect(worst).toBeLessThanOrEqual(spec.capacity);
    // …and the shared budget is really used: close to capacity per interval over the run. The
    // processes run `durationMs` each from a common start line, but one that reaches it late (a
    // loaded machine) ends late too: the bound is taken over the grants' real span.
    const ideal = spec.capacity * Math.ceil(durationMs / spec.intervalMs);
    const span = times[times.length - 1]! - times[0]!;
    expect(granted).toBeLessThanOrEqual(spec.capacity * (Math.floor(span / spec.intervalMs) + 1));
    expect(granted).toBeGreaterThanOrEqual(Math.floor(ideal * 0.5));
    expect(results.every((r) => r.granted > 0)).toBe(true); // no process starved
  }, 60_000);

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
  }, 60_000);

  it('3 processes competing for a job: one lease holder at a time, the job runs at most once per slot', async () => {
    const slotMs = 400;
    const durationMs = 4000;
    const results = await runInstances<{ acquired: number[]; ran: number[]; fencedOut: number[] }>(3, () => ({
      mode: 'slots',
      slotMs,
      durationMs,
    }));
    const runs = await admin<{ slot: number; n: number }[]>`
      select slot::float8 as slot, count(*)::int as n from ${admin(schema)}.job_runs group by slot order by slot`;
    // Never twice in a slot…
    expect(runs.filter((r) => r.n > 1)).toEqual([]);
    // …and the job kept running: (nearly) every slot of the run has its run, by any instance.
    const slots = durationMs / slotMs;
    expect(runs.length).toBeGreaterThanOrEqual(slots - 2);
    expect(results.flatMap((r) => r.ran)).toHaveLength(runs.length);
    // The instances really competed, and fencing tokens grew with every acquisition.
    expect(results.filter((r) => r.acquired.length > 0).length).toBeGreaterThan(1);
    const tokens = (
      await admin<{ token: number }[]>`select token::int from ${admin(schema)}.job_runs order by slot`
    ).map((t) => t.token);
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
    expect(new Set(tokens).size).toBe(tokens.length);
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
  }, 60_000);
});
