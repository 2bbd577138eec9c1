import { defineConfig } from 'tsup';
import { dualBuild } from '../../tsup.shared.ts';

export default defineConfig(
  dualBuild({
    entry: { index: 'src/index.ts', internal: 'src/internal.ts', testing: 'src/testing/index.ts' },
    bundleIntoCjs: [],
  }),
);
