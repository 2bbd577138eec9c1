import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Workspace packages resolve to their TypeScript sources in tests: no build needed. */
export const workspaceAlias = [
  { find: /^@racesync\/sync-core\/testing$/, replacement: `${root}packages/sync-core/src/testing/index.ts` },
  { find: /^@racesync\/sync-core\/internal$/, replacement: `${root}packages/sync-core/src/internal.ts` },
  { find: /^@racesync\/zwift-client$/, replacement: `${root}packages/zwift-client/src/index.ts` },
  { find: /^@racesync\/sync-core$/, replacement: `${root}packages/sync-core/src/index.ts` },
  { find: /^@racesync\/supabase-adapter$/, replacement: `${root}packages/supabase-adapter/src/index.ts` },
  { find: /^@racesync\/simulator$/, replacement: `${root}packages/simulator/src/index.ts` },
  { find: /^@racesync\/verify$/, replacement: `${root}kits/verify/src/index.ts` },
];
