/** Longest head start a token is renewed with before it expires, ms. */
export const RENEW_AHEAD_MAX_MS = 60_000;

/**
 * When a token valid from `issuedAt` to `expiresAt` is renewed: shortly before it expires — a
 * tenth of its lifetime ahead, at most {@link RENEW_AHEAD_MAX_MS} (a 6-hour token: 1 min before; a
 * 5-minute token: 30 s before).
 */
export function renewAt(issuedAt: number, expiresAt: number): number {
  return expiresAt - Math.min(RENEW_AHEAD_MAX_MS, Math.max(0, expiresAt - issuedAt) / 10);
}
