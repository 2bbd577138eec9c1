import type { WaitBudget } from '../rate-limit/limiter.ts';

/** The call that needs an access token: its internal signal, wait budget and priority. */
export interface TokenCall {
  /** Endpoint id of the API call (for messages). */
  readonly endpoint: string;
  /** The call's internal signal (see `CallScopes`), never the caller's own. */
  readonly signal: AbortSignal | undefined;
  readonly budget: WaitBudget;
  readonly priority: number;
}

/** Where the Zwift-account API calls get their Bearer token. Internal. */
export interface AccessTokens {
  /** A usable access token: cached, or obtained (one request for any number of concurrent calls). */
  get(call: TokenCall): Promise<string>;
  /** Zwift answered 401 to `token`: the next `get` renews it (no-op when it was already replaced). */
  rejected(token: string): void;
}
