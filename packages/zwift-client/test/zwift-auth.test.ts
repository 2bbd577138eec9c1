import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  type BucketSpec,
  ConfigError,
  createMemoryRateLimitStore,
  createZwiftClient,
  RateLimitError,
  type ResponseEvent,
  storeKey,
  TransientError,
  ZWIFT_TOKEN_NAMESPACE,
  type ZwiftTokenRequest,
  zwiftAccountNamespace,
} from '../src/index.ts';
import { settle } from './helpers/clock.ts';
import { setup, ZWIFT } from './helpers/setup.ts';
import {
  accountSetup,
  hourFrom,
  PASSWORD,
  seen,
  TOKEN_PATH,
  type TokenRequestSeen,
  tokenResponse,
  USERNAME,
  ZWIFT_AUTH,
} from './helpers/zwift-account.ts';

let stops: (() => void)[] = [];
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  for (const s of stops) s();
  stops = [];
  nock.cleanAll();
});

function env(...args: Parameters<typeof accountSetup>) {
  const e = accountSetup(...args);
  stops.push(e.stop);
  return e;
}

/** A token endpoint answering `answers` in order (each a status and body), recording every request. */
function tokenEndpoint(...answers: [number, unknown, Record<string, string>?][]) {
  const requests: TokenRequestSeen[] = [];
  let scope = nock(ZWIFT_AUTH);
  for (const [status, body, headers] of answers) {
    scope = scope.post(TOKEN_PATH).reply(async (request: Request) => {
      requests.push(await seen(request));
      return [status, body, { 'content-type': 'application/json', ...headers }];
    });
  }
  return { requests, scope };
}

/** The search endpoint answering `statuses` in order (200 → `[]`), recording the Bearer tokens. */
function searchEndpoint(...statuses: number[]) {
  const bearers: (string | undefined)[] = [];
  let scope = nock(ZWIFT);
  for (const status of statuses) {
    scope = scope
      .post('/api/events/search')
      .query(true)
      .reply((request: Request) => {
        bearers.push(request.headers.get('authorization') ?? undefined);
        return [status, status === 200 ? [] : { message: 'no' }];
      });
  }
  return { bearers, scope };
}

const grants = (requests: TokenRequestSeen[]) => requests.map((r) => r.form['grant_type']);

describe('Zwift login: the password grant and the Bearer token', () => {
  it('token request: form body with client_id Zwift_Mobile_Link, no Authorization; API call: Bearer <access_token>', async () => {
    const { client, clock } = env();
    const token = tokenResponse();
    const auth = tokenEndpoint([200, token]);
    const search = searchEndpoint(200);
    await client.zwift.events.search(hourFrom(clock.now()));
    expect(auth.requests).toHaveLength(1);
    const [request] = auth.requests;
    expect(request!.form).toEqual({
      client_id: 'Zwift_Mobile_Link',
      grant_type: 'password',
      username: USERNAME,
      password: PASSWORD,
    });
    expect(request!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request!.headers['accept']).toBe('application/json');
    expect(request!.headers['authorization']).toBeUndefined();
    expect(search.bearers).toEqual([`Bearer ${token.access_token}`]);
    expect(auth.scope.isDone() && search.scope.isDone()).toBe(true);
  });

  it('the token is cached until shortly before expires_in ends (virtual clock), then renewed with the refresh token', async () => {
    const { client, clock } = env({}, { auto: false });
    const first = tokenResponse({ expiresIn: 600 }); // renewed a tenth of its life ahead: at 540 s
    const second = tokenResponse({ expiresIn: 600 });
    const auth = tokenEndpoint([200, first], [200, second]);
    const search = searchEndpoint(200, 200, 200);
    const t0 = clock.now();
    await client.zwift.events.search(hourFrom(clock.now()));
    await clock.advance(539_999);
    await client.zwift.events.search(hourFrom(clock.now()));
    expect(auth.requests).toHaveLength(1); // still cached 1 ms before the renewal point
    await clock.advance(1);
    await client.zwift.events.search(hourFrom(clock.now()));
    expect(clock.now() - t0).toBe(540_000);
    expect(grants(auth.requests)).toEqual(['password', 'refresh_token']);
    expect(auth.requests[1]!.form).toEqual({
      client_id: 'Zwift_Mobile_Link',
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    });
    expect(auth.requests[1]!.rawBody).not.toContain(encodeURIComponent(PASSWORD));
    expect(search.bearers).toEqual([
      `Bearer ${first.access_token}`,
      `Bearer ${first.access_token}`,
      `Bearer ${second.access_token}`,
    ]);
  });

  it('single flight: 30 concurrent calls needing a token make ONE token request', async () => {
    const { client, clock } = env();
    const token = tokenResponse();
    const auth = tokenEndpoint([200, token]);
    const search = searchEndpoint(...Array.from({ length: 30 }, () => 200));
    await Promise.all(Array.from({ length: 30 }, () => client.zwift.events.search(hourFrom(clock.now()))));
    expect(auth.requests).toHaveLength(1);
    expect(search.bearers).toHaveLength(30);
    expect(new Set(search.bearers)).toEqual(new Set([`Bearer ${token.access_token}`]));
  });

  it('401 from the API: the token is renewed once (refresh grant) and the call retried once → success (one concurrency slot is enough)', async () => {
    const events: ResponseEvent[] = [];
    const { client, clock, logs } = env({ onResponse: (e) => events.push(e), concurrency: 1 });
    const first = tokenResponse();
    const second = tokenResponse();
    const auth = tokenEndpoint([200, first], [200, second]);
    const search = searchEndpoint(401, 200);
    const result = await client.zwift.events.search(hourFrom(clock.now()));
    expect(result).toEqual({ events: [], truncated: false, skipped: [] });
    expect(grants(auth.requests)).toEqual(['password', 'refresh_token']);
    expect(search.bearers).toEqual([`Bearer ${first.access_token}`, `Bearer ${second.access_token}`]);
    expect(events.map((e) => [e.endpoint, e.bucket, e.status, e.attempt])).toEqual([
      ['zwift.auth.token', 'zwift-auth', 200, 1],
      ['zwift.events.search', 'zwift-search', 401, 1],
      ['zwift.auth.token', 'zwift-auth', 200, 1],
      ['zwift.events.search', 'zwift-search', 200, 2],
    ]);
    expect(logs.some((l) => l.level === 'warn' && /HTTP 401; renewing the Zwift token/.test(l.message))).toBe(
      true,
    );
  });

  it('401 again after the renewal → AuthError (kind auth, status 401); two API requests, two token requests', async () => {
    const { client, clock } = env();
    const auth = tokenEndpoint([200, tokenResponse()], [200, tokenResponse()]);
    const search = searchEndpoint(401, 401);
    const error = await client.zwift.events.search(hourFrom(clock.now())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ kind: 'auth', status: 401, endpoint: 'zwift.events.search' });
    expect(search.bearers).toHaveLength(2);
    expect(auth.requests).toHaveLength(2);
  });

  it('403 from the API → AuthError at once: no renewal, no retry', async () => {
    const { client, clock, calls } = env();
    const auth = tokenEndpoint([200, tokenResponse()]);
    searchEndpoint(403);
    const error = await client.zwift.events.search(hourFrom(clock.now())).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth', status: 403 });
    expect((error as Error).message).toMatch(/locked/);
    expect(auth.requests).toHaveLength(1);
    expect(calls()).toBe(2); // the token request and the one API request
  });

  it('wrong password (token endpoint 401 invalid_grant) → AuthError without password or username; never tried again', async () => {
    const { client, clock, calls, logs } = env();
    tokenEndpoint([401, { error: 'invalid_grant', error_description: 'Invalid user credentials' }]);
    const error = await client.zwift.events.search(hourFrom(clock.now())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ kind: 'auth', status: 401, endpoint: 'zwift.auth.token' });
    expect((error as Error).message).toContain('invalid_grant — Invalid user credentials');
    const text = `${(error as Error).message} ${JSON.stringify(error)} ${(error as Error).stack}`;
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(USERNAME);
    expect(calls()).toBe(1);
    // the refusal is final for this client: later calls reject at once, without any request
    const again = await client.zwift.subgroups.entrants(1, { type: 'following' }).catch((e: unknown) => e);
    expect(again).toMatchObject({ kind: 'auth', status: 401, endpoint: 'zwift.auth.token' });
    expect((again as Error).message).toMatch(/not retried/);
    expect(calls()).toBe(1);
    expect(logs.some((l) => l.level === 'error' && /not tried again/.test(l.message))).toBe(true);
  });

  it('a locked account (token endpoint 403 account_locked) → AuthError, never retried', async () => {
    const { client, clock, calls } = env();
    tokenEndpoint([403, { error: 'account_locked' }]);
    const error = await client.zwift.events.search(hourFrom(clock.now())).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth', status: 403 });
    expect((error as Error).message).toMatch(/account_locked.*locked/);
    await expect(client.zwift.events.search(hourFrom(clock.now()))).rejects.toMatchObject({ kind: 'auth' });
    expect(calls()).toBe(1);
  });

  it('a refused refresh (400 invalid_grant) falls back to the password grant', async () => {
    const { client, clock, logs } = env({}, { auto: false });
    const first = tokenResponse({ expiresIn: 600 });
    const third = tokenResponse();
    const auth = tokenEndpoint([200, first], [400, { error: 'invalid_grant' }], [200, third]);
    const search = searchEndpoint(200, 200);
    await client.zwift.events.search(hourFrom(clock.now()));
    await clock.advance(540_000);
    await client.zwift.events.search(hourFrom(clock.now()));
    expect(grants(auth.requests)).toEqual(['password', 'refresh_token', 'password']);
    expect(search.bearers[1]).toBe(`Bearer ${third.access_token}`);
    expect(
      logs.some((l) =>
        /refused the refresh token \(HTTP 400\); logging in with the password/.test(l.message),
      ),
    ).toBe(true);
  });

  it('a refresh token past refresh_expires_in is not sent: straight to the password grant', async () => {
    const { client, clock } = env({}, { auto: false });
    const auth = tokenEndpoint(
      [200, tokenResponse({ expiresIn: 3600, refreshExpiresIn: 1800 })],
      [200, tokenResponse()],
    );
    searchEndpoint(200, 200);
    await client.zwift.events.search(hourFrom(clock.now()));
    await clock.advance(3_600_000);
    await client.zwift.events.search(hourFrom(clock.now()));
    expect(grants(auth.requests)).toEqual(['password', 'password']);
  });

  it('a token answer without refresh_token: the password grant again when the token expires', async () => {
    const { client, clock } = env({}, { auto: false });
    const auth = tokenEndpoint(
      [200, tokenResponse({ refresh: false, expiresIn: 300 })],
      [200, tokenResponse()],
    );
    searchEndpoint(200, 200);
    await client.zwift.events.search(hourFrom(clock.now()));
    await clock.advance(300_000);
    await client.zwift.events.search(hourFrom(clock.now()));
    expect(grants(auth.requests)).toEqual(['password', 'password']);
  });

  it('a refresh that fails on 5xx while the token is still valid: the current token is used, with a warning', async () => {
    const { client, clock, logs } = env({}, { auto: false });
    const first = tokenResponse({ expiresIn: 600 });
    const auth = tokenEndpoint([200, first], [503, { error: 'unavailable' }]);
    const search = searchEndpoint(200, 200);
    await client.zwift.events.search(hourFrom(clock.now()));
    await clock.advance(550_000);
    await client.zwift.events.search(hourFrom(clock.now()));
    expect(grants(auth.requests)).toEqual(['password', 'refresh_token']);
    expect(search.bearers).toEqual([`Bearer ${first.access_token}`, `Bearer ${first.access_token}`]);
    expect(logs.some((l) => l.level === 'warn' && /using the current one/.test(l.message))).toBe(true);
  });

  it('token endpoint 5xx → TransientError after ONE request (never retried there); the next call tries again', async () => {
    const { client, clock } = env();
    const auth = tokenEndpoint([502, 'bad gateway'], [200, tokenResponse()]);
    searchEndpoint(200);
    const error = await client.zwift.events.search(hourFrom(clock.now())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ endpoint: 'zwift.auth.token', status: 502 });
    expect(auth.requests).toHaveLength(1);
    await client.zwift.events.search(hourFrom(clock.now()));
    expect(auth.requests).toHaveLength(2);
  });

  it('zwift-auth bucket: 3 token requests per hour; a call that cannot get one within maxWaitMs fails fast', async () => {
    const { client, clock, calls } = env({}, { auto: false });
    tokenEndpoint([500, 'x'], [500, 'x'], [500, 'x']);
    for (let i = 0; i < 3; i++) {
      await expect(client.zwift.events.search(hourFrom(clock.now()))).rejects.toBeInstanceOf(TransientError);
      await clock.advance(60_000);
    }
    expect(calls()).toBe(3);
    const state = await client.rateLimits.state('zwift-auth');
    expect(state).toMatchObject({ bucket: 'zwift-auth', capacity: 3, intervalMs: 3_600_000, available: 0 });
    const error = await client.zwift.events
      .search(hourFrom(clock.now()), { maxWaitMs: 60_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    // the first grant (t0) leaves the window at t0 + 1 h; now is t0 + 3 min
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000 - 180_000);
    expect(calls()).toBe(3);
  });

  it('token endpoint 429 with Retry-After → RateLimitError and the zwift-auth bucket blocked (no retry)', async () => {
    const { client, clock, calls } = env();
    tokenEndpoint([429, { error: 'slow_down' }, { 'Retry-After': '120' }]);
    const t0 = clock.now();
    const error = await client.zwift.events.search(hourFrom(t0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ endpoint: 'zwift.auth.token', retryAfterMs: 120_000, status: 429 });
    expect(calls()).toBe(1);
    const state = await client.rateLimits.state('zwift-auth');
    expect(state.blockedUntil).toBe(t0 + 120_000);
  });

  it('a malformed token answer → ValidationError without an excerpt (the body holds tokens)', async () => {
    const { client, clock } = env();
    tokenEndpoint([
      200,
      { access_token: 'eyJSECRET-ACCESS', expires_in: 'soon', refresh_token: 'eyJSECRET-REFRESH' },
    ]);
    const error = await client.zwift.events.search(hourFrom(clock.now())).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'validation',
      endpoint: 'zwift.auth.token',
      path: 'expires_in',
      excerpt: '',
    });
    expect(JSON.stringify(error)).not.toContain('eyJSECRET');
  });
});

describe('token provider (zwiftAuth: { token })', () => {
  it('a string token: Bearer on every call, the provider asked once; a 401 asks again with reason "rejected"', async () => {
    const asked: ZwiftTokenRequest[] = [];
    const tokens = ['provided-1', 'provided-2'];
    const e = setup({
      zwiftAuth: {
        token: async (request) => {
          asked.push(request);
          return tokens.shift()!;
        },
      },
      limits: { 'zwift-search': { capacity: 100, intervalMs: 60_000 } },
    });
    stops.push(e.stop);
    const search = searchEndpoint(200, 200, 401, 200);
    await Promise.all([
      e.client.zwift.events.search(hourFrom(e.clock.now())),
      e.client.zwift.events.search(hourFrom(e.clock.now())),
    ]);
    await e.client.zwift.events.search(hourFrom(e.clock.now()));
    expect(asked).toEqual([{ reason: 'missing' }, { reason: 'rejected' }]);
    expect(search.bearers).toEqual([
      'Bearer provided-1',
      'Bearer provided-1',
      'Bearer provided-1',
      'Bearer provided-2',
    ]);
  });

  it('{ accessToken, expiresAt }: asked again shortly before expiresAt (on the client clock) with reason "expiring"', async () => {
    const asked: string[] = [];
    let n = 0;
    const e = setup(
      {
        zwiftAuth: {
          token: async ({ reason }) => {
            asked.push(reason);
            n++;
            return { accessToken: `p-${n}`, expiresAt: e.clock.now() + 1_200_000 };
          },
        },
      },
      { auto: false },
    );
    const search = searchEndpoint(200, 200, 200);
    await e.client.zwift.events.search(hourFrom(e.clock.now()));
    await e.clock.advance(1_139_999); // renewed 60 s ahead of a 20-minute token
    await e.client.zwift.events.search(hourFrom(e.clock.now()));
    await e.clock.advance(1);
    await e.client.zwift.events.search(hourFrom(e.clock.now()));
    expect(asked).toEqual(['missing', 'expiring']);
    expect(search.bearers).toEqual(['Bearer p-1', 'Bearer p-1', 'Bearer p-2']);
  });

  it('the provider never runs twice at once: a caller that leaves does not restart it, the next one joins it', async () => {
    let asked = 0;
    let give!: (token: string) => void;
    const e = setup({
      zwiftAuth: {
        token: () => {
          asked++;
          return new Promise<string>((resolve) => (give = resolve));
        },
      },
    });
    stops.push(e.stop);
    const search = searchEndpoint(200);
    const leaving = new AbortController();
    const left = e.client.zwift.events.search(hourFrom(e.clock.now()), { signal: leaving.signal });
    await settle();
    leaving.abort('gone');
    await expect(left).rejects.toBe('gone');
    const next = e.client.zwift.events.search(hourFrom(e.clock.now()));
    await settle();
    give('slow-token');
    await next;
    expect(asked).toBe(1);
    expect(search.bearers).toEqual(['Bearer slow-token']);
  });

  it('a provider that throws → AuthError (no status, no cause); a bad answer → ConfigError naming zwiftAuth.token', async () => {
    let answer: () => Promise<unknown> = async () => {
      throw new Error('vault unreachable');
    };
    const e = setup({ zwiftAuth: { token: () => answer() as Promise<string> } });
    stops.push(e.stop);
    const failed = await e.client.zwift.events.search(hourFrom(e.clock.now())).catch((x: unknown) => x);
    expect(failed).toBeInstanceOf(AuthError);
    expect(failed).toMatchObject({ kind: 'auth', status: undefined });
    expect((failed as Error).message).toContain('vault unreachable');
    expect((failed as Error).cause).toBeUndefined();
    for (const bad of [{ accessToken: '' }, { accessToken: 'x', expiresAt: 'later' }, 42, null]) {
      answer = async () => bad;
      await expect(e.client.zwift.events.search(hourFrom(e.clock.now()))).rejects.toMatchObject({
        kind: 'config',
        option: 'zwiftAuth.token',
      });
    }
    expect(e.calls()).toBe(0);
  });
});

describe('configuration and bucket keys', () => {
  it('without zwiftAuth the follower-feed methods and buckets → ConfigError naming zwiftAuth (no request)', async () => {
    const e = setup();
    stops.push(e.stop);
    await expect(e.client.zwift.events.search(hourFrom(e.clock.now()))).rejects.toMatchObject({
      kind: 'config',
      option: 'zwiftAuth',
      endpoint: 'zwift.events.search',
    });
    await expect(e.client.zwift.subgroups.entrants(5, { type: 'all' })).rejects.toMatchObject({
      option: 'zwiftAuth',
    });
    for (const bucket of ['zwift-auth', 'zwift-search', 'zwift-entrants'] as const) {
      await expect(e.client.rateLimits.state(bucket)).rejects.toMatchObject({ option: 'zwiftAuth' });
    }
    expect(e.calls()).toBe(0);
  });

  it('zwiftAuth is checked up front; the error names the field and never echoes a value', () => {
    const cases: [unknown, string][] = [
      ['me:pw', 'zwiftAuth'],
      [{ username: '', password: PASSWORD }, 'zwiftAuth.username'],
      [{ username: USERNAME, password: '' }, 'zwiftAuth.password'],
      [{ username: USERNAME }, 'zwiftAuth.password'],
      [{ token: 'abc' }, 'zwiftAuth.token'],
      [{ token: async () => 't', account: ' ' }, 'zwiftAuth.account'],
      [{ token: async () => 't', username: USERNAME, password: PASSWORD }, 'zwiftAuth'],
    ];
    for (const [zwiftAuth, option] of cases) {
      let error: unknown;
      try {
        createZwiftClient({ zwiftAuth: zwiftAuth as never });
      } catch (e) {
        error = e;
      }
      expect(error, option).toBeInstanceOf(ConfigError);
      expect(error, option).toMatchObject({ option });
      expect(JSON.stringify(error)).not.toContain(PASSWORD);
      expect(JSON.stringify(error)).not.toContain(USERNAME);
    }
    expect(() => createZwiftClient({ zwiftAuthBaseUrl: 'ftp://x' })).toThrow(/zwiftAuthBaseUrl/);
  });

  it('storeKey: the Zwift-account buckets take the account namespace (null without one)', () => {
    expect(storeKey('zwift-search', 'abc', 'acct')).toBe('acct:zwift-search');
    expect(storeKey('zwift-auth', 'abc', null)).toBeNull();
    expect(storeKey('riders', 'abc', 'acct')).toBe('abc:riders');
    expect(storeKey('zwift', null, 'acct')).toBe('zwift:zwift');
    expect(ZWIFT_TOKEN_NAMESPACE).toBe('zwift-token');
  });

  it('bucket store keys: sha256 prefix of the trimmed, lower-cased username; a provider’s account; else "zwift-token"', async () => {
    const keys: string[] = [];
    const inner = createMemoryRateLimitStore();
    const store = {
      ...inner,
      take: (key: string, spec: BucketSpec, now: number) => {
        keys.push(key);
        return inner.take(key, spec, now);
      },
    };
    const ns = zwiftAccountNamespace(USERNAME);
    expect(ns).toMatch(/^[0-9a-f]{12}$/);
    expect(zwiftAccountNamespace(`  ${USERNAME.toUpperCase()} `)).toBe(ns);
    const e = accountSetup({ rateLimitStore: store });
    stops.push(e.stop);
    tokenEndpoint([200, tokenResponse()]);
    searchEndpoint(200);
    await e.client.zwift.events.search(hourFrom(e.clock.now()));
    expect(keys).toEqual([`${ns}:zwift-auth`, `${ns}:zwift-search`]);
    expect(keys.join()).not.toContain(USERNAME);

    keys.length = 0;
    for (const [auth, prefix] of [
      [{ token: async () => 't1', account: USERNAME }, ns],
      [{ token: async () => 't2' }, 'zwift-token'],
    ] as const) {
      const p = setup({ zwiftAuth: auth, rateLimitStore: store });
      stops.push(p.stop);
      searchEndpoint(200);
      await p.client.zwift.events.search(hourFrom(p.clock.now()));
      expect(keys.pop()).toBe(`${prefix}:zwift-search`);
    }
  });

  it('rateLimits.state and rateLimits.table cover the new buckets (defaults from the contract; limits override)', async () => {
    const e = setup({
      zwiftAuth: { username: USERNAME, password: PASSWORD },
      limits: { 'zwift-entrants': { capacity: 4, intervalMs: 30_000 } },
    });
    stops.push(e.stop);
    expect(e.client.rateLimits.table['zwift-auth']).toEqual({ capacity: 3, intervalMs: 3_600_000 });
    expect(e.client.rateLimits.table['zwift-search']).toEqual({ capacity: 2, intervalMs: 60_000 });
    expect(e.client.rateLimits.table['zwift-entrants']).toEqual({ capacity: 4, intervalMs: 30_000 });
    await expect(e.client.rateLimits.state('zwift-search')).resolves.toEqual({
      bucket: 'zwift-search',
      capacity: 2,
      intervalMs: 60_000,
      available: 2,
      nextAvailableAt: e.clock.now(),
      blockedUntil: null,
    });
    await settle();
  });
});
