import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'packages/supabase-adapter/vitest.reliability.config.ts',
      'packages/fleet/vitest.multiprocess.config.ts',
      'examples/*/vitest.config.ts',
      'tools/*/vitest.config.ts',
      'bench/vitest.config.ts',
      'kits/*/vitest.config.ts',
      'test/vitest.config.ts',
    ],
  },
});
