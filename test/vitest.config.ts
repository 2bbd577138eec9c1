import { defineProject } from 'vitest/config';

// No alias here: these tests load the *built* packages exactly as a user's project would.
export default defineProject({
  test: {
    name: 'built-packages',
    include: ['**/*.test.ts'],
    testTimeout: 120_000,
  },
});
