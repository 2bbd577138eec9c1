import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

// The multi-process reliability tests (crash-and-restart, several instances) run simulated time at
// 300–1000× real time, so real jitter becomes simulated seconds: they run after every other test
// (groupOrder 1) and one file at a time, so no other test competes with them for the CPU.
export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'reliability',
    include: ['test/reliability/crash.test.ts', 'test/reliability/multi-instance-engine.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
