/**
 * The simulated Zwift accounts (one captain account per team): credentials, the lock and the
 * password a test can change, the tokens issued, and the account's follow graph.
 */

import { SimulatorConfigError } from '../config-error.ts';
import type { FollowGraph } from '../world/follows.ts';
import { deriveCredentials, type ZwiftCredentials } from './credentials.ts';
import { type TokenCheck, type TokenKind, TokenStore } from './token-store.ts';

const HOUR = 3_600_000;

/** Token lifetimes, defaults. */
export const ZWIFT_AUTH_DEFAULTS = {
  /** Access tokens live 6 h, like Zwift's (`expires_in: 21600`). */
  accessTokenTtlMs: 6 * HOUR,
  /** Refresh tokens live 7 days. */
  refreshTokenTtlMs: 7 * 24 * HOUR,
} as const;

/** Token lifetimes, resolved. */
export interface ZwiftAuthSettings {
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
}

/** One captain account. */
export class ZwiftAccount {
  password: string;
  /** Clock ms from which the account is locked (+Infinity: never). */
  lockedAt = Number.POSITIVE_INFINITY;
  private graph: FollowGraph | null = null;

  constructor(
    readonly teamIndex: number,
    readonly username: string,
    password: string,
    private readonly buildGraph: () => FollowGraph,
  ) {
    this.password = password;
  }

  /** The account's credentials as they are now. */
  get credentials(): ZwiftCredentials {
    return { username: this.username, password: this.password };
  }

  /** Whether the account is locked at `now`. */
  lockedAtTime(now: number): boolean {
    return now >= this.lockedAt;
  }

  /** Which riders the account follows (built on first use). */
  follows(): FollowGraph {
    this.graph ??= this.buildGraph();
    return this.graph;
  }
}

/** Every captain account of a simulation, and the tokens they were issued. */
export class ZwiftAccounts {
  readonly tokens: TokenStore;
  private readonly list: ZwiftAccount[];
  private readonly byName = new Map<string, ZwiftAccount>();

  constructor(
    seed: number | string,
    teams: number,
    settings: ZwiftAuthSettings,
    graph: (teamIndex: number) => FollowGraph,
  ) {
    this.tokens = new TokenStore(seed, settings.accessTokenTtlMs, settings.refreshTokenTtlMs);
    this.list = Array.from({ length: teams }, (_, t) => {
      const { username, password } = deriveCredentials(seed, t);
      const account = new ZwiftAccount(t, username, password, () => graph(t));
      this.byName.set(username, account);
      return account;
    });
  }

  /** The captain account of team `teamIndex`; a RangeError names an unknown team. */
  ofTeam(teamIndex: number): ZwiftAccount {
    const a = this.list[teamIndex];
    if (!a) throw new SimulatorConfigError(`unknown team: ${teamIndex}`);
    return a;
  }

  /** The account with this username, if any. */
  byUsername(username: string): ZwiftAccount | undefined {
    return this.byName.get(username);
  }

  /** Whose live token `token` is at `now`. */
  check(token: string, kind: TokenKind, now: number): TokenCheck {
    return this.tokens.check(token, kind, now);
  }
}
