/** A fetch whose requests count as virtual-clock activity until their body has been read. */
import type { Activity } from './activity.ts';

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Wraps `fetchImpl`: each request is an operation of `activity` from the call until the full body
 * is read, and carries its activity token in the `header` request header (so a server on the same
 * clock can park it). The returned Response is rebuilt from the buffer, so nothing is pending after
 * it resolves.
 */
export function trackedFetch(
  fetchImpl: typeof fetch,
  activity: Activity,
  nextToken: () => string,
  header: string,
): typeof fetch {
  const tracked = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const token = nextToken();
    const label =
      typeof input === 'string' ? input : input instanceof URL ? input.href : (input as Request).url;
    activity.begin(token, `fetch ${label}`);
    try {
      const headers = new Headers(
        init?.headers ?? (typeof input === 'object' && 'headers' in input ? input.headers : undefined),
      );
      headers.set(header, token);
      const response = await fetchImpl(input, { ...init, headers });
      const buffer = await response.arrayBuffer();
      const copy = new Response(NULL_BODY.has(response.status) ? null : buffer, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      Object.defineProperty(copy, 'url', { value: response.url });
      return copy;
    } finally {
      activity.end(token);
    }
  };
  return tracked as typeof fetch;
}
