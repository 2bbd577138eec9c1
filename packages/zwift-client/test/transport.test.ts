import { afterEach, describe, expect, it, vi } from 'vitest';
import { createZwiftClient } from '../src/index.ts';
import { ManualClock } from './helpers/clock.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A fetch that records what ky hands it and answers `answer`. */
function recordingFetch(answer: unknown = []) {
  const seen: Seen[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    expect(input).toBeInstanceOf(Request); // ky builds the Request; init holds no method/headers/body
    const request = input as Request;
    expect(init?.method).toBeUndefined();
    expect(init?.headers).toBeUndefined();
    seen.push({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    });
    return new Response(JSON.stringify(answer), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  return { fetch: fetchImpl, seen };
}

describe('ky builds and sends the requests', () => {
  it('the user’s fetch gets a Request: prefixed URL per API, JSON body, raw Authorization for the public API only', async () => {
    const rec = recordingFetch([]);
    const client = createZwiftClient({
      apiKey: 'raw-key',
      baseUrl: 'https://api.test/api/', // trailing slash: joined without a double slash
      siteBaseUrl: 'https://site.test',
      zwiftBaseUrl: 'https://zwift.test/base',
      fetch: rec.fetch,
      clock: new ManualClock(),
    });
    await client.riders.getMany([3, 1, 3]);
    await client.routes.list();
    await client.zwift.events.upcoming();
    expect(rec.seen).toEqual([
      {
        method: 'POST',
        url: 'https://api.test/api/public/riders',
        headers: { accept: 'application/json', authorization: 'raw-key', 'content-type': 'application/json' },
        body: '[3,1]',
      },
      {
        method: 'GET',
        url: 'https://site.test/api/routes',
        headers: { accept: 'application/json' },
        body: '',
      },
      {
        method: 'GET',
        url: 'https://zwift.test/base/api/public/events/upcoming',
        headers: { accept: 'application/json' },
        body: '',
      },
    ]);
  });

  it('without a fetch option the global fetch is looked up at each request (so a later patch, e.g. nock, is used)', async () => {
    const client = createZwiftClient({ siteBaseUrl: 'https://site.test', clock: new ManualClock() });
    const first = recordingFetch([]);
    vi.stubGlobal('fetch', first.fetch);
    await client.routes.list();
    const second = recordingFetch([{ routeId: 5, name: 'R' }]);
    vi.stubGlobal('fetch', second.fetch);
    const { routes } = await client.routes.list();
    expect(first.seen).toHaveLength(1);
    expect(second.seen).toHaveLength(1);
    expect(routes.map((r) => r.routeId)).toEqual(['5']);
  });
});
