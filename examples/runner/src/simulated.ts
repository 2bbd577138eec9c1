/**
 * The offline default: the simulated upstream (`@racesync/simulator`) on loopback HTTP, a memory
 * storage that time-stamps what it stores, and lag figures against the simulator's ground truth.
 * The lag metrics are the day benchmark's (the measuring kit, `@racesync/verify`), reused, not re-implemented.
 */
import type { LagDistribution } from '@racesync/report';
import {
  createScaledClock,
  createSimulation,
  type ListenResult,
  type ScaledClock,
  type Simulation,
  type VirtualClock,
} from '@racesync/simulator';
import { createMemoryStorage, type StorageAdapter } from '@racesync/sync-core';
import {
  recordingStorage,
  resultLag,
  resultLagSamples,
  riderLag,
  signupLag,
  signupLagSamples,
} from '@racesync/verify';
import type { LagFigures } from './summary.ts';

const DAY = 86_400_000;

export interface SimulatedUpstream {
  sim: Simulation;
  /** Virtual (with `--hours`/`--once`: as fast as possible) or scaled (real time × speed). */
  clock: VirtualClock | ScaledClock;
  urls: ListenResult;
  /** Memory storage that records when each change was stored. */
  storage: StorageAdapter;
  /** Simulated time at which the world ends. */
  worldEnd: number;
  lag(
    start: number,
    end: number,
  ): { figures: LagFigures; signupLag: LagDistribution; resultLag: LagDistribution };
  close(): Promise<void>;
}

export async function startSimulatedUpstream(options: {
  seed: number;
  riders: number;
  /** Simulated hours to cover (virtual clock); null = run on a scaled clock at `speed`. */
  hours: number | null;
  speed: number;
}): Promise<SimulatedUpstream> {
  const days = options.hours === null ? 7 : Math.ceil(options.hours / 24) + 1;
  const scaled = options.hours === null ? createScaledClock({ speed: options.speed }) : null;
  const sim = createSimulation({
    seed: options.seed,
    teamSize: options.riders,
    days,
    ...(scaled ? { clock: scaled } : {}),
  });
  const urls = await sim.listen();
  const clock = sim.clock as VirtualClock | ScaledClock;
  const { storage, recording } = recordingStorage(createMemoryStorage(), clock);
  return {
    sim,
    clock,
    urls,
    storage,
    worldEnd: sim.options.start + days * DAY,
    lag(start, end) {
      const truth = sim.truthAt(end);
      const s = signupLag(truth, recording, start, end);
      const r = resultLag(truth, recording, start, end);
      const riders = riderLag(truth, recording, start, end);
      const signupSamples = signupLagSamples(truth, recording, start, end);
      const resultSamples = resultLagSamples(truth, recording, start, end);
      return {
        figures: {
          signups: { ...s.all, missed: s.missed, nearP95Ms: s.near.p95Ms },
          results: { p50Ms: r.p50Ms, p95Ms: r.p95Ms, count: r.count, missed: r.missed },
          riders,
        },
        signupLag: { samplesMs: signupSamples.all, p50Ms: s.all.p50Ms, p95Ms: s.all.p95Ms, missed: s.missed },
        resultLag: { samplesMs: resultSamples.lags, p50Ms: r.p50Ms, p95Ms: r.p95Ms, missed: r.missed },
      };
    },
    close: () => sim.close(),
  };
}
