import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

/** Each published entry point and the names a user's project relies on. */
const entries: Record<string, string[]> = {
  '@racesync/zwift-client': [
    'createZwiftClient',
    'createMemoryRateLimitStore',
    'RateLimitError',
    'RATE_LIMITS',
  ],
  '@racesync/sync-core': ['createSyncEngine', 'createMemoryStorage', 'resolvePolicy', 'SyncError'],
  '@racesync/sync-core/internal': ['hashData', 'planSignupFetches', 'Coordinator', 'syncSignups'],
  '@racesync/sync-core/testing': ['runStorageConformance'],
  '@racesync/supabase-adapter': ['createPostgresStorage', 'createPostgresTransport', 'migrate', 'migrations'],
  '@racesync/simulator': ['createSimulation', 'createVirtualClock', 'createScaledClock'],
  // pg-boss is ESM-only: the CJS build require()s it (Node >= 22.12 loads ESM through require()).
  '@racesync/fleet': ['createFleetWorker', 'fleetTeams', 'migrateFleet', 'FleetError'],
};

describe('built packages load as a user project loads them', () => {
  it('every package has been built (run `pnpm build` first)', () => {
    for (const dir of ['zwift-client', 'sync-core', 'supabase-adapter', 'simulator', 'fleet']) {
      expect(existsSync(`${root}packages/${dir}/dist/index.cjs`), `${dir}/dist missing`).toBe(true);
    }
  });

  for (const [specifier, names] of Object.entries(entries)) {
    it(`${specifier}: require() and import() expose the same named exports`, async () => {
      const cjs = require(specifier) as Record<string, unknown>;
      const esm = (await import(specifier)) as Record<string, unknown>;
      for (const name of names) {
        expect(cjs[name], `CJS ${specifier} lacks ${name}`).toBeDefined();
        expect(esm[name], `ESM ${specifier} lacks ${name}`).toBeDefined();
      }
      const esmNames = Object.keys(esm).filter((k) => k !== 'default' && k !== 'module.exports');
      expect(Object.keys(cjs).sort()).toEqual(esmNames.sort());
    });
  }

  it('publint --strict and attw --pack pass for every published package', () => {
    const out = execFileSync('node', [`${root}scripts/check-packages.mjs`], { encoding: 'utf8' });
    expect(out).not.toContain('FAIL');
  });
});
