/**
 * Wait demanded by a 429, in ms: the larger of the `Retry-After` header (delta-seconds or an
 * HTTP date, measured against `now`) and the body's `retryAfter` (seconds). `null` when neither
 * is usable.
 */
export function retryAfterMs(header: string | null, body: unknown, now: number): number | null {
  let best: number | null = null;
  const consider = (ms: number | null): void => {
    if (ms !== null && Number.isFinite(ms) && ms >= 0 && (best === null || ms > best)) best = ms;
  };
  if (header !== null) {
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) consider(Math.ceil(Number(trimmed) * 1000));
    else if (trimmed.length > 0) {
      const at = Date.parse(trimmed);
      if (!Number.isNaN(at)) consider(Math.max(0, at - now));
    }
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const value = (body as Record<string, unknown>)['retryAfter'];
    const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof seconds === 'number' && Number.isFinite(seconds)) consider(Math.ceil(seconds * 1000));
  }
  return best;
}
