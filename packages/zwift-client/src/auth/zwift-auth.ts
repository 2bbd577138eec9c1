import { ConfigError } from '../errors/config-error.ts';

/** Why the client asks a {@link ZwiftTokenProvider} for a token. */
export interface ZwiftTokenRequest {
  /**
   * `'missing'`: the client holds no token yet; `'expiring'`: the last one's `expiresAt` is (nearly)
   * reached; `'rejected'`: Zwift answered 401 to the last one — return a fresh token, not a cached one.
   */
  reason: 'missing' | 'expiring' | 'rejected';
}

/**
 * What a token provider resolves to: an access token, or one with its expiry (epoch ms on the
 * client's `clock`). Without `expiresAt` the token is used until Zwift rejects it (401).
 */
export type ZwiftProvidedToken = string | { accessToken: string; expiresAt?: number };

/** Returns a Zwift access token; called once per token the client needs (never concurrently). */
export type ZwiftTokenProvider = (request: ZwiftTokenRequest) => Promise<ZwiftProvidedToken>;

/** A Zwift account's login: the client runs the password grant and refreshes the tokens itself. */
export interface ZwiftPasswordAuth {
  /** The account's username (its e-mail address). Never logged; only its SHA-256 prefix keys the buckets. */
  username: string;
  /** The account's password. Never logged, never in an error, never sent anywhere but the token endpoint. */
  password: string;
}

/** Tokens managed by the caller: the client asks `token()` whenever it needs one. */
export interface ZwiftTokenAuth {
  token: ZwiftTokenProvider;
  /**
   * A stable name of the Zwift account the tokens belong to (its username or profile id), used
   * only as a SHA-256 prefix to key the account's rate-limit buckets, so processes sharing a
   * `rateLimitStore` share the account's budget. Give the username to share the budget with
   * clients that log in with `{ username, password }`.
   * @default undefined (every token-provider client without `account` shares ONE budget per store — safe, but shared)
   */
  account?: string;
}

/** The `zwiftAuth` option: a login or a token provider. */
export type ZwiftAuth = ZwiftPasswordAuth | ZwiftTokenAuth;

/** Validated `zwiftAuth`. Internal. */
export type ResolvedZwiftAuth =
  | { kind: 'password'; username: string; password: string }
  | { kind: 'provider'; token: ZwiftTokenProvider; account: string | null };

const nonBlank = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Checks the `zwiftAuth` option; throws {@link ConfigError} naming the field (never echoing a value). */
export function checkZwiftAuth(value: unknown): ResolvedZwiftAuth | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null) {
    throw new ConfigError('zwiftAuth', 'must be { username, password } or { token, account? }');
  }
  const v = value as Record<string, unknown>;
  if ('token' in v) {
    if ('username' in v || 'password' in v) {
      throw new ConfigError('zwiftAuth', 'give either { username, password } or { token }, not both');
    }
    if (typeof v['token'] !== 'function') throw new ConfigError('zwiftAuth.token', 'must be a function');
    const account = v['account'];
    if (account !== undefined && !nonBlank(account)) {
      throw new ConfigError('zwiftAuth.account', 'must be a non-empty string');
    }
    return { kind: 'provider', token: v['token'] as ZwiftTokenProvider, account: account ?? null };
  }
  if (!nonBlank(v['username'])) throw new ConfigError('zwiftAuth.username', 'must be a non-empty string');
  if (typeof v['password'] !== 'string' || v['password'].length === 0) {
    throw new ConfigError('zwiftAuth.password', 'must be a non-empty string');
  }
  return { kind: 'password', username: v['username'], password: v['password'] };
}
