import { configDefaults, defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'supabase-adapter',
    include: ['test/**/*.test.ts'],
    // The multi-process reliability tests have their own project (vitest.reliability.config.ts).
    exclude: [
      ...configDefaults.exclude,
      'test/reliability/crash.test.ts',
      'test/reliability/multi-instance-engine.test.ts',
      'test/reliability/multi-instance-follow.test.ts',
    ],
    // Starts (and stops) a throwaway PostgreSQL cluster; needs PostgreSQL's server binaries.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
