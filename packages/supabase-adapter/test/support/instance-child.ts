/**
 * One "runner instance" for the multi-process tests: a separate Node process with its own
 * connection, using the Postgres rate-limit store or leases. Config is JSON in argv[2].
 *
 * Start line: once connected it sends `{ ready: pid }` over the IPC channel (`pid`: its database
 * backend's, one connection per process) and waits for `{ go: startAt }`, which the parent sends
 * when every instance is ready, so all of them really run together however slowly they booted.
 * The result is one JSON line on stdout.
 */
import { createPostgresStorage, createPostgresTransport } from '../../src/index.ts';

interface Config {
  mode: 'saturate' | 'burst' | 'slots';
  url: string;
  schema: string;
  index: number;
  key?: string;
  capacity?: number;
  intervalMs?: number;
  /** saturate: takes until this instance was granted this many times. */
  grants?: number;
  takes?: number;
  /** saturate: the logical start time; burst: the time of every take. */
  now?: number;
  slotMs?: number;
  /** slots: stop once the job has run this many times (by any instance) and this one held the lease. */
  runs?: number;
}

/** One `take` of the saturate mode, as the caller made it: its clock (`now`) and the answer. */
export interface TakeRecord {
  now: number;
  granted: boolean;
  waitMs: number;
}

/** One lease acquisition of the slots mode and what came of it. */
export interface Acquisition {
  /** The slot of the holder's clock when it asked. */
  slot: number;
  token: number;
  /** ran: it ran the job; skipped: the state said it was not due (`seenSlot`: the slot of the run
   * recorded there); fenced: its fenced write was refused (another instance took the lease). */
  outcome: 'ran' | 'skipped' | 'fenced';
  seenSlot?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const transport = createPostgresTransport({ connectionString: config.url, max: 1 });
const storage = createPostgresStorage({ transport, schema: config.schema });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tells the parent this instance is connected; resolves at the common start line. */
function startLine(pid: number): Promise<number> {
  return new Promise((resolve) => {
    process.on('message', (message: { go?: number }) => {
      if (typeof message?.go === 'number') resolve(message.go);
    });
    process.send?.({ ready: pid });
  });
}

async function main(): Promise<unknown> {
  await storage.getTeam(); // connect before the start line
  const [row] = await transport.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const pid = row!.pid;
  await startLine(pid);
  const spec = { capacity: config.capacity ?? 1, intervalMs: config.intervalMs ?? 1000 };
  if (config.mode === 'saturate') {
    // Each instance's clock is logical: it starts at `now` and moves only by the wait the store
    // names on a refusal (the store decides on the callers' clocks, never on the database's), so
    // what the store must answer is fixed by the order of the takes alone, whatever the machine's
    // speed. The takes of the instances interleave at the database as they happen to.
    const takes: TakeRecord[] = [];
    let now = config.now ?? 0;
    let granted = 0;
    while (granted < (config.grants ?? 5)) {
      const result = await storage.rateLimitStore.take(config.key!, spec, now);
      takes.push({ now, granted: result.granted, waitMs: result.waitMs });
      if (result.granted) granted++;
      else now += result.waitMs;
    }
    return { pid, takes };
  }
  if (config.mode === 'burst') {
    const results = [];
    for (let i = 0; i < (config.takes ?? 10); i++) {
      results.push(await storage.rateLimitStore.take(config.key!, spec, config.now ?? 0));
    }
    return { results };
  }
  // slots: the real clock is cut into slots of `slotMs`; the job is due once per slot. Every
  // instance polls the way the engine does: take the lease (TTL = one slot), run only if the
  // persisted state says the job is due, write the next due time fenced by the lease, and only then
  // record the run; give the lease back. Each instance stops once the job has run `runs` times (by
  // any instance) and it has held the lease itself: observable states, however slow the machine.
  const slotMs = config.slotMs ?? 250;
  const target = config.runs ?? 8;
  const runsSoFar = async () =>
    (
      await transport.sql<
        { n: number }[]
      >`select count(*)::int as n from ${transport.sql(config.schema)}.job_runs`
    )[0]!.n;
  const acquisitions: Acquisition[] = [];
  while (acquisitions.length === 0 || (await runsSoFar()) < target) {
    const now = Date.now();
    const lease = await storage.leases.acquire('job:riders', `instance-${config.index}`, slotMs, now);
    if (lease) {
      const slot = Math.floor(now / slotMs);
      const acquisition: Acquisition = { slot, token: lease.token, outcome: 'skipped' };
      acquisitions.push(acquisition);
      try {
        const state = (await storage.getJobStates()).find((s) => s.job === 'riders');
        if (state?.nextDueAt == null || state.nextDueAt <= now) {
          await storage.putJobState(
            {
              job: 'riders',
              nextDueAt: (slot + 1) * slotMs,
              lastRunAt: now,
              lastSuccessAt: now,
              cursor: { slot },
            },
            { name: lease.name, token: lease.token },
          );
          await transport.sql`insert into ${transport.sql(config.schema)}.job_runs (slot, holder, token)
            values (${slot}, ${lease.holder}, ${lease.token})`;
          acquisition.outcome = 'ran';
        } else {
          acquisition.seenSlot = (state.cursor as { slot: number }).slot;
        }
      } catch (error) {
        if ((error as { kind?: string }).kind !== 'lease_lost') throw error;
        acquisition.outcome = 'fenced';
      } finally {
        await storage.leases.release(lease);
      }
    }
    await sleep(5 + Math.random() * 15); // poll, as the engine does
  }
  return { acquisitions };
}

main()
  .then(async (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    await transport.close();
    process.disconnect?.();
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    await transport.close();
    process.exit(1);
  });
