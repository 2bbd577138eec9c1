import {
  type RateLimitStore as ClientRateLimitStore,
  createMemoryRateLimitStore,
  createZwiftClient,
} from '@racesync/zwift-client';
import { expect, it } from 'vitest';
import type { RateLimitStore, SyncSource } from '../src/index.js';

it('a @racesync/zwift-client client is a SyncSource as is (checked by the type checker)', () => {
  const client = createZwiftClient({ apiKey: 'k', fetch: async () => new Response('[]') });
  const source: SyncSource = client;
  expect(typeof source.events.upcoming).toBe('function');
});

it("the client's RateLimitStore and sync-core's structural copy stay interchangeable (both ways)", async () => {
  const clientStore: ClientRateLimitStore = createMemoryRateLimitStore();
  const coreStore: RateLimitStore = clientStore;
  const backToClient: ClientRateLimitStore = coreStore;
  const spec = { capacity: 1, intervalMs: 60_000 };
  expect(await backToClient.take('k', spec, 0)).toEqual({ granted: true, waitMs: 0 });
  expect((await coreStore.take('k', spec, 1)).granted).toBe(false);
});
