import type { ClientContext } from '../context.ts';
import { AuthError } from '../errors/auth-error.ts';
import type { AccessTokens, TokenCall } from './access-tokens.ts';
import { renewAt } from './renewal.ts';
import { SingleFlight } from './single-flight.ts';
import { checkTokenBudget } from './token-budget.ts';
import { type IssuedToken, requestToken } from './token-endpoint.ts';

const ENDPOINT = 'zwift.auth.token';

/**
 * Access tokens of a Zwift login (`zwiftAuth: { username, password }`): the password grant once,
 * the token cached until shortly before it expires (on the client's clock), then renewed with the
 * refresh token — or with the password grant when there is none, it expired, or Zwift refuses the
 * refresh. One token request at a time, shared by every call that needs it. When Zwift refuses
 * the password itself (or answers 403: a locked account), the refusal is final for this client:
 * every later call rejects at once with an `AuthError` and no request — logging in again and again
 * is what gets a Zwift account locked.
 */
export class PasswordTokens implements AccessTokens {
  readonly #ctx: ClientContext;
  readonly #key: string;
  readonly #username: string;
  readonly #password: string;
  readonly #flight = new SingleFlight<string>();
  #token: IssuedToken | null = null;
  /** Zwift answered 401 to the current access token. */
  #stale = false;
  #refusal: { status: number | undefined; message: string } | null = null;

  constructor(ctx: ClientContext, key: string, username: string, password: string) {
    this.#ctx = ctx;
    this.#key = key;
    this.#username = username;
    this.#password = password;
  }

  async get(call: TokenCall): Promise<string> {
    this.#throwIfRefused();
    const t = this.#token;
    if (t !== null && !this.#stale && this.#ctx.clock.now() < renewAt(t.issuedAt, t.expiresAt)) {
      return t.accessToken;
    }
    await checkTokenBudget(this.#ctx, this.#key, call);
    this.#throwIfRefused();
    return this.#flight.run((signal) => this.#renew(signal, call), call.signal);
  }

  rejected(token: string): void {
    if (this.#token?.accessToken === token) this.#stale = true;
  }

  async #renew(signal: AbortSignal, call: TokenCall): Promise<string> {
    const ctx = this.#ctx;
    const options = { signal, budget: call.budget, priority: call.priority };
    const current = this.#token;
    const refreshToken = current?.refreshToken ?? null;
    if (
      current !== null &&
      refreshToken !== null &&
      (current.refreshExpiresAt === null || ctx.clock.now() < current.refreshExpiresAt)
    ) {
      try {
        return this.#keep(
          await requestToken(ctx, { type: 'refresh_token', refreshToken }, options),
          'refreshed',
        );
      } catch (error) {
        if (!(error instanceof AuthError)) {
          // 5xx, network, timeout, 429: the current token may still do
          if (!this.#stale && !signal.aborted && ctx.clock.now() < current.expiresAt) {
            ctx.logger.warn(
              { endpoint: ENDPOINT, kind: (error as { kind?: unknown }).kind },
              `${ENDPOINT}: refreshing the Zwift token failed (${(error as Error).message}); using the current one until it expires`,
            );
            return current.accessToken;
          }
          throw error;
        }
        if (error.status === 403) throw this.#refuse(error);
        ctx.logger.warn(
          { endpoint: ENDPOINT, status: error.status },
          `${ENDPOINT}: Zwift refused the refresh token (HTTP ${error.status}); logging in with the password`,
        );
        this.#token = null;
      }
    }
    try {
      return this.#keep(
        await requestToken(
          ctx,
          { type: 'password', username: this.#username, password: this.#password },
          options,
        ),
        'obtained',
      );
    } catch (error) {
      if (error instanceof AuthError) throw this.#refuse(error);
      throw error;
    }
  }

  #keep(token: IssuedToken, how: 'obtained' | 'refreshed'): string {
    this.#token = token;
    this.#stale = false;
    this.#ctx.logger.info(
      { endpoint: ENDPOINT, expiresInMs: token.expiresAt - token.issuedAt },
      `${ENDPOINT}: Zwift access token ${how}`,
    );
    return token.accessToken;
  }

  #refuse(error: AuthError): AuthError {
    this.#refusal = { status: error.status, message: error.message };
    this.#token = null;
    this.#ctx.logger.error(
      { endpoint: ENDPOINT, status: error.status },
      `${error.message}. The Zwift account's credentials are not tried again by this client (Zwift locks accounts that keep logging in)`,
    );
    return error;
  }

  #throwIfRefused(): void {
    const refusal = this.#refusal;
    if (refusal === null) return;
    throw new AuthError(
      `${refusal.message} (earlier; not retried — Zwift locks accounts that keep logging in: create a client with corrected zwiftAuth)`,
      { endpoint: ENDPOINT, status: refusal.status },
    );
  }
}
