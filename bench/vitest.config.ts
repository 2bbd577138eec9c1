import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'bench',
    include: ['test/**/*.test.ts'],
    // Simulated hours on a virtual clock (seconds of wall time); generous for slow machines.
    testTimeout: 180_000,
  },
});
