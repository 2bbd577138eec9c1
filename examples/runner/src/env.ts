/**
 * Configuration from environment variables, validated with zod. Every bad or missing value becomes
 * ONE line naming the variable and the fix; secret values are never echoed (not even a bad one).
 */
import { z } from 'zod';

export type Tier = 'standard' | 'premium';

export type DatabaseConfig =
  | { kind: 'postgres'; url: string }
  | { kind: 'supabase'; url: string; serviceRoleKey: string };

export interface RunnerConfig {
  /** null: no API key — the memory runner simulates the upstream. */
  upstream: {
    apiKey: string;
    tier: Tier;
    baseUrl?: string;
    siteBaseUrl?: string;
    zwiftBaseUrl?: string;
  } | null;
  team: { riderIds?: number[]; clubId?: number } | null;
  /**
   * A Zwift account (ZWIFT_USERNAME + ZWIFT_PASSWORD) for the follower feed, with a real API key;
   * null: the site-only planner.
   */
  zwift: { username: string; password: string; authBaseUrl?: string } | null;
  database: DatabaseConfig | null;
  migrate: boolean;
  schema: string;
  wsUrl: string | null;
  realtimeChannel: string | null;
}

export type EnvResult =
  | { ok: true; config: RunnerConfig; secrets: string[] }
  | { ok: false; problems: string[]; secrets: string[] };

/** Every variable the runners read (the README's table). */
export const ENV_VARS = [
  'ZWIFTRACING_API_KEY',
  'ZWIFTRACING_TIER',
  'TEAM_RIDER_IDS',
  'TEAM_CLUB_ID',
  'SUPABASE_URL',
  'SUPABASE_SERVICE_ROLE_KEY',
  'DATABASE_URL',
  'RACESYNC_MIGRATE',
  'RACESYNC_SCHEMA',
  'RACESYNC_WS_URL',
  'RACESYNC_REALTIME_CHANNEL',
  'ZWIFTRACING_BASE_URL',
  'ZWIFTRACING_SITE_BASE_URL',
  'ZWIFTRACING_ZWIFT_BASE_URL',
  'ZWIFT_USERNAME',
  'ZWIFT_PASSWORD',
  'ZWIFT_AUTH_BASE_URL',
] as const;

const isOn = (v: string | undefined) => v === '1' || v === 'true' || v === 'yes';

/** Blank or whitespace-only counts as unset (as in most .env files). */
const blankToUndefined = (v: unknown) =>
  typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v;
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const isUrl = (value: string, protocols: string[]) => {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

const httpUrl = (name: string, example: string) =>
  z.string().refine((v) => isUrl(v, ['http:', 'https:']), {
    message: `is not an http(s) URL — set it to e.g. ${name}=${example}`,
  });

const positiveId = (what: string, example: string) =>
  z.string().transform((value, ctx) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a ${what} — use a positive integer, e.g. ${example}`,
      });
      return z.NEVER;
    }
    return n;
  });

const schema = z
  .object({
    ZWIFTRACING_API_KEY: optional(
      z
        .string()
        .min(8, { message: 'looks too short to be an API key — paste the whole ZwiftRacing.app key' }),
    ),
    ZWIFTRACING_TIER: optional(
      z.enum(['standard', 'premium'], {
        message: 'must be "standard" or "premium" — use your API key\'s tier, or leave it unset for standard',
      }),
    ),
    TEAM_RIDER_IDS: optional(
      z.string().transform((value, ctx) => {
        const ids: number[] = [];
        for (const [i, raw] of value.split(',').entries()) {
          const token = raw.trim();
          const n = Number(token);
          if (!/^\d+$/.test(token) || !Number.isSafeInteger(n) || n <= 0) {
            ctx.addIssue({
              code: 'custom',
              message: `item ${i + 1} ("${token.slice(0, 20)}") is not a rider id — use comma-separated positive integers, e.g. TEAM_RIDER_IDS=4598636,5574`,
            });
            return z.NEVER;
          }
          ids.push(n);
        }
        return [...new Set(ids)];
      }),
    ),
    TEAM_CLUB_ID: optional(positiveId('club id', 'TEAM_CLUB_ID=20650')),
    SUPABASE_URL: optional(httpUrl('SUPABASE_URL', 'https://<project-ref>.supabase.co')),
    SUPABASE_SERVICE_ROLE_KEY: optional(z.string()),
    DATABASE_URL: optional(
      // `//` and a host required: `new URL('postgres:secret@host/db')` parses (as an opaque path),
      // and such a value would be printed as the database's description.
      z
        .string()
        .refine(
          (v) =>
            /^postgres(?:ql)?:\/\/[^/?#\s]/i.test(v) &&
            isUrl(v, ['postgres:', 'postgresql:']) &&
            new URL(v).hostname !== '',
          {
            message:
              'is not a postgres://user:password@host:port/database connection string (value not shown): check the `//`, the port, and percent-encode special characters in the password (# as %23, @ as %40, / as %2F) — e.g. postgres://postgres:<password>@db.<project-ref>.supabase.co:5432/postgres',
          },
        ),
    ),
    RACESYNC_MIGRATE: optional(
      z.enum(['1', '0', 'true', 'false', 'yes', 'no'], {
        message: 'must be 1 (apply the migrations first) or 0 — e.g. RACESYNC_MIGRATE=1',
      }),
    ),
    RACESYNC_SCHEMA: optional(
      z.string().regex(/^(?!pg_)[a-z_][a-z0-9_]{0,62}$/, {
        message:
          'must be a lower-case identifier ([a-z_][a-z0-9_]*, not pg_…) — e.g. RACESYNC_SCHEMA=racesync',
      }),
    ),
    RACESYNC_WS_URL: optional(
      z.string().refine((v) => isUrl(v, ['ws:', 'wss:']), {
        message: 'is not a ws:// or wss:// URL — e.g. RACESYNC_WS_URL=ws://127.0.0.1:8080/racesync',
      }),
    ),
    RACESYNC_REALTIME_CHANNEL: optional(
      z.string().regex(/^[A-Za-z0-9_:.-]{1,100}$/, {
        message:
          'must be a channel name (letters, digits, _ : . -) — e.g. RACESYNC_REALTIME_CHANNEL=racesync',
      }),
    ),
    ZWIFTRACING_BASE_URL: optional(httpUrl('ZWIFTRACING_BASE_URL', 'https://api.zwiftracing.app/api')),
    ZWIFTRACING_SITE_BASE_URL: optional(httpUrl('ZWIFTRACING_SITE_BASE_URL', 'https://zwiftracing.app')),
    ZWIFTRACING_ZWIFT_BASE_URL: optional(
      httpUrl('ZWIFTRACING_ZWIFT_BASE_URL', 'https://us-or-rly101.zwift.com'),
    ),
    ZWIFT_USERNAME: optional(
      z.string().max(320, {
        message:
          'is too long to be a Zwift login (value not shown) — use the e-mail address you log in to Zwift with',
      }),
    ),
    // Never echoed, not even its length.
    ZWIFT_PASSWORD: optional(z.string()),
    ZWIFT_AUTH_BASE_URL: optional(httpUrl('ZWIFT_AUTH_BASE_URL', 'https://secure.zwift.com')),
  })
  .loose();

type Present = Partial<Record<(typeof ENV_VARS)[number], string>>;

/**
 * Cross-variable rules, on which variables are set (not whether each is valid: that is the
 * schema's job), so every problem is reported in one go. `target` says which runner reads them.
 */
function crossCheck(env: Present, target: 'memory' | 'supabase'): [string, string][] {
  const problems: [string, string][] = [];
  const keyed = env.ZWIFTRACING_API_KEY !== undefined;
  if (target === 'supabase' && !keyed) {
    problems.push([
      'ZWIFTRACING_API_KEY',
      'is missing — set it to your ZwiftRacing.app API key (sent as the Authorization header, never printed)',
    ]);
  }
  if (
    (target === 'supabase' || keyed) &&
    env.TEAM_RIDER_IDS === undefined &&
    env.TEAM_CLUB_ID === undefined
  ) {
    problems.push([
      'TEAM_RIDER_IDS',
      'or TEAM_CLUB_ID is required — set TEAM_CLUB_ID=<your club id> and/or TEAM_RIDER_IDS=<id>,<id>,…',
    ]);
  }
  if (env.ZWIFT_USERNAME !== undefined && env.ZWIFT_PASSWORD === undefined) {
    problems.push([
      'ZWIFT_PASSWORD',
      "is missing — ZWIFT_USERNAME is set, so set the Zwift account's password too (never printed), or unset ZWIFT_USERNAME to run without the follower feed",
    ]);
  } else if (env.ZWIFT_PASSWORD !== undefined && env.ZWIFT_USERNAME === undefined) {
    problems.push([
      'ZWIFT_USERNAME',
      'is missing — ZWIFT_PASSWORD is set, so set the Zwift login (e-mail) too, or unset ZWIFT_PASSWORD to run without the follower feed',
    ]);
  }
  if (target === 'supabase') {
    const supabase = env.SUPABASE_URL !== undefined || env.SUPABASE_SERVICE_ROLE_KEY !== undefined;
    if (env.DATABASE_URL !== undefined && supabase) {
      problems.push([
        'DATABASE_URL',
        'and SUPABASE_URL/SUPABASE_SERVICE_ROLE_KEY are both set — use one: DATABASE_URL (direct connection) or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY',
      ]);
    } else if (env.DATABASE_URL === undefined && !supabase) {
      problems.push([
        'DATABASE_URL',
        'or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY is required — set DATABASE_URL=postgres://… or both Supabase variables',
      ]);
    } else if (supabase && env.SUPABASE_URL === undefined) {
      problems.push([
        'SUPABASE_URL',
        "is missing — set it to your project's API URL, e.g. https://<project-ref>.supabase.co",
      ]);
    } else if (supabase && env.SUPABASE_SERVICE_ROLE_KEY === undefined) {
      problems.push([
        'SUPABASE_SERVICE_ROLE_KEY',
        "is missing — set it to the project's service-role key (Project Settings → API; never the anon key)",
      ]);
    }
    if (isOn(env.RACESYNC_MIGRATE) && env.DATABASE_URL === undefined && supabase) {
      problems.push([
        'RACESYNC_MIGRATE',
        '=1 needs DATABASE_URL (migrations run over a direct connection) — run once with DATABASE_URL, or apply them with `supabase db push`',
      ]);
    }
    if (env.RACESYNC_REALTIME_CHANNEL !== undefined && !supabase) {
      problems.push([
        'RACESYNC_REALTIME_CHANNEL',
        'needs SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY (Realtime broadcasts go through the Supabase API) — set them, or unset it',
      ]);
    }
  }
  return problems;
}

/**
 * The values that must never be printed: API key, service-role key, database URL and its password,
 * the Zwift password and login.
 */
export function secretsOf(env: Record<string, string | undefined>): string[] {
  const secrets: string[] = [];
  for (const name of [
    'ZWIFTRACING_API_KEY',
    'SUPABASE_SERVICE_ROLE_KEY',
    'DATABASE_URL',
    'ZWIFT_PASSWORD',
    'ZWIFT_USERNAME',
  ]) {
    const v = env[name]?.trim();
    if (v) secrets.push(v);
  }
  const url = env.DATABASE_URL?.trim();
  if (url) {
    try {
      const parsed = new URL(url);
      if (parsed.password) secrets.push(parsed.password, decodeURIComponent(parsed.password));
    } catch {
      // not a URL: the whole value is already a secret
    }
  }
  return [...new Set(secrets.filter((s) => s.length >= 3))];
}

/** Parses the environment for the memory runner (`memory`) or the Supabase runner (`supabase`). */
export function parseEnv(env: Record<string, string | undefined>, target: 'memory' | 'supabase'): EnvResult {
  const secrets = secretsOf(env);
  const parsed = schema.safeParse(env);
  const lines = new Map<string, string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      if (!lines.has(name)) lines.set(name, `${name} ${issue.message}`);
    }
  }
  const present: Present = {};
  for (const name of ENV_VARS) {
    const value = blankToUndefined(env[name]);
    if (typeof value === 'string') present[name] = value;
  }
  for (const [name, message] of crossCheck(present, target)) {
    if (!lines.has(name)) lines.set(name, `${name}${message.startsWith('=') ? '' : ' '}${message}`);
  }
  if (!parsed.success || lines.size > 0) return { ok: false, problems: [...lines.values()], secrets };

  const e = parsed.data;
  const keyed = e.ZWIFTRACING_API_KEY !== undefined;
  const team =
    e.TEAM_RIDER_IDS !== undefined || e.TEAM_CLUB_ID !== undefined
      ? {
          ...(e.TEAM_RIDER_IDS !== undefined ? { riderIds: e.TEAM_RIDER_IDS } : {}),
          ...(e.TEAM_CLUB_ID !== undefined ? { clubId: e.TEAM_CLUB_ID } : {}),
        }
      : null;
  let database: DatabaseConfig | null = null;
  if (target === 'supabase') {
    database =
      e.DATABASE_URL !== undefined
        ? { kind: 'postgres', url: e.DATABASE_URL }
        : { kind: 'supabase', url: e.SUPABASE_URL!, serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY! };
  }
  return {
    ok: true,
    secrets,
    config: {
      upstream: keyed
        ? {
            apiKey: e.ZWIFTRACING_API_KEY!,
            tier: e.ZWIFTRACING_TIER ?? 'standard',
            ...(e.ZWIFTRACING_BASE_URL ? { baseUrl: e.ZWIFTRACING_BASE_URL } : {}),
            ...(e.ZWIFTRACING_SITE_BASE_URL ? { siteBaseUrl: e.ZWIFTRACING_SITE_BASE_URL } : {}),
            ...(e.ZWIFTRACING_ZWIFT_BASE_URL ? { zwiftBaseUrl: e.ZWIFTRACING_ZWIFT_BASE_URL } : {}),
          }
        : null,
      team,
      zwift:
        keyed && e.ZWIFT_USERNAME !== undefined && e.ZWIFT_PASSWORD !== undefined
          ? {
              username: e.ZWIFT_USERNAME,
              password: e.ZWIFT_PASSWORD,
              ...(e.ZWIFT_AUTH_BASE_URL ? { authBaseUrl: e.ZWIFT_AUTH_BASE_URL } : {}),
            }
          : null,
      database,
      migrate: isOn(e.RACESYNC_MIGRATE),
      schema: e.RACESYNC_SCHEMA ?? 'racesync',
      wsUrl: e.RACESYNC_WS_URL ?? null,
      realtimeChannel: e.RACESYNC_REALTIME_CHANNEL ?? null,
    },
  };
}
