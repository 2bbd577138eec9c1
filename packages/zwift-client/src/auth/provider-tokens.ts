import type { ClientContext } from '../context.ts';
import { AuthError } from '../errors/auth-error.ts';
import { ConfigError } from '../errors/config-error.ts';
import type { AccessTokens, TokenCall } from './access-tokens.ts';
import { renewAt } from './renewal.ts';
import { SingleFlight } from './single-flight.ts';
import type { ZwiftTokenProvider, ZwiftTokenRequest } from './zwift-auth.ts';

const ENDPOINT = 'zwift.auth.token';

interface ProvidedToken {
  accessToken: string;
  receivedAt: number;
  expiresAt: number | null;
}

/**
 * Access tokens from the caller's provider (`zwiftAuth: { token }`): asked when the client holds
 * none, when the last one's `expiresAt` is (nearly) reached, and after Zwift answered 401 to it —
 * one call at a time, shared by every call that needs a token. A token without `expiresAt` is used
 * until Zwift rejects it.
 */
export class ProviderTokens implements AccessTokens {
  readonly #ctx: ClientContext;
  readonly #provider: ZwiftTokenProvider;
  // the provider takes no signal: a call it keeps waiting is left by its caller, never run twice
  readonly #flight = new SingleFlight<string>({ abandonable: false });
  #token: ProvidedToken | null = null;
  #stale = false;

  constructor(ctx: ClientContext, provider: ZwiftTokenProvider) {
    this.#ctx = ctx;
    this.#provider = provider;
  }

  async get(call: TokenCall): Promise<string> {
    const t = this.#token;
    if (
      t !== null &&
      !this.#stale &&
      (t.expiresAt === null || this.#ctx.clock.now() < renewAt(t.receivedAt, t.expiresAt))
    ) {
      return t.accessToken;
    }
    const reason: ZwiftTokenRequest['reason'] =
      t === null ? 'missing' : this.#stale ? 'rejected' : 'expiring';
    return this.#flight.run(() => this.#ask(reason), call.signal);
  }

  rejected(token: string): void {
    if (this.#token?.accessToken === token) this.#stale = true;
  }

  async #ask(reason: ZwiftTokenRequest['reason']): Promise<string> {
    const ctx = this.#ctx;
    let answer: unknown;
    try {
      answer = await this.#provider({ reason });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new AuthError(ctx.redact(`${ENDPOINT}: the zwiftAuth.token provider failed: ${detail}`), {
        endpoint: ENDPOINT,
      });
    }
    const token = typeof answer === 'string' ? { accessToken: answer } : answer;
    const accessToken = (token as { accessToken?: unknown } | null)?.accessToken;
    const expiresAt = (token as { expiresAt?: unknown } | null)?.expiresAt;
    if (typeof accessToken === 'string' && accessToken.length > 0) ctx.secrets.addRotating(accessToken);
    if (
      typeof token !== 'object' ||
      token === null ||
      typeof accessToken !== 'string' ||
      accessToken.trim() === '' ||
      (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)))
    ) {
      throw new ConfigError(
        'zwiftAuth.token',
        'must resolve to a non-empty access token, or { accessToken, expiresAt? } with expiresAt in epoch ms',
        ENDPOINT,
      );
    }
    this.#token = {
      accessToken,
      receivedAt: ctx.clock.now(),
      expiresAt: expiresAt === undefined ? null : (expiresAt as number),
    };
    this.#stale = false;
    ctx.logger.info(
      { endpoint: ENDPOINT, reason },
      `${ENDPOINT}: Zwift access token from the zwiftAuth.token provider`,
    );
    return accessToken;
  }
}
