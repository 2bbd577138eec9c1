/** Fault injection: which requests are faulted and how payloads drift. */

import { SimulatorConfigError } from './config-error.ts';
import { type Rng, stream } from './prng.ts';

export const FAULT_KINDS = ['burst429', 'serverError', 'hang', 'slow', 'truncated', 'drift'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Fraction of eligible responses (0…1) that are faulted. */
  rate: number;
  /**
   * Relative weights of the kinds; a kind with weight 0, or left out when `kinds` is given, never
   * occurs.
   * @default every kind weight 1
   */
  kinds?: Partial<Record<FaultKind, number>>;
  /**
   * A hung request is held until the client aborts, the server closes, or this much clock time
   * passes — then the connection is dropped, like a proxy timeout. `Infinity` holds it for good.
   * @default 600000 (10 min)
   */
  hangMs?: number;
  /**
   * Delay of a slow response (clock ms).
   * @default 20000
   */
  slowMs?: number;
  /**
   * Range of a 429 burst's Retry-After (seconds).
   * @default [2, 20]
   */
  burstSeconds?: [number, number];
}

export interface ResolvedFaults {
  rate: number;
  weights: number[];
  hangMs: number;
  slowMs: number;
  burstSeconds: [number, number];
}

export function resolveFaults(options: FaultOptions | null | undefined): ResolvedFaults {
  const rate = options?.rate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new SimulatorConfigError('faults.rate must be within [0, 1]');
  const kinds = options?.kinds;
  const unknown = Object.keys(kinds ?? {}).filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new SimulatorConfigError(
      `faults.kinds: unknown kind ${unknown.join(', ')} (kinds: ${FAULT_KINDS.join(', ')})`,
    );
  const weights = FAULT_KINDS.map((k) => (kinds ? (kinds[k] ?? 0) : 1));
  if (weights.some((w) => !(w >= 0))) throw new SimulatorConfigError('fault weights must be ≥ 0');
  if (rate > 0 && weights.every((w) => w === 0))
    throw new SimulatorConfigError('faults.kinds has no positive weight');
  return {
    rate,
    weights,
    hangMs: options?.hangMs ?? 10 * 60_000,
    slowMs: options?.slowMs ?? 20_000,
    burstSeconds: options?.burstSeconds ?? [2, 20],
  };
}

/** Decides, per eligible request in arrival order, whether and how it is faulted. */
export class FaultInjector {
  private config: ResolvedFaults;
  private readonly rng: Rng;
  /** Stream for fault parameters (cut points, drift targets), separate from the decisions. */
  readonly params: Rng;

  constructor(seed: number | string, options: FaultOptions | null | undefined) {
    this.config = resolveFaults(options);
    this.rng = stream(seed, 'faults');
    this.params = stream(seed, 'fault-params');
  }

  get settings(): ResolvedFaults {
    return this.config;
  }

  set(options: FaultOptions | null | undefined): void {
    this.config = resolveFaults(options);
  }

  /** Two draws per request, always, so a request sequence maps to the same decisions. */
  decide(): FaultKind | null {
    const u = this.rng.next();
    const v = this.rng.next();
    if (u >= this.config.rate) return null;
    const weights = this.config.weights;
    let total = 0;
    for (const w of weights) total += w;
    let r = v * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return FAULT_KINDS[i] as FaultKind;
    }
    return FAULT_KINDS[weights.findLastIndex((w) => w > 0)] as FaultKind;
  }
}

/** Optional fields removed by drift, per record path. */
const OPTIONAL_PATHS: string[][] = [
  ['power', 'powerRating'],
  ['womens'],
  ['race', 'max30', 'date'],
  ['race', 'max90', 'mixed'],
  ['position'],
  ['ratingDelta'],
  ['user'],
  ['staggeredStart'],
  ['leadInDistance'],
  ['eventSeries'],
];

/** Wrong-type substitutions, first match wins. */
const WRONG_TYPES: [string, unknown][] = [
  ['riderId', 'abc'],
  ['zwid', 'abc'],
  ['weight', 'heavy'],
  ['time', 'soon'],
  ['eventId', 12345],
  ['distance', 'far'],
  ['id', 'x-1'],
  ['expires_in', 'soon'],
];

type Json = Record<string, unknown>;

function records(endpoint: string, body: unknown): Json[] {
  if (Array.isArray(body)) {
    if (endpoint === 'site-signups') return body.flatMap((pen) => ((pen as Json)['riders'] as Json[]) ?? []);
    return body as Json[];
  }
  if (body && typeof body === 'object') {
    const o = body as Json;
    if (Array.isArray(o['riders'])) return o['riders'] as Json[];
    if (Array.isArray(o['results'])) return o['results'] as Json[];
    return [o];
  }
  return [];
}

function deletePath(o: Json, path: string[]): void {
  let cur: unknown = o;
  for (let i = 0; i < path.length - 1; i++) {
    if (!cur || typeof cur !== 'object') return;
    cur = (cur as Json)[path[i] as string];
  }
  if (cur && typeof cur === 'object') delete (cur as Json)[path[path.length - 1] as string];
}

function dropFolloweeCounts(event: Json): void {
  delete event['followeeEntrantCount'];
  const subgroups = event['eventSubgroups'];
  if (Array.isArray(subgroups)) for (const sg of subgroups) delete (sg as Json)['followeeEntrantCount'];
}

/**
 * Schema drift: every record gains unknown fields, about a third lose optional fields, and one
 * record gets a value of the wrong type. Returns the new body, or the original when it has no
 * records.
 */
export function driftBody(endpoint: string, json: string, rng: Rng): string {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return json;
  }
  const list = records(endpoint, body);
  if (list.length === 0) return json;
  for (const r of list) {
    r['_simExtra'] = { note: 'unknown field added by drift', v: 2 };
    r['betaScore'] = Math.round(rng.next() * 1000) / 10;
    if (rng.next() < 0.34) {
      for (const path of OPTIONAL_PATHS) deletePath(r, path);
      // Zwift's search: a missing followee count means "no signal" (never 0) to a client.
      if (endpoint === 'zwift-search') dropFolloweeCounts(r);
    }
  }
  const target = list[Math.floor(rng.next() * list.length)] as Json;
  const wrong = WRONG_TYPES.find(([key]) => key in target);
  if (wrong) target[wrong[0]] = wrong[1];
  else target['name'] = 42;
  return JSON.stringify(body);
}
