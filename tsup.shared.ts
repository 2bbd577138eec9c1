import type { Options } from 'tsup';

/**
 * Dual ESM + CJS build used by every published package.
 *
 * ESM-only dependencies (ky, p-queue) must be bundled into the CJS build, otherwise
 * `require()` of the CJS output fails at runtime (see shared/TOOLCHAIN.md).
 */
export function dualBuild(options: {
  entry: Record<string, string>;
  /** ESM-only dependencies to inline into the CJS output. */
  bundleIntoCjs?: string[];
}): Options[] {
  const common: Options = {
    entry: options.entry,
    dts: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    outDir: 'dist',
    tsconfig: 'tsconfig.build.json',
    splitting: false,
    treeshake: true,
  };
  return [
    { ...common, format: ['esm'] },
    { ...common, format: ['cjs'], noExternal: options.bundleIntoCjs ?? [] },
  ];
}
