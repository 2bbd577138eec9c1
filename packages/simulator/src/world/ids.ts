import { stream } from '../prng.ts';

const ID_BASE = 1000;
/** Rider ids live in [1000, 1000 + M): like real Zwift ids (up to ~7.5 M). */
const M = 7_400_000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function modInverse(a: number, m: number): number {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

function mulMod(a: number, b: number, m: number): number {
  // a, b < 2^23: the product stays below 2^53.
  return (a * b) % m;
}

/**
 * A seeded bijection between rider "refs" (0 … populationSize-1 for the other riders,
 * populationSize + k for team rider k) and realistic, scattered rider ids. Any rider can be
 * looked up by id in O(1) without a map.
 */
export class RiderIds {
  private readonly a: number;
  private readonly aInv: number;
  private readonly b: number;

  constructor(seed: number | string) {
    const rng = stream(seed, 'rider-ids');
    let a = rng.int(1_000_003, M - 1);
    while (gcd(a, M) !== 1) a++;
    this.a = a;
    this.aInv = modInverse(a, M);
    this.b = rng.int(0, M - 1);
  }

  idOf(ref: number): number {
    return ID_BASE + ((mulMod(this.a, ref, M) + this.b) % M);
  }

  /** The ref of `id`, or -1 when `id` is outside the id space. */
  refOf(id: number): number {
    if (!Number.isInteger(id) || id < ID_BASE || id >= ID_BASE + M) return -1;
    const x = (((id - ID_BASE - this.b) % M) + M) % M;
    return mulMod(x, this.aInv, M);
  }
}
