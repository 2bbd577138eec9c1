import { inspect } from 'node:util';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createZwiftClient, ZwiftApiError } from '../src/index.ts';
import { settle } from './helpers/clock.ts';
import { hangingFetch } from './helpers/hanging-fetch.ts';
import { API_KEY, BASE, setup, ZWIFT } from './helpers/setup.ts';
import {
  accountSetup,
  hourFrom,
  PASSWORD,
  TOKEN_PATH,
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

function serialise(value: unknown): string {
  const parts = [inspect(value, { depth: 20, showHidden: true, getters: true })];
  try {
    parts.push(JSON.stringify(value));
  } catch {
    // cyclic: inspect covers it
  }
  if (value instanceof Error) {
    parts.push(value.message, String(value.stack));
    let cause: unknown = value.cause;
    for (let i = 0; i < 10 && cause !== undefined; i++) {
      parts.push(inspect(cause, { depth: 20, showHidden: true }));
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return parts.join('\n');
}

describe('the API key never leaks', () => {
  it('through errors of every kind and through the logs', async () => {
    const e = setup({ limits: { results: { capacity: 100, intervalMs: 60_000 } } });
    stops.push(e.stop);
    const { client, logs } = e;
    const errors: unknown[] = [];
    const echo = { message: `invalid key ${API_KEY}`, key: API_KEY };
    nock(BASE)
      .get('/api/public/results/401')
      .reply(401, echo)
      .get('/api/public/results/400')
      .reply(400, echo)
      .get('/api/public/results/429')
      .reply(429, { ...echo, retryAfter: 3600 })
      .get('/api/public/results/500')
      .times(4)
      .reply(500, echo)
      .get('/api/public/results/bad-json')
      .reply(200, `{"oops": "${API_KEY}"`)
      .get('/api/public/results/bad-shape')
      .reply(200, { results: `${API_KEY}` })
      .get('/api/public/results/net')
      .times(4)
      .replyWithError(Object.assign(new Error(`connect failed for ${API_KEY}`), { code: 'ECONNREFUSED' }));
    for (const id of ['401', '400', '429', '500', 'bad-json', 'bad-shape', 'net']) {
      errors.push(await client.results.forEvent(id).catch((err: unknown) => err));
    }
    // a record skipped because of a field holding the key
    nock(BASE)
      .post('/api/public/riders')
      .reply(200, [
        { riderId: 1, name: 'ok' },
        { riderId: 2, name: 3, note: API_KEY },
      ]);
    const many = await client.riders.getMany([1, 2]);
    expect(many.skipped).toHaveLength(1);

    expect(errors.every((err) => err instanceof ZwiftApiError)).toBe(true);
    expect(errors.map((err) => (err as ZwiftApiError).kind)).toEqual([
      'auth',
      'validation',
      'rate_limited',
      'transient',
      'validation',
      'validation',
      'transient',
    ]);
    for (const err of errors) expect(serialise(err)).not.toContain(API_KEY);
    expect(serialise(many)).not.toContain(API_KEY);
    expect(serialise(many.skipped)).toContain('[redacted]');
    expect(logs.length).toBeGreaterThan(5);
    expect(serialise(logs)).not.toContain(API_KEY);
  });

  it('a custom fetch that throws errors holding the key and headers', async () => {
    let thrownWith = '';
    const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const headers: Record<string, string> = {};
      new Headers(input instanceof Request ? input.headers : init?.headers).forEach((v, k) => {
        headers[k] = v;
      });
      thrownWith = JSON.stringify(headers);
      const error = new TypeError(`fetch failed (${JSON.stringify(headers)})`);
      (error as Error & { cause?: unknown }).cause = { code: 'EAI_AGAIN', request: input, headers };
      throw error;
    }) as typeof fetch;
    const e = setup({ fetch: fetchImpl, retry: { limit: 0 } });
    stops.push(e.stop);
    const error = await e.client.riders.get(1).catch((err: unknown) => err);
    expect(thrownWith).toContain(API_KEY); // the raw error really held the key
    expect(error).toMatchObject({ kind: 'transient' });
    expect(serialise(error)).not.toContain(API_KEY);
    expect(serialise(e.logs)).not.toContain(API_KEY);
  });

  it('timeouts, aborts and config errors', async () => {
    const hanging = hangingFetch();
    const e = setup({ fetch: hanging.fetch, retry: { limit: 0 }, timeoutMs: 1000 }, { auto: false });
    const outcome = e.client.riders.get(1).catch((err: unknown) => err);
    await settle();
    await e.clock.advance(1000);
    const timeout = await outcome;
    expect(timeout).toMatchObject({ kind: 'timeout' });
    expect(serialise(timeout)).not.toContain(API_KEY);
    let config: unknown;
    try {
      createZwiftClient({ apiKey: API_KEY, timeoutMs: -1 });
    } catch (err) {
      config = err;
    }
    expect(config).toMatchObject({ kind: 'config', option: 'timeoutMs' });
    expect(serialise(config)).not.toContain(API_KEY);
    // the client object itself does not expose the key either
    expect(serialise(e.client)).not.toContain(API_KEY);
  });
});

describe('the Zwift password, username and tokens never leak', () => {
  /** Every form a secret can take in text: as is, JSON-escaped, percent- and form-encoded. */
  const formsOf = (secret: string): string[] => [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ];
  /** Every string reachable from `value` (own properties, non-enumerable ones of errors too), as is. */
  const stringsIn = (value: unknown, out: string[] = [], seen = new Set<unknown>()): string[] => {
    if (typeof value === 'string') out.push(value);
    else if (typeof value === 'object' && value !== null && !seen.has(value)) {
      seen.add(value);
      for (const key of Object.getOwnPropertyNames(value)) {
        stringsIn((value as Record<string, unknown>)[key], out, seen);
      }
    }
    return out;
  };
  /** Neither the serialised value (JSON, inspect) nor any string inside it holds a secret in any form. */
  const expectClean = (value: unknown, secrets: string[]): void => {
    const texts = [serialise(value), ...stringsIn(value)];
    for (const text of texts) {
      for (const secret of secrets) for (const form of formsOf(secret)) expect(text).not.toContain(form);
    }
  };

  it('through errors of every kind, skipped records, logs (debug included), request events and the client itself', async () => {
    const events: unknown[] = [];
    const e = accountSetup({
      onRequest: (event) => events.push(event),
      onResponse: (event) => events.push(event),
      limits: { 'zwift-search': { capacity: 100, intervalMs: 60_000 } },
    });
    stops.push(e.stop);
    const { client, clock, logs } = e;
    const first = tokenResponse(); // 6 h: outlives the 429's one-hour block below
    const second = tokenResponse();
    const secrets = [
      USERNAME,
      PASSWORD,
      first.access_token,
      first.refresh_token!,
      second.access_token,
      second.refresh_token!,
    ];
    // an upstream that echoes whatever it got: the form body, the Bearer header
    const form = new URLSearchParams({ username: USERNAME, password: PASSWORD }).toString();
    const echo = (extra: Record<string, unknown> = {}) => ({
      // short enough to fit a 200-character excerpt whole
      message: `${PASSWORD} ${USERNAME}`,
      form,
      token: first.access_token,
      ...extra,
    });
    nock(ZWIFT_AUTH).post(TOKEN_PATH).reply(200, first).post(TOKEN_PATH).reply(200, second);
    const errors: unknown[] = [];
    nock(ZWIFT)
      .post('/api/events/search')
      .query(true)
      .reply(200, [{ id: 1, name: 'ok', eventStart: '2025-06-01T22:30:00.000+0000' }, echo({ id: null })])
      .post('/api/events/search')
      .query(true)
      .reply(400, echo())
      .post('/api/events/search')
      .query(true)
      .times(4)
      .reply(500, echo())
      .post('/api/events/search')
      .query(true)
      .reply(429, echo({ retryAfter: 3600 }))
      .post('/api/events/search')
      .query(true)
      .reply(200, `{"truncated": "${first.access_token}`)
      .post('/api/events/search')
      .query(true)
      .reply(401, echo())
      .post('/api/events/search')
      .query(true)
      .reply(403, echo());
    const search = () => client.zwift.events.search(hourFrom(clock.now()));
    const ok = await search();
    expect(ok.skipped).toHaveLength(1);
    for (let i = 0; i < 5; i++) errors.push(await search().catch((err: unknown) => err));
    nock(ZWIFT).get('/api/events/subgroups/entrants/9').query(true).reply(404, echo());
    errors.push(await client.zwift.subgroups.entrants(9, { type: 'following' }).catch((err: unknown) => err));
    expect(errors.map((err) => (err as ZwiftApiError).kind)).toEqual([
      'validation',
      'transient',
      'rate_limited',
      'validation',
      'auth',
      'not_found',
    ]);
    // the 401 renewed the token: both pairs were live
    expect(logs.some((l) => /renewing the Zwift token/.test(l.message))).toBe(true);
    expect(serialise(ok.skipped)).toContain('[redacted]');
    for (const err of errors) expectClean(err, secrets);
    expectClean(ok, secrets);
    expect(logs.some((l) => l.level === 'debug')).toBe(true);
    expectClean(logs, secrets);
    expect(events.length).toBeGreaterThan(10);
    expectClean(events, secrets);
    expectClean(client, secrets);
    expect(inspect(client, { depth: 50, showHidden: true, getters: true })).not.toContain(first.access_token);
  });

  it('a refused login whose answer echoes the credentials; a token answer that is malformed', async () => {
    const errors: unknown[] = [];
    const logs: unknown[] = [];
    for (const [status, body] of [
      [401, { error: 'invalid_grant', error_description: `no user ${USERNAME} with password ${PASSWORD}` }],
      [
        403,
        {
          error: 'account_locked',
          error_description: new URLSearchParams({ u: USERNAME, p: PASSWORD }).toString(),
        },
      ],
      [200, { access_token: 'eyJLEAK-ACCESS', expires_in: -1, refresh_token: 'eyJLEAK-REFRESH' }],
      [200, `{"access_token": "eyJLEAK-ACCESS", "refresh_token": "eyJLEAK-REFRESH"`],
    ] as const) {
      const e = accountSetup();
      stops.push(e.stop);
      nock(ZWIFT_AUTH).post(TOKEN_PATH).reply(status, body);
      errors.push(await e.client.zwift.events.search(hourFrom(e.clock.now())).catch((err: unknown) => err));
      logs.push(e.logs);
    }
    expect(errors.map((err) => (err as ZwiftApiError).kind)).toEqual([
      'auth',
      'auth',
      'validation',
      'validation',
    ]);
    expect((errors[0] as Error).message).toContain('invalid_grant');
    for (const err of errors) expectClean(err, [USERNAME, PASSWORD, 'eyJLEAK']);
    expectClean(logs, [USERNAME, PASSWORD, 'eyJLEAK']);
  });

  it('a custom fetch that throws errors holding the Bearer header; a token provider that throws with its token', async () => {
    const token = 'eyJPROVIDED.secret-token';
    let thrownWith = '';
    const fetchImpl = (async (input: RequestInfo | URL) => {
      const headers = JSON.stringify(Object.fromEntries((input as Request).headers));
      thrownWith = headers;
      throw Object.assign(new TypeError(`fetch failed ${headers}`), {
        cause: { code: 'ECONNRESET', headers },
      });
    }) as typeof fetch;
    let calls = 0;
    const e = setup({
      fetch: fetchImpl,
      retry: { limit: 0 },
      zwiftAuth: {
        token: async () => {
          calls++;
          if (calls > 1) throw new Error(`cannot renew ${token}`);
          return token;
        },
      },
    });
    stops.push(e.stop);
    const network = await e.client.zwift.events.search(hourFrom(e.clock.now())).catch((err: unknown) => err);
    expect(thrownWith).toContain(token); // the raw error really held the token
    expect(network).toMatchObject({ kind: 'transient' });
    // a provider whose renewal fails with a message holding the token it gave before
    const failing = setup({
      zwiftAuth: {
        token: async ({ reason }) => {
          if (reason === 'rejected') throw new Error(`cannot renew ${token}`);
          return token;
        },
      },
    });
    stops.push(failing.stop);
    nock(ZWIFT).post('/api/events/search').query(true).reply(401, {});
    const provider = await failing.client.zwift.events
      .search(hourFrom(failing.clock.now()))
      .catch((err: unknown) => err);
    expect(provider).toMatchObject({ kind: 'auth' });
    expect((provider as Error).message).toContain('cannot renew [redacted]');
    for (const err of [network, provider]) expectClean(err, [token]);
    expectClean([e.logs, failing.logs], [token]);
  });
});
