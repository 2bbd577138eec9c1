/** Deterministic uniform numbers in [0, 1) (a 32-bit LCG), so tests of noise cannot flake. */
export function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}
