import type { Json } from '../storage/records.js';

/**
 * A copy of `data` without the given dotted paths (e.g. `race.max30.expires`): volatile fields that
 * change without a real change must not move the hash.
 */
export function omitPaths(data: { [key: string]: Json }, paths: readonly string[]): { [key: string]: Json } {
  const out = structuredClone(data);
  for (const path of paths) {
    const parts = path.split('.');
    let node: Json | undefined = out;
    for (let i = 0; i < parts.length - 1 && node !== undefined; i++) {
      node = node !== null && typeof node === 'object' && !Array.isArray(node) ? node[parts[i]!] : undefined;
    }
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      delete node[parts[parts.length - 1]!];
    }
  }
  return out;
}
