/**
 * One "runner instance" for the multi-process tests: a separate Node process with its own
 * connection, using the Postgres rate-limit store or leases. Config is JSON in argv[2]; the result
 * is one JSON line on stdout.
 */
import { createPostgresStorage, createPostgresTransport } from '../../src/index.ts';

interface Config {
  mode: 'saturate' | 'burst' | 'slots';
  url: string;
  schema: string;
  index: number;
  /** Epoch ms (real clock) at which to start, so all processes start together. */
  startAt: number;
  key?: string;
  capacity?: number;
  intervalMs?: number;
  durationMs?: number;
  takes?: number;
  now?: number;
  slotMs?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const transport = createPostgresTransport({ connectionString: config.url, max: 1 });
const storage = createPostgresStorage({ transport, schema: config.schema });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<unknown> {
  await storage.getTeam(); // connect before the start line
  await sleep(Math.max(0, config.startAt - Date.now()));
  const spec = { capacity: config.capacity ?? 1, intervalMs: config.intervalMs ?? 1000 };
  if (config.mode === 'saturate') {
    let granted = 0;
    let denied = 0;
    const end = Date.now() + (config.durationMs ?? 1000);
    while (Date.now() < end) {
      const result = await storage.rateLimitStore.take(config.key!, spec, Date.now());
      if (result.granted) granted++;
      else {
        denied++;
        await sleep(Math.min(result.waitMs, Math.max(0, end - Date.now())));
      }
    }
    return { granted, denied };
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
  // record the run; give the lease back.
  const slotMs = config.slotMs ?? 250;
  const end = config.startAt + (config.durationMs ?? 2000);
  const acquired: number[] = [];
  const ran: number[] = [];
  const fencedOut: number[] = [];
  while (Date.now() < end) {
    const now = Date.now();
    const lease = await storage.leases.acquire('job:riders', `instance-${config.index}`, slotMs, now);
    if (lease) {
      const slot = Math.floor(now / slotMs);
      acquired.push(slot);
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
          ran.push(slot);
        }
      } catch (error) {
        if ((error as { kind?: string }).kind !== 'lease_lost') throw error;
        fencedOut.push(slot);
      } finally {
        await storage.leases.release(lease);
      }
    }
    await sleep(5 + Math.random() * 15);
  }
  return { acquired, ran, fencedOut };
}

main()
  .then(async (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    await transport.close();
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    await transport.close();
    process.exit(1);
  });
