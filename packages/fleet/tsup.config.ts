import { defineConfig } from 'tsup';
import { dualBuild } from '../../tsup.shared.ts';

export default defineConfig(
  dualBuild({
    entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
    bundleIntoCjs: [],
  }),
);
