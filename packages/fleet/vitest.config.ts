import { configDefaults, defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'fleet',
    include: ['test/**/*.test.ts'],
    // The multi-process fleet test has its own project (vitest.fleet-multiprocess.config.ts).
    exclude: [...configDefaults.exclude, 'test/fleet-multiprocess.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
