import type { ClientContext } from '../context.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import type { TokenCall } from './access-tokens.ts';

/**
 * A call with a finite `maxWaitMs` that needs a token request first: fails fast with a
 * `RateLimitError` when the `zwift-auth` bucket cannot give a token within what is left of its
 * budget (the request may be shared with calls that would wait longer).
 */
export async function checkTokenBudget(ctx: ClientContext, key: string, call: TokenCall): Promise<void> {
  if (!Number.isFinite(call.budget.remainingMs)) return;
  const spec = ctx.specs['zwift-auth'];
  const now = ctx.clock.now();
  const state = await ctx.store.peek(key, spec, now);
  const wait = state.available > 0 ? 0 : Math.max(1, Math.ceil(state.nextAvailableAt - now));
  if (wait > call.budget.remainingMs) {
    throw new RateLimitError(
      `Rate limit of bucket "zwift-auth" needs a ${wait} ms wait for a Zwift token, beyond the call's maxWaitMs`,
      { endpoint: call.endpoint, retryAfterMs: wait },
    );
  }
}
