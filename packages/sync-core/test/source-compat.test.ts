import { createZwiftClient } from '@racesync/zwift-client';
import { expect, it } from 'vitest';
import type { SyncSource } from '../src/index.js';

it('a @racesync/zwift-client client is a SyncSource as is (checked by the type checker)', () => {
  const client = createZwiftClient({ apiKey: 'k', fetch: async () => new Response('[]') });
  const source: SyncSource = client;
  expect(typeof source.events.upcoming).toBe('function');
});
