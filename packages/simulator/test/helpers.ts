import { readFileSync } from 'node:fs';
import {
  createSimulation,
  type ListenResult,
  type Simulation,
  type SimulationOptions,
} from '../src/index.ts';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/upstream/${name}.json`, import.meta.url), 'utf8'));
}

export interface Harness {
  sim: Simulation;
  info: ListenResult;
  /** GET/POST through the simulation's tracked fetch; `auth: false` omits the API key. */
  req(
    url: string,
    init?: RequestInit & { auth?: boolean },
  ): Promise<{ status: number; headers: Headers; text: string }>;
  json<T = unknown>(url: string, init?: RequestInit & { auth?: boolean }): Promise<T>;
  close(): Promise<void>;
}

export async function harness(options: SimulationOptions = {}): Promise<Harness> {
  const sim = createSimulation({ days: 2, ...options });
  const info = await sim.listen();
  const req: Harness['req'] = async (url, init = {}) => {
    const { auth = true, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (auth) headers.set('authorization', info.apiKey);
    const res = await sim.fetch(url, { ...rest, headers });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  return {
    sim,
    info,
    req,
    async json<T>(url: string, init?: RequestInit & { auth?: boolean }): Promise<T> {
      const r = await req(url, init);
      if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      return JSON.parse(r.text) as T;
    },
    close: () => sim.close(),
  };
}

/** Path → set of JSON types over every element (arrays as `[]`). */
export function signature(
  value: unknown,
  path = '$',
  out = new Map<string, Set<string>>(),
): Map<string, Set<string>> {
  const t = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  let set = out.get(path);
  if (!set) {
    set = new Set();
    out.set(path, set);
  }
  set.add(t);
  if (Array.isArray(value)) for (const v of value) signature(v, `${path}[]`, out);
  else if (t === 'object')
    for (const [k, v] of Object.entries(value as object)) signature(v, `${path}.${k}`, out);
  return out;
}

export interface ShapeAllowances {
  /** Paths the simulator may serve that the sample does not have. */
  extraPaths?: string[];
  /** Sample paths the simulator may lack (e.g. only in some records). */
  missingPaths?: string[];
  /** Extra types allowed at a path (e.g. race: null). */
  extraTypes?: Record<string, string[]>;
}

/** Differences between the simulator's payload shape and the sample's (empty = same keys and types). */
export function shapeDiff(actual: unknown, sample: unknown, allow: ShapeAllowances = {}): string[] {
  const a = signature(actual);
  const s = signature(sample);
  const problems: string[] = [];
  const under = (p: string, list: string[] = []) =>
    list.some((x) => p === x || p.startsWith(`${x}.`) || p.startsWith(`${x}[]`));
  for (const [path, types] of s) {
    const ours = a.get(path);
    if (!ours) {
      if (!under(path, allow.missingPaths)) problems.push(`missing ${path}`);
      continue;
    }
    for (const t of ours) {
      if (!types.has(t) && !(allow.extraTypes?.[path] ?? []).includes(t))
        problems.push(`type ${t} at ${path} (sample: ${[...types]})`);
    }
  }
  for (const path of a.keys()) {
    if (!s.has(path) && !under(path, allow.extraPaths)) problems.push(`extra ${path}`);
  }
  return problems;
}
