/**
 * A fetch that counts requests in flight and buffers each body before handing the response over,
 * so a virtual clock knows when the world is idle. Calls `globalThis.fetch` at call time (nock).
 */
export function trackedFetch(): { fetch: typeof fetch; inflight: () => number; calls: () => number } {
  let inflight = 0;
  let calls = 0;
  const wrapped = (async (input: RequestInfo | URL, init?: RequestInit) => {
    inflight++;
    calls++;
    try {
      const res = await globalThis.fetch(input, init);
      const buf = await res.arrayBuffer();
      const nullBody = res.status === 204 || res.status === 304;
      return new Response(nullBody ? null : buf, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    } finally {
      inflight--;
    }
  }) as typeof fetch;
  return { fetch: wrapped, inflight: () => inflight, calls: () => calls };
}
