import type { ClientContext } from '../context.ts';
import { AuthError } from '../errors/auth-error.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { TransientError } from '../errors/transient-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { parseJsonSafe } from '../http/json.ts';
import { retryAfterMs } from '../http/retry-after.ts';
import { type Exchange, type OutgoingRequest, sendOnce } from '../http/send.ts';
import { toNumber } from '../normalise/values.ts';
import type { WaitBudget } from '../rate-limit/limiter.ts';
import { ENDPOINTS } from '../rate-limit/table.ts';
import { zwiftTokenResponseSchema } from '../schemas/zwift-token.ts';
import { formatPath } from '../validate/path.ts';

/** Zwift's OAuth client id for the password and refresh grants. */
export const ZWIFT_CLIENT_ID = 'Zwift_Mobile_Link';

const ENDPOINT = 'zwift.auth.token';

/** A grant to send to the token endpoint. */
export type Grant =
  | { readonly type: 'password'; readonly username: string; readonly password: string }
  | { readonly type: 'refresh_token'; readonly refreshToken: string };

/** Tokens as the client keeps them (times on the client's clock, epoch ms). */
export interface IssuedToken {
  readonly accessToken: string;
  /** When the request that got it left, plus `expires_in`. */
  readonly expiresAt: number;
  readonly issuedAt: number;
  readonly refreshToken: string | null;
  /** `null` when Zwift did not say (then a refresh is tried, and a refusal falls back to the password grant). */
  readonly refreshExpiresAt: number | null;
}

/** How a token request waits: the signal of the shared request, and the budget of the call that started it. */
export interface TokenRequestOptions {
  signal: AbortSignal;
  budget: WaitBudget;
  priority: number;
}

function formOf(grant: Grant): URLSearchParams {
  return grant.type === 'password'
    ? new URLSearchParams({
        client_id: ZWIFT_CLIENT_ID,
        grant_type: 'password',
        username: grant.username,
        password: grant.password,
      })
    : new URLSearchParams({
        client_id: ZWIFT_CLIENT_ID,
        grant_type: 'refresh_token',
        refresh_token: grant.refreshToken,
      });
}

/** `error` / `error_description` of an OAuth error body, short and redacted (no other field). */
function oauthReason(data: unknown, redact: (text: string) => string): string {
  const body = typeof data === 'string' ? tryParse(data) : data;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return '';
  const pick = (key: string): string | null => {
    const v = (body as Record<string, unknown>)[key];
    return typeof v === 'string' && v.trim() !== '' ? redact(v.trim()).slice(0, 100) : null;
  };
  const parts = [pick('error'), pick('error_description')].filter((p): p is string => p !== null);
  return parts.length === 0 ? '' : `: ${parts.join(' — ')}`;
}

function tryParse(text: string): unknown {
  try {
    return parseJsonSafe(text);
  } catch {
    return null;
  }
}

/**
 * ONE request to Zwift's token endpoint (`zwift-auth` bucket), never retried here: 5xx, network
 * errors and timeouts reject (`TransientError` / `TimeoutError`), a 429 blocks the bucket and
 * rejects (`RateLimitError`), every other 4xx is an `AuthError` (wrong password, refused refresh,
 * locked account). The tokens it returns are added to the client's secrets before anything else
 * reads the body; a malformed answer is a `ValidationError` without an excerpt (the body holds
 * tokens).
 */
export async function requestToken(
  ctx: ClientContext,
  grant: Grant,
  options: TokenRequestOptions,
): Promise<IssuedToken> {
  const def = ENDPOINTS[ENDPOINT];
  const key = ctx.storeKeys[def.bucket];
  if (key === null) throw new TypeError('zwift-auth bucket without a store key'); // guarded by the caller
  const spec = ctx.specs[def.bucket];
  const outgoing: OutgoingRequest = {
    endpoint: ENDPOINT,
    bucket: def.bucket,
    api: def.api,
    method: def.method,
    path: def.path,
    form: formOf(grant),
  };
  const { signal, budget, priority } = options;
  let sentAt = ctx.clock.now();
  const exchange: Exchange = await ctx.limiter.run(
    key,
    spec,
    { endpoint: ENDPOINT, bucket: def.bucket, priority, signal, budget },
    () => {
      sentAt = ctx.clock.now();
      return sendOnce(ctx, outgoing, signal, 1);
    },
  );
  const grantName = grant.type === 'password' ? 'password grant' : 'refresh grant';
  if (!exchange.ok) {
    const { status } = exchange;
    if (status === 429) {
      const now = ctx.clock.now();
      const wait = retryAfterMs(exchange.retryAfter, tryParseData(exchange.data), now) ?? spec.intervalMs;
      await ctx.store.block(key, now + wait, spec);
      throw new RateLimitError(
        `${ENDPOINT}: Zwift's token endpoint is rate limited (HTTP 429), retry after ${wait} ms`,
        { endpoint: ENDPOINT, retryAfterMs: wait, status },
      );
    }
    if (status >= 400 && status < 500) {
      const reason = oauthReason(exchange.data, ctx.redact);
      throw new AuthError(
        status === 403
          ? `${ENDPOINT}: Zwift refused the ${grantName} (HTTP 403${reason}); the account may be locked — not retried`
          : `${ENDPOINT}: Zwift refused the ${grantName} (HTTP ${status}${reason}); check zwiftAuth`,
        { endpoint: ENDPOINT, status },
      );
    }
    throw new TransientError(`${ENDPOINT}: HTTP ${status} from Zwift's token endpoint`, {
      endpoint: ENDPOINT,
      status,
    });
  }

  let body: unknown;
  try {
    body = parseJsonSafe(exchange.text);
  } catch {
    throw new ValidationError(`${ENDPOINT}: the token response is not valid JSON`, {
      endpoint: ENDPOINT,
      status: exchange.status,
      path: '',
      excerpt: '',
    });
  }
  // Secrets first: nothing may print a token before it is known to the redactor.
  if (body !== null && typeof body === 'object') {
    for (const field of ['access_token', 'refresh_token', 'id_token']) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value === 'string') ctx.secrets.addRotating(value);
    }
  }
  const parsed = zwiftTokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = formatPath('', issue?.path ?? []);
    throw new ValidationError(
      ctx.redact(
        `${ENDPOINT}: unexpected token response at ${where === '' ? '(root)' : where}: ${issue?.message ?? 'invalid'}`,
      ),
      { endpoint: ENDPOINT, status: exchange.status, path: where, excerpt: '' },
    );
  }
  const t = parsed.data;
  const refreshSeconds = toNumber(t.refresh_expires_in);
  const refreshToken = t.refresh_token ?? null;
  return {
    accessToken: t.access_token,
    issuedAt: sentAt,
    expiresAt: sentAt + Number(t.expires_in) * 1000,
    refreshToken,
    refreshExpiresAt:
      refreshToken === null || refreshSeconds === null || refreshSeconds <= 0
        ? null
        : sentAt + refreshSeconds * 1000,
  };
}

/** An error body as JSON (ky parsed it when its content type said JSON). */
function tryParseData(data: unknown): unknown {
  return typeof data === 'string' ? tryParse(data) : (data ?? null);
}
