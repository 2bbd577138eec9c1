import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, HOUR, harness, MIN } from './helpers.ts';
import { clockOf, login, refresh, search, TOKEN_PATH, tokenRequest } from './zwift-helpers.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** The auth bucket (3 / 60 min) out of the way: these tests count answers, not windows. */
const roomy = { 'zwift-auth': { capacity: 100, intervalMs: HOUR } };

/** A search over the next hour with `token`: its status. */
async function call(h: Harness, token: string): Promise<number> {
  const now = h.sim.clock.now();
  return (await search(h, token, now, now + HOUR)).status;
}

describe("Zwift's token endpoint", () => {
  it('the account comes from the seed and is returned by listen() and sim.zwiftAccount', async () => {
    h = await harness({ seed: 3, days: 1, limits: roomy });
    expect(h.info.zwiftAuthBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/zwift-auth$/);
    expect(h.info.zwiftAccount).toEqual(h.sim.zwiftAccount);
    expect(h.sim.zwiftAccount.username).toMatch(/^captain-[0-9a-f]{8}@racesync-sim\.invalid$/);
    const other = await harness({ seed: 4, days: 1 });
    try {
      expect(other.sim.zwiftAccount.username).not.toBe(h.sim.zwiftAccount.username);
      expect(other.sim.zwiftAccount.password).not.toBe(h.sim.zwiftAccount.password);
    } finally {
      await other.close();
    }
  });

  it('password grant → a Bearer token pair, Keycloak-shaped, lifetimes in seconds', async () => {
    h = await harness({ seed: 3, days: 1, limits: roomy });
    const r = await tokenRequest(h, {
      grant_type: 'password',
      username: h.sim.zwiftAccount.username,
      password: h.sim.zwiftAccount.password,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    const body = JSON.parse(r.text);
    expect(body).toMatchObject({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'Bearer',
      expires_in: 21_600,
      refresh_expires_in: 7 * 24 * 3600,
    });
    // The access token's exp claim agrees with expires_in, on the simulation clock.
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(21_600);
    expect(claims.iat * 1000).toBe(h.sim.clock.now());
    // Each login issues new tokens.
    const again = await login(h);
    expect(again.access_token).not.toBe(body.access_token);
    expect(again.refresh_token).not.toBe(body.refresh_token);
  });

  it('bad requests: wrong credentials 401 invalid_grant, wrong client 401, malformed 400', async () => {
    h = await harness({ seed: 3, days: 1, limits: roomy });
    const { username, password } = h.sim.zwiftAccount;
    const wrong = await tokenRequest(h, { grant_type: 'password', username, password: `${password}x` });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text)).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid user credentials',
    });
    // The answer never echoes a credential.
    expect(wrong.text).not.toContain(password);
    expect(wrong.text).not.toContain(username);
    const unknown = await tokenRequest(h, {
      grant_type: 'password',
      username: 'nobody@example.com',
      password,
    });
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.text).error).toBe('invalid_grant');
    const client = await tokenRequest(h, { client_id: 'Other', grant_type: 'password', username, password });
    expect(client.status).toBe(401);
    expect(JSON.parse(client.text).error).toBe('invalid_client');
    const grant = await tokenRequest(h, { grant_type: 'client_credentials' });
    expect(grant.status).toBe(400);
    expect(JSON.parse(grant.text).error).toBe('unsupported_grant_type');
    const missing = await tokenRequest(h, { grant_type: 'password', username });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).error).toBe('invalid_request');
    const json = await h.req(`${h.info.zwiftAuthBaseUrl}${TOKEN_PATH}`, {
      auth: false,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'Zwift_Mobile_Link', grant_type: 'password', username, password }),
    });
    expect(json.status).toBe(400);
    const get = await h.req(`${h.info.zwiftAuthBaseUrl}${TOKEN_PATH}`, { auth: false });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const unknownRefresh = await refresh(h, 'not-a-token');
    expect(unknownRefresh.status).toBe(400);
    expect(JSON.parse(unknownRefresh.text).error).toBe('invalid_grant');
  });

  it('API calls need a live access token: 401 without, with garbage, with a refresh token', async () => {
    h = await harness({ seed: 3, days: 1, limits: roomy });
    const tokens = await login(h);
    expect(await call(h, tokens.access_token)).toBe(200);
    const now = h.sim.clock.now();
    const none = await h.req(`${h.info.zwiftBaseUrl}/api/events/search`, {
      auth: false,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dateRangeStartISOString: new Date(now).toISOString(),
        dateRangeEndISOString: new Date(now + HOUR).toISOString(),
      }),
    });
    expect(none.status).toBe(401);
    expect(await call(h, 'garbage')).toBe(401);
    expect(await call(h, tokens.refresh_token)).toBe(401);
    // The public API's key is no Zwift token either.
    expect(await call(h, h.info.apiKey)).toBe(401);
  });

  it('access tokens expire after their TTL on the simulation clock; the refresh grant renews them', async () => {
    h = await harness({ seed: 3, days: 1, limits: roomy });
    const clock = clockOf(h);
    const t0 = clock.now();
    const tokens = await login(h);
    await clock.runUntil(t0 + 6 * HOUR - 1000);
    expect(await call(h, tokens.access_token)).toBe(200);
    await clock.runUntil(t0 + 6 * HOUR);
    const expired = await search(h, tokens.access_token, clock.now(), clock.now() + HOUR);
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.text).message).toMatch(/expired/);
    const renewed = await refresh(h, tokens.refresh_token);
    expect(renewed.status).toBe(200);
    const pair = JSON.parse(renewed.text);
    expect(pair.access_token).not.toBe(tokens.access_token);
    expect(await call(h, pair.access_token)).toBe(200);
  });

  it('zwiftAuth sets both lifetimes; an expired refresh token → 400 invalid_grant', async () => {
    h = await harness({
      seed: 3,
      days: 1,
      limits: roomy,
      zwiftAuth: { accessTokenTtlMs: 10 * MIN, refreshTokenTtlMs: HOUR },
    });
    const clock = clockOf(h);
    const t0 = clock.now();
    const tokens = await login(h);
    expect(tokens.expires_in).toBe(600);
    expect(tokens.refresh_expires_in).toBe(3600);
    await clock.runUntil(t0 + 10 * MIN);
    expect(await call(h, tokens.access_token)).toBe(401);
    await clock.runUntil(t0 + HOUR);
    const r = await refresh(h, tokens.refresh_token);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: 'invalid_grant', error_description: 'Token is not active' });
    expect(() => h?.sim.setZwiftPassword('')).toThrow(RangeError);
  });

  it('expireZwiftTokens(): access tokens at once; with refreshTokens the refresh tokens too', async () => {
    h = await harness({ seed: 3, days: 1, limits: roomy });
    const tokens = await login(h);
    expect(h.sim.expireZwiftTokens()).toBe(1);
    expect(await call(h, tokens.access_token)).toBe(401);
    const renewed = JSON.parse((await refresh(h, tokens.refresh_token)).text);
    expect(await call(h, renewed.access_token)).toBe(200);
    // Two refresh tokens are live now (the login's and the refresh's) plus one access token.
    expect(h.sim.expireZwiftTokens({ refreshTokens: true })).toBe(3);
    expect(await call(h, renewed.access_token)).toBe(401);
    expect((await refresh(h, renewed.refresh_token)).status).toBe(400);
    expect((await refresh(h, tokens.refresh_token)).status).toBe(400);
    // The password still works.
    expect(await call(h, (await login(h)).access_token)).toBe(200);
  });

  it('lockZwiftAccount(at): from then on 403 on API calls and token requests; unlock lifts it', async () => {
    h = await harness({ seed: 3, days: 1, limits: roomy });
    const clock = clockOf(h);
    const t0 = clock.now();
    const tokens = await login(h);
    h.sim.lockZwiftAccount(t0 + 30 * MIN);
    await clock.runUntil(t0 + 30 * MIN - 1);
    expect(await call(h, tokens.access_token)).toBe(200);
    await clock.runUntil(t0 + 30 * MIN);
    const api = await search(h, tokens.access_token, clock.now(), clock.now() + HOUR);
    expect(api.status).toBe(403);
    expect(JSON.parse(api.text).error).toBe('account_locked');
    const pw = await tokenRequest(h, {
      grant_type: 'password',
      username: h.sim.zwiftAccount.username,
      password: h.sim.zwiftAccount.password,
    });
    expect(pw.status).toBe(403);
    expect(JSON.parse(pw.text).error).toBe('account_locked');
    expect((await refresh(h, tokens.refresh_token)).status).toBe(403);
    h.sim.unlockZwiftAccount();
    expect(await call(h, tokens.access_token)).toBe(200);
    // Without an argument, the lock starts now.
    h.sim.lockZwiftAccount();
    expect(await call(h, tokens.access_token)).toBe(403);
  });

  it('setZwiftPassword: the old password gets 401 invalid_grant and every issued token stops working', async () => {
    h = await harness({ seed: 3, days: 1, limits: roomy });
    const old = h.sim.zwiftAccount.password;
    const tokens = await login(h);
    h.sim.setZwiftPassword('a-new-password');
    expect(h.sim.zwiftAccount.password).toBe('a-new-password');
    expect(await call(h, tokens.access_token)).toBe(401);
    expect((await refresh(h, tokens.refresh_token)).status).toBe(400);
    const r = await tokenRequest(h, {
      grant_type: 'password',
      username: h.sim.zwiftAccount.username,
      password: old,
    });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text).error).toBe('invalid_grant');
    expect(await call(h, (await login(h)).access_token)).toBe(200);
  });
});
