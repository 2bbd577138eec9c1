import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createSimulation,
  createVirtualClock,
  type ListenResult,
  type Simulation,
  type VirtualClock,
} from '@racesync/simulator';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  migrate,
  type PostgresStorage,
} from '../../../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from '../../support/db.ts';
import { createLockstep, type Lockstep } from './lockstep.ts';
import type { RunnerConfig } from './runner-child.ts';

const packageDir = fileURLToPath(new URL('../../..', import.meta.url));
const childScript = fileURLToPath(new URL('./runner-child.ts', import.meta.url));

export const MIN = 60_000;
export const HOUR = 60 * MIN;

/**
 * A simulator on loopback on a virtual clock, and the lockstep driver that moves it together with
 * the runner processes added to it (see `lockstep.ts`).
 */
export async function startLockstepSimulation(options: {
  seed: number;
  teamSize: number;
  days: number;
  /** Virtual time starts this long after the world's start. Default 0. */
  offsetMs?: number;
}): Promise<{ sim: Simulation; clock: VirtualClock; urls: ListenResult; lockstep: Lockstep }> {
  const worldStart = Date.UTC(2026, 0, 1);
  const clock = createVirtualClock({ start: worldStart + (options.offsetMs ?? 0), stallTimeoutMs: 0 });
  const sim = createSimulation({
    seed: options.seed,
    start: worldStart,
    teamSize: options.teamSize,
    days: options.days,
    clock,
  });
  const urls = await sim.listen();
  return { sim, clock, urls, lockstep: createLockstep({ clock }) };
}

/** The runner config for a simulator on the lockstep virtual clock (the rest comes from the test). */
export function lockstepRunnerBase(
  clock: VirtualClock,
  urls: ListenResult,
): Pick<RunnerConfig, 'baseUrl' | 'siteBaseUrl' | 'zwiftBaseUrl' | 'apiKey' | 'clubId' | 'start'> {
  return {
    baseUrl: urls.baseUrl,
    siteBaseUrl: urls.siteBaseUrl,
    zwiftBaseUrl: urls.zwiftBaseUrl,
    apiKey: urls.apiKey,
    clubId: urls.clubId,
    start: clock.now(),
  };
}

export interface Runner {
  proc: ChildProcess;
  /** Resolves when the engine started (stdout `ready`). */
  ready: Promise<void>;
  /** Resolves when the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * Spawns one runner process (`node --import tsx runner-child.ts <config>`) with an IPC channel and
 * adds it to `lockstep` (it joins at the next step).
 */
export function spawnRunner(config: RunnerConfig, lockstep: Lockstep): Runner {
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(config)], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  lockstep.add(config.instanceId, proc);
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  proc.stdout?.on('data', (d: Buffer) => {
    stdout += d;
    if (stdout.includes('ready\n')) onReady();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    proc.on('close', (code, signal) => {
      onReady();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { proc, ready, exited };
}

export { seeded } from '@racesync/verify';

/** Warnings and errors a runner logged (JSON lines on stderr), parsed. */
export function runnerLogs(stderr: string): { level: string; message: string; fields?: unknown }[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; message: string; fields?: unknown });
}

/**
 * A fresh schema (named from `prefix`), migrated before the file's tests and dropped after them, an
 * admin connection, and the storage the test reads the runners' results with (set in `beforeAll`).
 */
export function migratedSchema(prefix: string): {
  admin: ReturnType<typeof adminSql>;
  schema: string;
  readonly storage: PostgresStorage;
} {
  const admin = adminSql(2);
  const schema = freshSchemaName(prefix);
  let storage: PostgresStorage | null = null;
  beforeAll(async () => {
    const transport = createPostgresTransport({ connectionString: pgUrl(), max: 2 });
    await migrate({ transport, schema });
    storage = createPostgresStorage({ transport, schema });
  });
  afterAll(async () => {
    await storage?.close();
    await admin.unsafe(`drop schema "${schema}" cascade`);
    await admin.end();
  });
  return {
    admin,
    schema,
    get storage() {
      if (!storage) throw new Error('migratedSchema: the storage is set in beforeAll');
      return storage;
    },
  };
}

/**
 * Spawns `count` runner processes (`config(i)` each), moves the lockstep until they all left, and
 * expects each to have exited with 0 and logged no error; returns their log lines.
 */
export async function runInstances(
  count: number,
  config: (i: number) => RunnerConfig,
  lockstep: Lockstep,
): Promise<{ level: string; message: string; fields?: unknown }[]> {
  const runners = Array.from({ length: count }, (_, i) => spawnRunner(config(i), lockstep));
  await lockstep.run();
  const exits = await Promise.all(runners.map((r) => r.exited));
  for (const [i, exit] of exits.entries()) {
    expect(exit.code, `instance ${i}: ${exit.stderr.slice(-2000)}`).toBe(0);
  }
  const logs = exits.flatMap((e) => runnerLogs(e.stderr));
  // No run lost its lease to another instance mid-run (that would be two runs in one slot).
  expect(logs.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  return logs;
}
