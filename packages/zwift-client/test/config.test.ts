import { describe, expect, it } from 'vitest';
import {
  type BucketSpec,
  ConfigError,
  createMemoryRateLimitStore,
  createZwiftClient,
  ENDPOINTS,
  keyNamespace,
  RATE_LIMITS,
  storeKey,
} from '../src/index.ts';
import { ManualClock } from './helpers/clock.ts';

function optionOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).kind).toBe('config');
    return (error as ConfigError).option;
  }
  return undefined;
}

describe('option validation → ConfigError naming the option', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['apiKey', { apiKey: '' }],
    ['apiKey', { apiKey: 42 }],
    ['tier', { tier: 'gold' }],
    ['baseUrl', { baseUrl: 'not a url' }],
    ['siteBaseUrl', { siteBaseUrl: 'ftp://example.com' }],
    ['zwiftBaseUrl', { zwiftBaseUrl: 'https://x.test/?a=1' }],
    ['baseUrl', { baseUrl: 'https://user:secret@api.test/api' }],
    ['onRequest', { onRequest: 'log' }],
    ['onResponse', { onResponse: {} }],
    ['fetch', { fetch: 'fetch' }],
    ['timeoutMs', { timeoutMs: -1 }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['retry', { retry: 3 }],
    ['retry.limit', { retry: { limit: -1 } }],
    ['retry.limit', { retry: { limit: 1.5 } }],
    ['retry.backoffBaseMs', { retry: { backoffBaseMs: -5 } }],
    ['retry.backoffCapMs', { retry: { backoffBaseMs: 1000, backoffCapMs: 10 } }],
    ['retry.maxRetryAfterMs', { retry: { maxRetryAfterMs: -1 } }],
    ['retry.random', { retry: { random: 0.5 } }],
    ['logger', { logger: 'console' }],
    ['logger.warn', { logger: { warn: 'no' } }],
    ['rateLimitStore.take', { rateLimitStore: { block() {}, peek() {} } }],
    ['clock.sleep', { clock: { now: () => 0 } }],
    ['limits.nope', { limits: { nope: { capacity: 1, intervalMs: 1 } } }],
    ['limits.site.capacity', { limits: { site: { capacity: 0, intervalMs: 1000 } } }],
    ['limits.site.intervalMs', { limits: { site: { capacity: 1, intervalMs: -1 } } }],
    ['limits.site', { limits: { site: { capacity: 1 } } }],
    ['onSkip', { onSkip: true }],
    ['concurrency', { concurrency: 0 }],
    ['maxBodyBytes', { maxBodyBytes: 0 }],
    ['clubPageSize', { clubPageSize: 0 }],
    ['options', 5 as unknown as Record<string, unknown>],
  ];
  for (const [option, options] of cases) {
    it(`${option}: ${JSON.stringify(options) ?? String(options)}`, () => {
      expect(optionOf(() => createZwiftClient(options as never))).toBe(option);
    });
  }

  it('accepts a full valid configuration', () => {
    expect(() =>
      createZwiftClient({
        apiKey: 'k',
        tier: 'premium',
        baseUrl: 'https://zwift-ranking.herokuapp.com/',
        fetch: globalThis.fetch,
        timeoutMs: 1000,
        retry: {
          limit: 0,
          backoffBaseMs: 0,
          backoffCapMs: 0,
          maxRetryAfterMs: Number.POSITIVE_INFINITY,
          random: () => 0,
        },
        logger: {},
        rateLimitStore: createMemoryRateLimitStore(),
        clock: new ManualClock(),
        limits: { site: { capacity: 5, intervalMs: 60_000 } },
        onSkip: () => {},
        concurrency: 8,
      }),
    ).not.toThrow();
  });
});

describe('arguments and keys', () => {
  it('a public-API method without apiKey → ConfigError(apiKey), no request', async () => {
    const client = createZwiftClient({ fetch: () => Promise.reject(new Error('must not be called')) });
    await expect(client.riders.get(1)).rejects.toMatchObject({
      kind: 'config',
      option: 'apiKey',
      endpoint: 'riders.get',
    });
    await expect(client.rateLimits.state('results')).rejects.toMatchObject({ option: 'apiKey' });
    await expect(client.rateLimits.state('site')).resolves.toMatchObject({ bucket: 'site', capacity: 10 });
  });

  it('bad arguments and call options name themselves', async () => {
    const client = createZwiftClient({ apiKey: 'k' });
    await expect(client.riders.get(-1)).rejects.toMatchObject({ option: 'riderId' });
    await expect(client.riders.getMany([1, 'x' as unknown as number])).rejects.toMatchObject({
      option: 'riderIds',
    });
    await expect(client.riders.get(1, { at: 'now' as unknown as number })).rejects.toMatchObject({
      option: 'at',
    });
    await expect(client.results.forEvent('')).rejects.toMatchObject({ option: 'eventId' });
    await expect(client.routes.list({ maxWaitMs: -1 })).rejects.toMatchObject({ option: 'maxWaitMs' });
    await expect(client.routes.list({ priority: Number.NaN })).rejects.toMatchObject({ option: 'priority' });
    await expect(client.routes.list({ signal: {} as AbortSignal })).rejects.toMatchObject({
      option: 'signal',
    });
    await expect(client.rateLimits.state('bogus' as never)).rejects.toMatchObject({ option: 'bucket' });
  });

  it('store keys: sha256 prefix of the key for keyed buckets, site:site / zwift:zwift otherwise', async () => {
    const ns = keyNamespace('secret');
    expect(ns).toMatch(/^[0-9a-f]{12}$/);
    expect(ns).toBe('2bb80d537b1d'); // sha256("secret")
    expect(storeKey('results', ns)).toBe('2bb80d537b1d:results');
    expect(storeKey('site', ns)).toBe('site:site');
    expect(storeKey('zwift', null)).toBe('zwift:zwift');
    expect(storeKey('riders', null)).toBeNull();
    const keys: string[] = [];
    const inner = createMemoryRateLimitStore();
    const store = {
      ...inner,
      take: (key: string, spec: BucketSpec, now: number) => {
        keys.push(key);
        return inner.take(key, spec, now);
      },
    };
    const client = createZwiftClient({
      apiKey: 'secret',
      rateLimitStore: store,
      fetch: async () => new Response('[]', { status: 200 }),
    });
    await client.results.forEvent(1);
    await client.routes.list();
    expect(keys).toEqual(['2bb80d537b1d:results', 'site:site']);
  });

  it('rate-limit table, tier and overrides', () => {
    expect(RATE_LIMITS.results.standard).toEqual({ capacity: 1, intervalMs: 60_000 });
    expect(RATE_LIMITS['riders-bulk'].premium).toEqual({ capacity: 10, intervalMs: 900_000 });
    expect(ENDPOINTS['events.signups'].bucket).toBe('site');
    expect(ENDPOINTS['clubs.members'].bucket).toBe('clubs');
    const standard = createZwiftClient({ apiKey: 'k' }).rateLimits.table;
    expect(standard.riders).toEqual({ capacity: 5, intervalMs: 60_000 });
    expect(standard.site).toEqual({ capacity: 10, intervalMs: 60_000 });
    const premium = createZwiftClient({
      apiKey: 'k',
      tier: 'premium',
      limits: { site: { capacity: 3, intervalMs: 1000 } },
    }).rateLimits.table;
    expect(premium.riders).toEqual({ capacity: 10, intervalMs: 60_000 });
    expect(premium.clubs).toEqual({ capacity: 10, intervalMs: 3_600_000 });
    expect(premium.site).toEqual({ capacity: 3, intervalMs: 1000 });
  });
});
