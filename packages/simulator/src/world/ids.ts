import { hash32 } from '../prng.ts';

const ID_BASE = 1000;
/** Rider ids live in [1000, 1000 + M): like real Zwift ids (up to ~7.5 M). */
const M = 7_400_000;
const HALF_BITS = 12;
const HALF_MASK = (1 << HALF_BITS) - 1;
const ROUNDS = 4;

/**
 * A seeded bijection between rider "refs" (0 … populationSize-1 for the other riders,
 * populationSize + k for team rider k) and realistic, scattered rider ids: a 4-round Feistel
 * network on 24 bits with cycle-walking into [0, M). Any rider can be looked up by id in O(1)
 * without a map, and consecutive refs give unrelated ids.
 */
export class RiderIds {
  private readonly keys: number[];

  constructor(seed: number | string) {
    this.keys = Array.from({ length: ROUNDS }, (_, i) => hash32(seed, 'rider-ids', i));
  }

  private round(x: number, key: number): number {
    let h = Math.imul(x ^ key, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
    return h & HALF_MASK;
  }

  private encrypt(x: number): number {
    let l = x >>> HALF_BITS;
    let r = x & HALF_MASK;
    for (let i = 0; i < ROUNDS; i++) {
      const next = l ^ this.round(r, this.keys[i] as number);
      l = r;
      r = next;
    }
    return (l << HALF_BITS) | r;
  }

  private decrypt(y: number): number {
    let l = y >>> HALF_BITS;
    let r = y & HALF_MASK;
    for (let i = ROUNDS - 1; i >= 0; i--) {
      const prev = r ^ this.round(l, this.keys[i] as number);
      r = l;
      l = prev;
    }
    return (l << HALF_BITS) | r;
  }

  idOf(ref: number): number {
    let x = this.encrypt(ref);
    while (x >= M) x = this.encrypt(x);
    return ID_BASE + x;
  }

  /** The ref of `id`, or -1 when `id` is outside the id space. */
  refOf(id: number): number {
    if (!Number.isInteger(id) || id < ID_BASE || id >= ID_BASE + M) return -1;
    let x = this.decrypt(id - ID_BASE);
    while (x >= M) x = this.decrypt(x);
    return x;
  }
}
