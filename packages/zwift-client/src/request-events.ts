import type { BucketName, EndpointId } from './rate-limit/table.ts';

/**
 * One HTTP attempt leaving the client, passed to the `onRequest` option. Every attempt counts —
 * retries after a 5xx, a network error or a timeout, and the retry after a 429, each get their own.
 * Carries no header, never the API key, and a URL without credentials.
 */
export interface RequestEvent {
  /** Endpoint id (an `ENDPOINTS` key), e.g. `'riders.get'`. */
  readonly endpoint: EndpointId;
  /** Rate-limit bucket the attempt took its token from. */
  readonly bucket: BucketName;
  readonly method: 'GET' | 'POST';
  /** Request URL as sent (base URLs cannot hold credentials; the API key, only ever a header, is redacted should it appear). */
  readonly url: string;
  /** `1` for the first attempt of a call, `2` for its first retry, and so on. */
  readonly attempt: number;
  /** When the attempt left, on the client's `clock` (epoch ms). */
  readonly startedAt: number;
}

/** How an attempt ended: an HTTP response (any status), or no response at all. */
export type RequestOutcome = 'response' | 'network_error' | 'timeout' | 'aborted';

/** The end of one HTTP attempt, passed to the `onResponse` option: exactly one per {@link RequestEvent}. */
export interface ResponseEvent extends RequestEvent {
  /** HTTP status; `null` when no response arrived (`outcome` says why). */
  readonly status: number | null;
  readonly outcome: RequestOutcome;
  /** Clock ms from `startedAt` until the response's status and headers arrived, or the attempt failed. */
  readonly durationMs: number;
}
