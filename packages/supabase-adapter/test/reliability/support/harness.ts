import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createSimulation,
  createVirtualClock,
  type ListenResult,
  type Simulation,
  type VirtualClock,
} from '@racesync/simulator';
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
