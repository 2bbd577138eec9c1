import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

// Several worker processes and the simulator on one virtual time moved in lockstep: a loaded
// machine only slows the test. Runs after every other test (groupOrder 1), one file at a time.
export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'fleet-multiprocess',
    include: ['test/fleet-multiprocess.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    testTimeout: 1_500_000,
    hookTimeout: 60_000,
  },
});
