import ky, { type Hooks, isHTTPError, type KyInstance } from 'ky';
import type { ApiName } from '../rate-limit/table.ts';
import { parseJsonSafe } from './json.ts';
import type { Attempt, AttemptObserver } from './observer.ts';

/** One ky instance per upstream API, each with its base URL as `prefix`. */
export type Transport = Readonly<Record<ApiName, KyInstance>>;

export interface TransportConfig {
  apiKey: string | null;
  baseUrl: string;
  siteBaseUrl: string;
  zwiftBaseUrl: string;
  zwiftAuthBaseUrl: string;
  /** The user's `fetch`; `undefined` = the global `fetch`, looked up at each request. */
  fetch: typeof fetch | undefined;
  /** Reports attempts (request events, debug lines); `null` = no hooks at all. */
  observer: AttemptObserver | null;
}

/** The attempt record a request carries in ky's `context` (see `sendOnce`). */
const attemptOf = (context: Record<string, unknown>): Attempt | undefined =>
  context['attempt'] as Attempt | undefined;

function observerHooks(observer: AttemptObserver): Hooks {
  return {
    beforeRequest: [
      ({ request, options }) => {
        const attempt = attemptOf(options.context);
        if (attempt !== undefined) observer.start(attempt, request.url);
      },
    ],
    // Runs for every response, error statuses included (before ky turns them into an HTTPError).
    afterResponse: [
      ({ response, options }) => {
        const attempt = attemptOf(options.context);
        if (attempt !== undefined) observer.end(attempt, response.status, 'response');
      },
    ],
    // Attempts that got no response: network errors, timeouts, aborts.
    beforeError: [
      ({ error, options }) => {
        const attempt = attemptOf(options.context);
        if (attempt !== undefined && !isHTTPError(error)) {
          // anything else that kept a response from arriving counts as a network error
          const outcome = attempt.timedOut ? 'timeout' : attempt.aborted ? 'aborted' : 'network_error';
          observer.end(attempt, null, outcome);
        }
        return error;
      },
    ],
  };
}

/**
 * ky builds and sends every request: URL prefixing for the four bases, the JSON body and its
 * content type, `accept`, the raw `Authorization` key for the public API only (the Bearer token of
 * the Zwift-account API is a per-request header, see `sendOnce`), non-2xx statuses
 * as `HTTPError` (body read and parsed into `error.data`), the user's `fetch`. Its own retries and
 * timeouts are off (`retry: 0`, `timeout: false`): every wait runs on the client's clock instead.
 */
export function createTransport(config: TransportConfig): Transport {
  const userFetch = config.fetch;
  const base = ky.create({
    retry: 0,
    timeout: false,
    throwHttpErrors: true,
    // Looked up per request, so a global fetch patched after the client was created (nock) is used.
    fetch: userFetch ?? ((input, init) => globalThis.fetch(input, init)),
    // error bodies (`HTTPError.data`) parsed without prototype-polluting keys
    parseJson: (text) => parseJsonSafe(text),
    headers: { accept: 'application/json' },
    ...(config.observer === null ? {} : { hooks: observerHooks(config.observer) }),
  });
  return Object.freeze({
    public: base.extend({
      prefix: config.baseUrl,
      ...(config.apiKey === null ? {} : { headers: { authorization: config.apiKey } }),
    }),
    site: base.extend({ prefix: config.siteBaseUrl }),
    zwift: base.extend({ prefix: config.zwiftBaseUrl }),
    'zwift-token': base.extend({ prefix: config.zwiftAuthBaseUrl }),
    'zwift-account': base.extend({ prefix: config.zwiftBaseUrl }),
  });
}
