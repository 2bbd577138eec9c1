/** What the server counts: requests, 429s, limit violations, faults and responses. */
import { FAULT_KINDS, type FaultKind } from '../faults.ts';

/** Counters of a simulation since its start (or its last `resetStats()`). */
export interface SimulationStats {
  requests: { total: number; byEndpoint: Record<string, number> };
  /** Every 429 served: limit violations and injected bursts. */
  served429: number;
  /** Requests over a limit (each answered 429), by bucket. */
  violations: { total: number; byBucket: Record<string, number> };
  /** Faults injected (decisions; requests refused during a 429 burst are not counted again). */
  faultsInjected: { total: number; byKind: Record<FaultKind, number> };
  /** Responses by status code (hung requests that were never answered are not counted). */
  responses: { byStatus: Record<string, number> };
}

/** All counters at zero. */
export function emptyStats(): SimulationStats {
  const byKind = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  return {
    requests: { total: 0, byEndpoint: {} },
    served429: 0,
    violations: { total: 0, byBucket: {} },
    faultsInjected: { total: 0, byKind },
    responses: { byStatus: {} },
  };
}
