import { inspect } from 'node:util';
import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { createZwiftClient } from '@racesync/zwift-client';
import { describe, expect, it } from 'vitest';
import { type ChangeEvent, createMemoryStorage, createSyncEngine } from '../../src/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

// The follower feed holds a Zwift password and the tokens it buys. None of them may reach what the
// engine writes or says: the sync log, the job states (the feed's cursor), change events, log lines
// — through refreshed tokens, expired ones, a password changed under it and the fallback that follows.
describe('the follower feed never leaks a Zwift secret', () => {
  it('password, username and every token stay out of the sync log, job states, change events and logs', async () => {
    const sim = createSimulation({ seed: 5, teamSize: 40, days: 2 });
    const urls = await sim.listen();
    const clock = sim.clock as VirtualClock;
    const { username, password } = urls.zwiftAccount;
    const tokens = new Set<string>();
    const fetchAndKeepTokens = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await sim.fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.includes('/openid-connect/token') && response.ok) {
        const body = (await response.clone().json()) as { access_token?: string; refresh_token?: string };
        if (body.access_token) tokens.add(body.access_token);
        if (body.refresh_token) tokens.add(body.refresh_token);
      }
      return response;
    }) as typeof fetch;
    const lines: string[] = [];
    const logAt = (level: string) => (fields: Record<string, unknown>, message: string) => {
      lines.push(`${level} ${message} ${inspect(fields, { depth: 8 })} ${JSON.stringify(fields)}`);
    };
    const logger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') };
    const client = createZwiftClient({
      apiKey: urls.apiKey,
      baseUrl: urls.baseUrl,
      siteBaseUrl: urls.siteBaseUrl,
      zwiftBaseUrl: urls.zwiftBaseUrl,
      zwiftAuth: { username, password },
      zwiftAuthBaseUrl: urls.zwiftAuthBaseUrl,
      fetch: fetchAndKeepTokens,
      clock,
      logger,
      retry: { random: () => 0.5 },
    });
    const storage = createMemoryStorage();
    const engine = createSyncEngine({
      source: client,
      storage,
      team: { clubId: urls.clubId },
      clock,
      logger,
      followerFeed: true,
      instanceId: 'secrets',
    });
    const events: ChangeEvent[] = [];
    engine.on('*', (e) => {
      events.push(e);
    });
    try {
      engine.start();
      await clock.advanceBy(2 * HOUR);
      // Tokens expire under the engine: the client refreshes them (new tokens to keep out too).
      sim.expireZwiftTokens();
      await clock.advanceBy(HOUR);
      // The password changes: every token stops working, the old password is refused — fallback.
      sim.setZwiftPassword('a-new-password-for-the-captain');
      await clock.advanceBy(2 * HOUR);
      await clock.run(engine.stop());

      expect(tokens.size).toBeGreaterThanOrEqual(4);
      expect(events.some((e) => e.type === 'feed.fallback')).toBe(true);
      const haystack = [
        JSON.stringify(await storage.listSyncLog()),
        inspect(await storage.getJobStates(), { depth: 12 }),
        JSON.stringify(await storage.getJobStates()),
        JSON.stringify(events),
        inspect(events, { depth: 8 }),
        ...lines,
      ].join('\n');
      expect(haystack).toContain('follower feed off');
      expect(haystack.includes(password), 'the Zwift password').toBe(false);
      expect(haystack.includes(username), 'the Zwift username').toBe(false);
      for (const token of tokens) {
        expect(haystack.includes(token), 'a Zwift token').toBe(false);
        // Nor a recognisable piece of one (JWT header/payload/signature parts).
        for (const part of token.split('.'))
          if (part.length >= 16) expect(haystack.includes(part)).toBe(false);
      }
    } finally {
      await clock.run(engine.stop());
      await sim.close();
    }
  });
});
