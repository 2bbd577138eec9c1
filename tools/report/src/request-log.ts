/**
 * A request log for the calls-over-time chart. The client has no request hook, so the fetch handed
 * to it is wrapped: every request (retries and 429s included — each one is sent) is time-stamped
 * and classified to its rate-limit bucket by method and URL.
 */

/** Base URLs the client was configured with (the client's defaults when omitted). */
export interface UpstreamBases {
  baseUrl?: string;
  siteBaseUrl?: string;
  zwiftBaseUrl?: string;
  /** Zwift's token endpoint host (the client's `zwiftAuthBaseUrl`). */
  zwiftAuthBaseUrl?: string;
}

export const DEFAULT_BASES: Required<UpstreamBases> = {
  baseUrl: 'https://api.zwiftracing.app/api',
  siteBaseUrl: 'https://zwiftracing.app',
  zwiftBaseUrl: 'https://us-or-rly101.zwift.com',
  zwiftAuthBaseUrl: 'https://secure.zwift.com',
};

const trim = (url: string) => url.replace(/\/+$/, '');

/**
 * The bucket of a request, as the client's rate-limit table assigns it: `riders`, `riders-bulk`,
 * `clubs`, `results`, `results-zp`, `site`, `zwift`, and Zwift's authenticated API: `zwift-auth`
 * (the token endpoint), `zwift-search`, `zwift-entrants`; `other` for anything else.
 */
export function bucketOf(url: string, method: string, bases: UpstreamBases = {}): string {
  const b = { ...DEFAULT_BASES, ...bases };
  const candidates: [string, 'public' | 'site' | 'zwift' | 'zwift-auth'][] = [
    [trim(b.baseUrl), 'public'],
    [trim(b.siteBaseUrl), 'site'],
    [trim(b.zwiftBaseUrl), 'zwift'],
    [trim(b.zwiftAuthBaseUrl), 'zwift-auth'],
  ];
  candidates.sort((x, y) => y[0].length - x[0].length); // longest prefix first
  const href = url.split(/[?#]/, 1)[0]!;
  for (const [base, api] of candidates) {
    if (!href.startsWith(`${base}/`)) continue;
    const path = href.slice(base.length);
    if (api === 'site') return path.startsWith('/api/') ? 'site' : 'other';
    if (api === 'zwift-auth') return path.endsWith('/openid-connect/token') ? 'zwift-auth' : 'other';
    if (api === 'zwift') {
      if (path.startsWith('/api/public/events')) return 'zwift';
      if (path.startsWith('/api/events/search')) return 'zwift-search';
      if (path.startsWith('/api/events/subgroups/entrants/')) return 'zwift-entrants';
      return 'other';
    }
    if (path.startsWith('/public/riders')) return method.toUpperCase() === 'POST' ? 'riders-bulk' : 'riders';
    if (path.startsWith('/public/clubs/')) return 'clubs';
    if (path.startsWith('/public/results/')) return 'results';
    if (path.startsWith('/public/zp/')) return 'results-zp';
    return 'other';
  }
  return 'other';
}

export interface RequestLog {
  /** Pass this to `createZwiftClient({ fetch })`. */
  fetch: typeof fetch;
  /** Bucket → times requests were sent. */
  calls: Map<string, number[]>;
  /** Requests so far. */
  total(): number;
}

/** Wraps `inner` (e.g. the simulator's tracked fetch, or the global fetch) to log every request. */
export function recordRequests(
  inner: typeof fetch,
  now: () => number,
  bases: UpstreamBases = {},
): RequestLog {
  const calls = new Map<string, number[]>();
  let total = 0;
  const wrapped = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET');
    const bucket = bucketOf(url, method, bases);
    const list = calls.get(bucket);
    if (list) list.push(now());
    else calls.set(bucket, [now()]);
    total++;
    return inner(input, init);
  }) as typeof fetch;
  return { fetch: wrapped, calls, total: () => total };
}
