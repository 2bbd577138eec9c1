/** Handlers of Zwift's authenticated API: the token endpoint, the event search, subgroup entrants. */
import { hash32 } from '../../prng.ts';
import { penEntrants, zwiftEntrantsJson } from '../../world/payloads/zwift-entrants.ts';
import { zwiftSearchJson } from '../../world/payloads/zwift-search.ts';
import type { World } from '../../world/world.ts';
import type { ZwiftAccount, ZwiftAccounts } from '../../zwift-auth/accounts.ts';
import type { Body } from '../body.ts';
import { HttpError } from '../http-error.ts';
import type { EntrantsRequest, SearchRequest, TokenRequest } from '../zwift-requests.ts';

/** Consecutive entrants pages repeat 1 to this many riders (drawn per subgroup). */
const MAX_OVERLAP = 3;

function oauth(status: number, error: string, description: string): HttpError {
  return new HttpError(status, description, { error, error_description: description });
}

/** 403 for a locked account (token requests and API calls alike). */
export function accountLocked(): HttpError {
  return oauth(403, 'account_locked', 'Account is locked');
}

/** The token endpoint: a new token pair for valid credentials or a live refresh token. */
export function tokenBody(accounts: ZwiftAccounts, req: TokenRequest, now: number): Body {
  let account: ZwiftAccount | undefined;
  if (req.grant === 'password') {
    account = accounts.byUsername(req.username);
    if (account?.lockedAtTime(now)) throw accountLocked();
    if (!account || account.password !== req.password)
      throw oauth(401, 'invalid_grant', 'Invalid user credentials');
  } else {
    const check = accounts.check(req.refreshToken, 'refresh', now);
    if (!check.ok)
      throw oauth(
        400,
        'invalid_grant',
        check.reason === 'expired' ? 'Token is not active' : 'Invalid refresh token',
      );
    account = accounts.byUsername(check.account) as ZwiftAccount;
    if (account.lockedAtTime(now)) throw accountLocked();
  }
  const pair = accounts.tokens.issue(account.username, now);
  return JSON.stringify({
    access_token: pair.accessToken,
    expires_in: pair.expiresIn,
    refresh_expires_in: pair.refreshExpiresIn,
    refresh_token: pair.refreshToken,
    token_type: 'Bearer',
    'not-before-policy': 0,
    scope: 'profile email',
  });
}

/** `POST /api/events/search`: events starting in the range, with the account's followee counts. */
export function searchBody(world: World, account: ZwiftAccount, req: SearchRequest, now: number): Body {
  return zwiftSearchJson(world, account.follows(), req.from, req.to, req.limit, now);
}

/**
 * `GET /api/events/subgroups/entrants/{id}`: one page of a pen's signed-up riders (all of them, or
 * those the account follows), in signup order. Like upstream, pages overlap: page k (`start` =
 * k × limit) starts k × c riders before `start`, c = 1–3 drawn per subgroup, so each page repeats
 * the last c riders of the one before. A client that advances `start` by `limit` until a page is
 * shorter than `limit` and dedupes by `id` sees every rider, each at least once.
 */
export function entrantsBody(
  world: World,
  account: ZwiftAccount,
  id: string,
  req: EntrantsRequest,
  now: number,
): Body {
  const found = world.subgroup(Number(id));
  if (!found) throw new HttpError(404, `Event subgroup ${id} not found`);
  const follows = account.follows();
  const refs = penEntrants(world, found.ev, found.pen, now, req.type === 'following' ? follows : undefined);
  const c = Math.min(
    Math.floor(req.limit / 4),
    1 + (hash32(world.seed, 'entrants-overlap', id) % MAX_OVERLAP),
  );
  const from = Math.max(0, req.start - Math.floor(req.start / req.limit) * c);
  return zwiftEntrantsJson(world, refs.slice(from, from + req.limit), now, follows);
}
