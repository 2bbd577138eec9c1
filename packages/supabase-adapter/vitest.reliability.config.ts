import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

// The multi-process reliability tests (crash-and-restart, several instances) run the simulator and
// their runner processes on one virtual time moved in lockstep: a loaded machine only slows them.
// They are long and use several processes each, so they run after every other test (groupOrder 1)
// and one file at a time.
export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'reliability',
    include: [
      'test/reliability/crash.test.ts',
      'test/reliability/multi-instance-engine.test.ts',
      'test/reliability/multi-instance-follow.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    testTimeout: 900_000,
    hookTimeout: 60_000,
  },
});
