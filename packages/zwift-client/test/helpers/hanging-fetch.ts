/** A fetch that never answers; it rejects with the abort reason when its signal aborts. Counts calls. */
export function hangingFetch(): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  const fetchImpl = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls++;
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    return new Promise<Response>((_resolve, reject) => {
      if (signal?.aborted) reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }) as typeof fetch;
  return { fetch: fetchImpl, calls: () => calls };
}
