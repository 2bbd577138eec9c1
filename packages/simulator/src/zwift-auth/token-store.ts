/**
 * Tokens issued by the simulated Zwift token endpoint: access and refresh tokens with expiry times
 * on the simulation clock. Token strings are JWT-shaped (header.payload.signature, with `exp` and
 * `iat` claims) and deterministic: derived from the seed and the order of issue.
 */
import { hash32 } from '../prng.ts';

/** What a token is for. */
export type TokenKind = 'access' | 'refresh';

interface Issued {
  /** The account's username. */
  account: string;
  kind: TokenKind;
  /** Clock ms from which the token is no longer accepted. */
  expiresAt: number;
}

/** A token pair as the token endpoint answers it. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds. */
  expiresIn: number;
  /** Seconds. */
  refreshExpiresIn: number;
}

/** Why a token is not accepted. */
export type TokenCheck = { ok: true; account: string } | { ok: false; reason: 'unknown' | 'expired' };

const b64url = (s: string): string => Buffer.from(s).toString('base64url');
const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** Every token issued so far, by token string. */
export class TokenStore {
  private readonly tokens = new Map<string, Issued>();
  private issued = 0;

  constructor(
    private readonly seed: number | string,
    private readonly accessTtlMs: number,
    private readonly refreshTtlMs: number,
  ) {}

  /** Issue a new access and refresh token for `account` at `now`. */
  issue(account: string, now: number): TokenPair {
    const n = ++this.issued;
    const accessToken = this.mint(account, 'access', n, now, now + this.accessTtlMs);
    const refreshToken = this.mint(account, 'refresh', n, now, now + this.refreshTtlMs);
    return {
      accessToken,
      refreshToken,
      expiresIn: Math.floor(this.accessTtlMs / 1000),
      refreshExpiresIn: Math.floor(this.refreshTtlMs / 1000),
    };
  }

  /** Whether `token` is a live token of `kind` at `now`, and whose. */
  check(token: string, kind: TokenKind, now: number): TokenCheck {
    const t = this.tokens.get(token);
    if (!t || t.kind !== kind) return { ok: false, reason: 'unknown' };
    if (now >= t.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, account: t.account };
  }

  /** The account a token was issued to (expired or not), or undefined for an unknown token. */
  ownerOf(token: string): string | undefined {
    return this.tokens.get(token)?.account;
  }

  /** Make `account`'s tokens of the given kinds expire at `now` (those not expired yet). */
  expire(account: string, kinds: readonly TokenKind[], now: number): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (t.account !== account || !kinds.includes(t.kind) || t.expiresAt <= now) continue;
      t.expiresAt = now;
      n++;
    }
    return n;
  }

  private mint(account: string, kind: TokenKind, n: number, now: number, expiresAt: number): string {
    const h = (i: number): string => hex(hash32(this.seed, 'zwift-token', account, kind, n, i));
    const header = b64url('{"alg":"RS256","typ":"JWT","kid":"racesync-sim"}');
    const payload = b64url(
      JSON.stringify({
        exp: Math.floor(expiresAt / 1000),
        iat: Math.floor(now / 1000),
        jti: `${h(1)}-${h(2)}`,
        iss: 'https://secure.zwift.com/auth/realms/zwift',
        typ: kind === 'access' ? 'Bearer' : 'Refresh',
        azp: 'Zwift_Mobile_Link',
      }),
    );
    const signature = Buffer.from(h(3) + h(4) + h(5) + h(6) + h(7) + h(8), 'hex').toString('base64url');
    const token = `${header}.${payload}.${signature}`;
    this.tokens.set(token, { account, kind, expiresAt });
    return token;
  }
}
