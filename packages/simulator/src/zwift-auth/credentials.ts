/** The simulated Zwift account's credentials, derived from the seed (never a real account). */
import { hash32 } from '../prng.ts';

/** A Zwift account's login. */
export interface ZwiftCredentials {
  /** The account's e-mail address (Zwift logs in by e-mail). */
  username: string;
  password: string;
}

const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** The credentials of team `teamIndex`'s captain account for `seed`. */
export function deriveCredentials(seed: number | string, teamIndex: number): ZwiftCredentials {
  const h = (i: number): string => hex(hash32(seed, 'zwift-account', teamIndex, i));
  return {
    username: `captain-${h(1)}@racesync-sim.invalid`,
    password: `sim-${h(2)}${h(3)}`,
  };
}
