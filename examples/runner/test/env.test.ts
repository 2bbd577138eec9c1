import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/args.ts';
import { parseEnv, secretsOf } from '../src/env.ts';
import { createRedactor } from '../src/output.ts';
import { hintOf } from '../src/session.ts';

const problems = (env: Record<string, string>, target: 'memory' | 'supabase') => {
  const r = parseEnv(env, target);
  return r.ok ? [] : r.problems;
};

describe('environment (zod)', () => {
  it('memory runner: nothing set means the simulated upstream', () => {
    const r = parseEnv({}, 'memory');
    expect(r.ok && r.config.upstream).toBe(null);
  });

  it('memory runner: a key needs a team', () => {
    expect(problems({ ZWIFTRACING_API_KEY: 'zr-key-123456789' }, 'memory')).toEqual([
      expect.stringMatching(/^TEAM_RIDER_IDS or TEAM_CLUB_ID is required — set TEAM_CLUB_ID=/),
    ]);
  });

  it('supabase runner: each missing variable gets one line naming it and the fix', () => {
    const lines = problems({}, 'supabase');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ZWIFTRACING_API_KEY is missing — set it to your ZwiftRacing.app API key/);
    expect(lines[1]).toMatch(/^TEAM_RIDER_IDS or TEAM_CLUB_ID is required/);
    expect(lines[2]).toMatch(/^DATABASE_URL or SUPABASE_URL \+ SUPABASE_SERVICE_ROLE_KEY is required/);
  });

  it('parses a full Supabase configuration; tier defaults to standard; blank counts as unset', () => {
    const r = parseEnv(
      {
        ZWIFTRACING_API_KEY: ' zr-key-123456789 ',
        ZWIFTRACING_TIER: '',
        TEAM_RIDER_IDS: ' 4598636, 5574 ,5574',
        TEAM_CLUB_ID: '20650',
        SUPABASE_URL: 'https://abc.supabase.co',
        SUPABASE_SERVICE_ROLE_KEY: 'service-role-key',
        RACESYNC_REALTIME_CHANNEL: 'racesync',
      },
      'supabase',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.upstream).toEqual({ apiKey: 'zr-key-123456789', tier: 'standard' });
    expect(r.config.team).toEqual({ riderIds: [4598636, 5574], clubId: 20650 });
    expect(r.config.database).toEqual({
      kind: 'supabase',
      url: 'https://abc.supabase.co',
      serviceRoleKey: 'service-role-key',
    });
    expect(r.config.realtimeChannel).toBe('racesync');
    expect(r.config.migrate).toBe(false);
    expect(r.config.schema).toBe('racesync');
  });

  it.each([
    ['0', /item 1 \("0"\) is not a rider id/],
    ['12,1.5', /item 2 \("1.5"\)/],
    ['12,,13', /item 2 \(""\)/],
    ['-4', /item 1 \("-4"\)/],
  ])('TEAM_RIDER_IDS=%s is refused with the position and the fix', (value, message) => {
    const lines = problems({ TEAM_RIDER_IDS: value }, 'memory');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toContain('comma-separated positive integers');
  });

  it('exactly one database: both, or a half-configured Supabase, are refused', () => {
    const base = { ZWIFTRACING_API_KEY: 'zr-key-123456789', TEAM_CLUB_ID: '1' };
    expect(
      problems(
        { ...base, DATABASE_URL: 'postgres://h/db', SUPABASE_URL: 'https://a.supabase.co' },
        'supabase',
      ),
    ).toEqual([
      expect.stringMatching(/^DATABASE_URL and SUPABASE_URL\/SUPABASE_SERVICE_ROLE_KEY are both set/),
    ]);
    expect(problems({ ...base, SUPABASE_URL: 'https://a.supabase.co' }, 'supabase')).toEqual([
      expect.stringMatching(/^SUPABASE_SERVICE_ROLE_KEY is missing .*service-role key/),
    ]);
    expect(problems({ ...base, SUPABASE_SERVICE_ROLE_KEY: 'k-123456' }, 'supabase')).toEqual([
      expect.stringMatching(/^SUPABASE_URL is missing/),
    ]);
    expect(
      problems(
        {
          ...base,
          SUPABASE_URL: 'https://a.supabase.co',
          SUPABASE_SERVICE_ROLE_KEY: 'k',
          RACESYNC_MIGRATE: '1',
        },
        'supabase',
      ),
    ).toEqual([expect.stringMatching(/^RACESYNC_MIGRATE=1 needs DATABASE_URL/)]);
  });

  it('reports every bad variable at once, and never echoes a secret value', () => {
    const env = {
      ZWIFTRACING_API_KEY: 'k3y-x1',
      ZWIFTRACING_TIER: 'gold',
      TEAM_CLUB_ID: 'club-9',
      DATABASE_URL: 'mysql://admin:S3cret-Pass@db.example.com/x',
      RACESYNC_WS_URL: 'http://not-ws',
      RACESYNC_SCHEMA: 'Bad-Name',
    };
    const lines = problems(env, 'supabase');
    expect(lines.map((l) => l.split(' ')[0])).toEqual([
      'ZWIFTRACING_API_KEY',
      'ZWIFTRACING_TIER',
      'TEAM_CLUB_ID',
      'DATABASE_URL',
      'RACESYNC_SCHEMA',
      'RACESYNC_WS_URL',
    ]);
    const text = lines.join('\n');
    expect(text).not.toContain('S3cret-Pass');
    expect(text).not.toContain('mysql://');
    expect(text).not.toContain('k3y-x1');
    expect(lines[3]).toContain('value not shown');
  });

  it('a DATABASE_URL without `//` or a host, or with a bad port or an unencoded #, is rejected unshown (it would be printed as the database)', () => {
    for (const DATABASE_URL of [
      'postgres:S3cretPgPass!word@127.0.0.1:55439/racesync',
      'postgres:/S3cretPgPass!word@127.0.0.1:55439/racesync',
      'postgres://postgres:S3cretPgPass!word@127.0.0.1:99999/racesync',
      'postgres://postgres:S3cret#PgPass@127.0.0.1:5432/racesync',
    ]) {
      const lines = problems({ DATABASE_URL }, 'supabase');
      const line = lines.find((l) => l.startsWith('DATABASE_URL'));
      expect(line).toMatch(/value not shown.*percent-encode/);
      expect(lines.join('\n')).not.toContain('S3cret');
    }
    // The usage example in that message survives the output's redactor (a placeholder, no secret).
    const example = 'postgres://postgres:<password>@db.<project-ref>.supabase.co:5432/postgres';
    expect(createRedactor([])(example)).toBe(example);
    const ok = problems({ DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:5432/racesync' }, 'supabase');
    expect(ok.filter((l) => l.startsWith('DATABASE_URL'))).toEqual([]);
  });

  it('secrets: the key, the service-role key, the database URL and its password (raw and decoded)', () => {
    const secrets = secretsOf({
      ZWIFTRACING_API_KEY: 'zr-key-123456789',
      SUPABASE_SERVICE_ROLE_KEY: 'srk-abcdef',
      DATABASE_URL: 'postgres://u:p%40ss%2Fword@h:5432/db',
    });
    expect(secrets).toEqual(
      expect.arrayContaining(['zr-key-123456789', 'srk-abcdef', 'p%40ss%2Fword', 'p@ss/word']),
    );
    const redact = createRedactor(secrets);
    expect(redact('key zr-key-123456789 and p@ss/word in postgres://u:p%40ss%2Fword@h:5432/db')).toBe(
      'key *** and *** in ***',
    );
    // Unknown connection strings and JWT-shaped tokens are masked too.
    expect(createRedactor([])('postgres://x:other-pw@host/db')).toBe('postgres://x:***@host/db');
    expect(createRedactor([])('token eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.abcdefghijkl')).toBe(
      'token ***',
    );
  });
});

describe('Zwift account (follower feed)', () => {
  const base = { ZWIFTRACING_API_KEY: 'zr-key-123456789', TEAM_CLUB_ID: '20650' };

  it('ZWIFT_USERNAME + ZWIFT_PASSWORD with a key: the account (and its token endpoint) for the feed', () => {
    for (const target of ['memory', 'supabase'] as const) {
      const r = parseEnv(
        {
          ...base,
          ...(target === 'supabase' ? { DATABASE_URL: 'postgres://u@h/db' } : {}),
          ZWIFT_USERNAME: 'captain@example.com',
          ZWIFT_PASSWORD: 'zw-pa55-word',
          ZWIFT_AUTH_BASE_URL: 'http://127.0.0.1:9/zwift-auth',
        },
        target,
      );
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.config.zwift).toEqual({
        username: 'captain@example.com',
        password: 'zw-pa55-word',
        authBaseUrl: 'http://127.0.0.1:9/zwift-auth',
      });
    }
  });

  it('no account, or no API key (the simulated upstream brings its own with --follow): no feed', () => {
    const none = parseEnv(base, 'memory');
    expect(none.ok && none.config.zwift).toBe(null);
    const simulated = parseEnv(
      { ZWIFT_USERNAME: 'captain@example.com', ZWIFT_PASSWORD: 'zw-pa55-word' },
      'memory',
    );
    expect(simulated.ok && simulated.config.zwift).toBe(null);
  });

  it('half an account is refused, naming the missing variable; the password is never echoed', () => {
    expect(problems({ ...base, ZWIFT_USERNAME: 'captain@example.com' }, 'memory')).toEqual([
      expect.stringMatching(/^ZWIFT_PASSWORD is missing — ZWIFT_USERNAME is set/),
    ]);
    const lines = problems({ ...base, ZWIFT_PASSWORD: 'zw-pa55-word' }, 'memory');
    expect(lines).toEqual([expect.stringMatching(/^ZWIFT_USERNAME is missing — ZWIFT_PASSWORD is set/)]);
    expect(lines.join('\n')).not.toContain('zw-pa55-word');
    const bad = problems(
      { ...base, ZWIFT_USERNAME: 'x'.repeat(400), ZWIFT_PASSWORD: 'zw-pa55-word' },
      'memory',
    );
    expect(bad).toEqual([expect.stringMatching(/^ZWIFT_USERNAME is too long .*value not shown/)]);
    expect(bad.join('\n')).not.toContain('xxxxxxxxxx');
  });

  it('the Zwift password and login are secrets (redacted from all output)', () => {
    const secrets = secretsOf({ ZWIFT_USERNAME: 'captain@example.com', ZWIFT_PASSWORD: 'zw-pa55-word' });
    expect(secrets).toEqual(expect.arrayContaining(['captain@example.com', 'zw-pa55-word']));
    expect(createRedactor(secrets)('login captain@example.com / zw-pa55-word')).toBe('login *** / ***');
  });
});

describe('flags', () => {
  it('parses values, ignores a bare `--` (pnpm start -- …)', () => {
    const a = parseArgs(['--', '--hours', '2', '--report=out/r.html', '--seed', '7', '--verbose']);
    expect(a).toMatchObject({
      hours: 2,
      report: 'out/r.html',
      seed: 7,
      verbose: true,
      once: false,
      speed: 60,
    });
  });

  it.each([
    [['--bogus'], /unknown flag --bogus/],
    [['--hours', 'x'], /--hours needs a positive number/],
    [['--hours'], /--hours needs a value/],
    [['--once', '--hours', '1'], /cannot be combined/],
    [['--report', 'r.txt'], /ending in .html/],
    [['--riders', '2.5'], /positive integer/],
    [['--speed', '1e9'], /--speed is at most 100000 \(got 1000000000\)/],
  ])('%j → usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('--due is a Supabase-runner flag', () => {
    expect(() => parseArgs(['--due'], { due: false })).toThrow(/unknown flag --due/);
    expect(parseArgs(['--due']).due).toBe(true);
  });

  it('--follow is a memory-runner flag', () => {
    expect(() => parseArgs(['--follow'], { due: true, follow: false })).toThrow(/unknown flag --follow/);
    expect(parseArgs(['--follow']).follow).toBe(true);
    expect(parseArgs([]).follow).toBe(false);
  });
});

describe('hints after a failed run', () => {
  it('an auth failure of the follow job points at the Zwift account, of the other jobs at the API key', () => {
    expect(hintOf('follow', 'auth')).toMatch(/ZWIFT_USERNAME and ZWIFT_PASSWORD/);
    expect(hintOf('follow', 'auth')).not.toMatch(/ZWIFTRACING_API_KEY/);
    expect(hintOf('team', 'auth')).toMatch(/ZWIFTRACING_API_KEY/);
    expect(hintOf('events', 'transient')).toBe('');
  });
});
