import { inspect } from 'node:util';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createZwiftClient, ZwiftApiError } from '../src/index.ts';
import { settle } from './helpers/clock.ts';
import { hangingFetch } from './helpers/hanging-fetch.ts';
import { API_KEY, BASE, setup } from './helpers/setup.ts';

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
