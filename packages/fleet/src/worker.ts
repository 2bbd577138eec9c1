import { randomUUID } from 'node:crypto';
import {
  connectionStringRedactor,
  createPostgresStorage,
  createPostgresTransport,
  type PostgresStorage,
  type RpcTransport,
} from '@racesync/supabase-adapter';
import {
  resolvePolicy,
  type StorageAdapter,
  type SyncEngine,
  type SyncPolicyInput,
} from '@racesync/sync-core';
import {
  createEventsJob,
  createJobEngine,
  createResultsJob,
  createRidersJob,
  createTeamJob,
  type Job,
} from '@racesync/sync-core/internal';
import {
  type Clock,
  createZwiftClient,
  type Logger,
  systemClock,
  type ZwiftClientOptions,
} from '@racesync/zwift-client';
import { PgBoss } from 'pg-boss';
import postgres, { type Sql } from 'postgres';
import { FleetError } from './errors.js';
import { type Scope, scopedStorage, scopePrefix, type Track } from './scoped-storage.js';
import { identifier } from './sql.js';
import { type FleetTeam, fleetTeams } from './teams.js';

/** The pg-boss queue every fleet job goes through. */
export const FLEET_QUEUE = 'racesync-fleet';

/**
 * The payload of a fleet job: which scope, which of sync-core's jobs. The world runs `events` and
 * `results`, a team `team` (its roster), a key (`keyEnv`: the environment variable teams read their
 * API key from) `riders` for all the teams with that key.
 */
export interface FleetJobData {
  scope: 'world' | 'team' | 'key';
  teamId?: string;
  keyEnv?: string;
  job: 'events' | 'results' | 'team' | 'riders';
}

/** Options of {@link createFleetWorker}. */
export interface FleetWorkerOptions {
  /** PostgreSQL connection string (the storage, the teams table and pg-boss). Required. Never logged. */
  databaseUrl: string;
  /**
   * Schema of racesync's storage and the fleet tables.
   * @default 'racesync'
   */
  schema?: string;
  /**
   * Schema of pg-boss's tables.
   * @default 'racesync_boss'
   */
  bossSchema?: string;
  /**
   * Names this worker in leases, run ids and the job-run audit.
   * @default `fleet-` and 8 random hex digits
   */
  workerId?: string;
  /**
   * Time source (`now()`, `sleep(ms, signal)`): the worker's loop, the engines and the clients.
   * @default the system clock
   */
  clock?: Clock;
  /**
   * Reads an API key from its reference (the team's `apiKeyEnv`).
   * @default the environment variable of that name
   */
  resolveApiKey?: (ref: string) => string | undefined;
  /**
   * Reference (environment variable name) of the key the world's jobs (event feed, signup lists,
   * results) use.
   * @default the first enabled team's key (by team id)
   */
  worldApiKeyEnv?: string;
  /**
   * Options for every upstream client (base URLs, `fetch`, limits…); `apiKey`, `tier`, `clock`,
   * `rateLimitStore` and `logger` are the worker's.
   * @default {}
   */
  client?: Omit<ZwiftClientOptions, 'apiKey' | 'tier' | 'clock' | 'rateLimitStore' | 'logger'>;
  /**
   * sync-core's scheduling policy, for every scope.
   * @default DEFAULT_POLICY
   */
  policy?: SyncPolicyInput;
  /**
   * How often the loop checks for due jobs and fetches work (ms of `clock`).
   * @default 10_000
   */
  tickMs?: number;
  /**
   * How often the teams table is re-read (teams added, changed or removed while running), ms.
   * @default 60_000
   */
  reconcileMs?: number;
  /**
   * Jobs one worker runs at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * pg-boss heartbeat: a job whose worker sent no heartbeat for this long (real seconds) is failed
   * and retried elsewhere — how a SIGKILLed worker's job comes back. At least 10.
   * @default 10
   */
  heartbeatSeconds?: number;
  /**
   * How often pg-boss's supervisor looks for dead jobs (real seconds).
   * @default 2
   */
  superviseIntervalSeconds?: number;
  /**
   * Structured logger (pino's `(fields, message)` order). Keys and the database URL are never logged.
   * @default silent
   */
  logger?: Logger;
  /**
   * Wraps every database call and job run of the worker so a virtual clock sees it in flight (tests).
   * @default identity
   */
  track?: Track;
  /**
   * Called when this worker starts a job (its key, e.g. `world/events`, `team/t1/team`, `key/ZR_KEY_T1/riders`).
   * @default none
   */
  onJobStart?: (jobKey: string) => void;
  /**
   * Storage transport (to wrap calls, or to use supabase-js).
   * @default a postgres.js pool on `databaseUrl`
   */
  transport?: RpcTransport;
}

/** A running fleet worker. */
export interface FleetWorker {
  /** Starts pg-boss and the loop; resolves once started. */
  start(): Promise<void>;
  /** Stops gracefully (in-flight jobs finish their storage batches); resolves when stopped. */
  stop(): Promise<void>;
  /** One pass: re-read teams if due, schedule due jobs, run what this worker fetched. */
  tick(signal?: AbortSignal): Promise<{ scheduled: number; ran: number }>;
  /** The shared storage (the world's rows and every team's). */
  readonly storage: PostgresStorage;
  /** A team's view of the storage (its members, their signups), e.g. for checks. */
  teamStorage(teamId: string): StorageAdapter;
  readonly workerId: string;
}

interface ScopeEngine {
  engine: SyncEngine;
  storage: StorageAdapter;
  signature: string;
}

const silent: Logger = {};

/** Creates a fleet worker: any number of them, on any machines that reach the database. */
export function createFleetWorker(options: FleetWorkerOptions): FleetWorker {
  if (typeof options.databaseUrl !== 'string' || options.databaseUrl.length === 0)
    throw new FleetError('config', 'databaseUrl is required');
  const schema = identifier(options.schema ?? 'racesync', 'schema');
  const bossSchema = identifier(options.bossSchema ?? 'racesync_boss', 'bossSchema');
  const workerId = options.workerId ?? `fleet-${randomUUID().slice(0, 8)}`;
  const clock = options.clock ?? systemClock;
  const track: Track = options.track ?? ((p) => p);
  const logger = options.logger ?? silent;
  const tickMs = options.tickMs ?? 10_000;
  const reconcileMs = options.reconcileMs ?? 60_000;
  const concurrency = options.concurrency ?? 4;
  const heartbeatSeconds = options.heartbeatSeconds ?? 10;
  const resolveKey = options.resolveApiKey ?? ((ref: string) => process.env[ref]);
  const policy = resolvePolicy(options.policy);
  for (const [name, v] of [
    ['tickMs', tickMs],
    ['reconcileMs', reconcileMs],
    ['concurrency', concurrency],
  ] as const) {
    if (!(Number.isInteger(v) && v > 0)) throw new FleetError('config', `${name} must be a positive integer`);
  }
  if (!(Number.isInteger(heartbeatSeconds) && heartbeatSeconds >= 10))
    throw new FleetError('config', 'heartbeatSeconds must be an integer >= 10');

  const sql: Sql = postgres(options.databaseUrl, { max: 4, onnotice: () => {} });
  const direct =
    options.transport ?? createPostgresTransport({ connectionString: options.databaseUrl, max: 4 });
  const transport: RpcTransport = {
    kind: direct.kind,
    call: (fn, args) => track(direct.call(fn, args)),
    close: () => direct.close(),
  };
  const storage = createPostgresStorage({ transport, schema });
  const teams = fleetTeams(sql, schema);
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: bossSchema,
    max: 3,
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? 2,
    monitorIntervalSeconds: options.superviseIntervalSeconds ?? 2,
    schedule: false,
  });
  const redact = connectionStringRedactor(options.databaseUrl);
  const messageOf = (error: unknown) => redact(error instanceof Error ? error.message : String(error));
  boss.on('error', (error: Error) => logger.warn?.({ error: messageOf(error) }, 'pg-boss error'));

  const clients = new Map<string, ReturnType<typeof createZwiftClient>>();
  const clientFor = (ref: string, tier: 'standard' | 'premium') => {
    const cacheKey = `${ref}|${tier}`;
    let client = clients.get(cacheKey);
    if (!client) {
      const apiKey = resolveKey(ref);
      if (!apiKey) throw new FleetError('missing_key', `no API key in the environment variable named ${ref}`);
      client = createZwiftClient({
        ...options.client,
        apiKey,
        tier,
        clock,
        rateLimitStore: storage.rateLimitStore,
        logger,
      });
      clients.set(cacheKey, client);
    }
    return client;
  };

  let teamList: FleetTeam[] = [];
  let teamsReadAt = Number.NEGATIVE_INFINITY;
  const engines = new Map<string, ScopeEngine>();
  /** Results with team riders the world's results job stored in the run in progress. */
  const landed: { at: number; riderIds: readonly number[] }[] = [];
  /** Keys whose teams gained members (from a configured list) in the run in progress. */
  const joined: { keyEnv: string; at: number }[] = [];

  const viewOf = (scope: Scope) => scopedStorage({ base: storage, sql, schema, scope, track });

  /** A job without its `needs`: the scope has no team job of its own (the teams' fill the roster). */
  const free = (job: Job): Job => ({
    name: job.name,
    ...(job.load ? { load: (ctx) => job.load!(ctx) } : {}),
    run: (ctx) => job.run(ctx),
  });

  /** The engine of one scope (`key` in `engines`), made again when its signature changed. */
  const engineOf = (
    key: string,
    signature: string,
    scope: Scope,
    client: { ref: string; tier: 'standard' | 'premium' },
    jobs: Parameters<typeof createJobEngine>[0]['jobs'],
  ): ScopeEngine => {
    const known = engines.get(key);
    if (known && known.signature === signature) return known;
    const view = viewOf(scope);
    const engine = createJobEngine({
      source: clientFor(client.ref, client.tier),
      storage: view,
      clock,
      logger,
      policy,
      jobs,
      instanceId: workerId,
      maxWaitMs: 0,
      useLeases: true,
    });
    const made = { engine, storage: view, signature };
    engines.set(key, made);
    return made;
  };

  const engineFor = (data: FleetJobData): ScopeEngine => {
    if (data.scope === 'world') {
      const worldTeam = teamList.find((t) => t.enabled);
      const ref = options.worldApiKeyEnv ?? worldTeam?.apiKeyEnv;
      if (!ref) throw new FleetError('config', 'no enabled team and no worldApiKeyEnv: nothing to sync');
      const tier = options.worldApiKeyEnv ? 'standard' : (worldTeam?.tier ?? 'standard');
      // The world's jobs need no team job of their own: the teams' team jobs fill the roster.
      return engineOf('world', `world|${ref}|${tier}`, { kind: 'world' }, { ref, tier }, (pull) => [
        free(createEventsJob({ onResultsQueued: (dueAt) => pull('results', dueAt) })),
        free(createResultsJob({ onTeamResults: (at, riderIds) => landed.push({ at, riderIds }) })),
      ]);
    }
    if (data.scope === 'key') {
      const keyEnv = data.keyEnv ?? '';
      const sharing = teamList.filter((t) => t.apiKeyEnv === keyEnv);
      if (sharing.length === 0)
        throw new FleetError('not_found', `no enabled team reads its key from ${keyEnv}`);
      // One key has one tier: premium only when every team with it says so.
      const tier = sharing.every((t) => t.tier === 'premium') ? 'premium' : 'standard';
      // The teams' team jobs fill the roster the riders job reads.
      return engineOf(
        `key/${keyEnv}`,
        `key|${keyEnv}|${tier}`,
        { kind: 'key', keyEnv },
        { ref: keyEnv, tier },
        () => [free(createRidersJob())],
      );
    }
    const team = teamList.find((t) => t.teamId === data.teamId);
    if (!team) throw new FleetError('not_found', `no team ${data.teamId}`);
    return engineOf(
      `team/${team.teamId}`,
      JSON.stringify(team),
      { kind: 'team', teamId: team.teamId },
      { ref: team.apiKeyEnv, tier: team.tier },
      () => [
        createTeamJob(
          { ...(team.clubId !== null ? { clubId: team.clubId } : {}), riderIds: team.riderIds },
          { onMembersAdded: (at) => joined.push({ keyEnv: team.apiKeyEnv, at }) },
        ),
      ],
    );
  };

  /** Brings `jobKeys` forward to `at` (persisted: whichever worker schedules next sends them). */
  const pull = async (jobKeys: string, params: unknown[]) =>
    track(
      sql.unsafe(
        `insert into ${schema}.fleet_job_pulls (job_key, due_at) ${jobKeys}
         on conflict (job_key) do update set due_at = greatest(${schema}.fleet_job_pulls.due_at, excluded.due_at)`,
        params as never[],
      ),
    );

  /**
   * Ratings move after races: the riders job of every key with a team rider in results that landed
   * is due `riders.afterResultsDelayMs` after them (as in the single-team engine); a later landing
   * moves it later. New members of a configured list pull their key's riders job to now.
   */
  const pullRiders = async () => {
    for (const { at, riderIds } of landed.splice(0)) {
      await pull(
        `select distinct 'key/' || t.api_key_env || '/riders', $2::timestamptz
           from ${schema}.fleet_team_members m join ${schema}.fleet_teams t on t.team_id = m.team_id
          where t.enabled and m.rider_id = any($1::bigint[])`,
        [riderIds.map(String), new Date(at + policy.riders.afterResultsDelayMs)],
      );
    }
    for (const { keyEnv, at } of joined.splice(0)) {
      await pull(`values ($1, $2::timestamptz)`, [`key/${keyEnv}/riders`, new Date(at)]);
    }
  };

  const readTeams = async (now: number) => {
    if (now - teamsReadAt < reconcileMs) return;
    teamList = (await track(teams.list())).filter((t) => t.enabled);
    teamsReadAt = now;
    const live = new Set([
      'world',
      ...teamList.map((t) => `team/${t.teamId}`),
      ...teamList.map((t) => `key/${t.apiKeyEnv}`),
    ]);
    for (const key of engines.keys()) if (!live.has(key)) engines.delete(key);
  };

  /** Sends every due job (pg-boss `exclusive` + singletonKey: at most one queued or active per job). */
  const schedule = async (now: number): Promise<number> => {
    if (teamList.length === 0) return 0;
    const states = new Map((await storage.getJobStates()).map((s) => [s.job, s]));
    const due = (name: string) => {
      const st = states.get(name);
      return st === undefined || st.nextDueAt === null || st.nextDueAt <= now;
    };
    const pulled = new Set(
      (
        await track(
          sql.unsafe<{ job_key: string }[]>(
            `select job_key from ${schema}.fleet_job_pulls where due_at <= $1`,
            [new Date(now)] as never[],
          ),
        )
      ).map((row) => row.job_key),
    );
    const wanted: FleetJobData[] = [];
    if (due('world/events')) wanted.push({ scope: 'world', job: 'events' });
    const resultJobs = await storage.listResultJobs();
    if (due('world/results') || resultJobs.some((j) => j.dueAt <= now))
      wanted.push({ scope: 'world', job: 'results' });
    for (const team of teamList) {
      if (due(`${scopePrefix({ kind: 'team', teamId: team.teamId })}team`))
        wanted.push({ scope: 'team', teamId: team.teamId, job: 'team' });
    }
    // One riders job per key: the teams that share a key share its bulk calls (1000 riders each).
    for (const keyEnv of new Set(teamList.map((t) => t.apiKeyEnv))) {
      const name = `${scopePrefix({ kind: 'key', keyEnv })}riders`;
      if (due(name) || pulled.has(name)) wanted.push({ scope: 'key', keyEnv, job: 'riders' });
    }
    let sent = 0;
    for (const data of wanted) {
      const id = await track(boss.send(FLEET_QUEUE, { ...data }, { singletonKey: keyOf(data) }));
      if (id) sent++;
    }
    return sent;
  };

  const keyOf = (data: FleetJobData) =>
    data.scope === 'world'
      ? `world/${data.job}`
      : data.scope === 'team'
        ? `team/${data.teamId}/${data.job}`
        : `key/${data.keyEnv}/${data.job}`;

  const runJob = async (job: { id: string; data: FleetJobData }, signal: AbortSignal | undefined) => {
    const key = keyOf(job.data);
    // pg-boss heartbeat on real time: a live worker keeps its claim however slow a run is.
    const beat = setInterval(
      () => void boss.touch(FLEET_QUEUE, job.id).catch(() => undefined),
      Math.max(1000, (heartbeatSeconds * 1000) / 4),
    );
    let runRow: number | null = null;
    try {
      const rows = await track(
        sql.unsafe<{ id: string }[]>(
          `insert into ${schema}.fleet_job_runs (job_key, worker, virtual_started_at) values ($1, $2, $3) returning id::text`,
          [key, workerId, new Date(clock.now())] as never[],
        ),
      );
      runRow = Number(rows[0]?.id);
      options.onJobStart?.(key);
      const scope = engineFor(job.data);
      // This run serves the pulls due by its start.
      await track(
        sql.unsafe(`delete from ${schema}.fleet_job_pulls where job_key = $1 and due_at <= $2`, [
          key,
          new Date(clock.now()),
        ] as never[]),
      );
      const summaries = await track(scope.engine.runOnce(job.data.job, signal ? { signal } : undefined));
      if (landed.length > 0 || joined.length > 0) await pullRiders();
      await track(
        sql.unsafe(
          `update ${schema}.fleet_job_runs set finished_at = clock_timestamp(), status = $2 where id = $1`,
          [runRow, summaries.map((s) => s.status).join(',') || 'skipped'] as never[],
        ),
      );
      await track(boss.complete(FLEET_QUEUE, job.id));
    } catch (error) {
      logger.warn?.({ job: key, error: messageOf(error) }, 'fleet job failed; pg-boss retries it');
      if (runRow !== null) {
        await track(
          sql.unsafe(
            `update ${schema}.fleet_job_runs set finished_at = clock_timestamp(), status = 'error' where id = $1`,
            [runRow] as never[],
          ),
        ).catch(() => undefined);
      }
      await track(boss.fail(FLEET_QUEUE, job.id, { message: messageOf(error) })).catch(() => undefined);
    } finally {
      clearInterval(beat);
    }
  };

  const tick = async (signal?: AbortSignal) => {
    const now = clock.now();
    await readTeams(now);
    const scheduled = await schedule(now);
    const jobs = await track(boss.fetch<FleetJobData>(FLEET_QUEUE, { batchSize: concurrency }));
    await Promise.all(jobs.map((j) => runJob(j, signal)));
    return { scheduled, ran: jobs.length };
  };

  let loop: Promise<void> | null = null;
  let stopper: AbortController | null = null;

  return {
    workerId,
    storage,
    teamStorage: (teamId) => viewOf({ kind: 'team', teamId }),
    tick,
    async start() {
      if (loop) return;
      const failed =
        (what: string) =>
        async (error: unknown): Promise<never> => {
          await boss.stop({ graceful: false, close: true }).catch(() => undefined);
          throw new FleetError('database', `${what}: ${messageOf(error)}`, { cause: error });
        };
      await track(boss.start()).catch(failed('could not start the job queue (pg-boss)'));
      await track(
        boss.createQueue(FLEET_QUEUE, {
          policy: 'exclusive',
          heartbeatSeconds,
          retryLimit: 2,
          expireInSeconds: 3600,
        }),
      ).catch((error: Error) => {
        if (!/exist/i.test(error.message)) return failed(`could not create the queue ${FLEET_QUEUE}`)(error);
      });
      const stop = new AbortController();
      stopper = stop;
      loop = (async () => {
        while (!stop.signal.aborted) {
          try {
            await tick(stop.signal);
          } catch (error) {
            logger.warn?.({ error: messageOf(error) }, 'fleet tick failed');
          }
          try {
            await clock.sleep(tickMs, stop.signal);
          } catch {
            // stopped
          }
        }
      })();
    },
    async stop() {
      stopper?.abort(new DOMException('worker stopped', 'AbortError'));
      await loop;
      loop = null;
      await boss.stop({ graceful: true, close: true }).catch(() => undefined);
      await sql.end({ timeout: 5 });
      await storage.close();
    },
  };
}
