import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { BucketName, EndpointId } from '../rate-limit/table.ts';
import type { RequestEvent, RequestOutcome, ResponseEvent } from '../request-events.ts';

/** One HTTP attempt as the observer tracks it (handed to ky's hooks through `context`). */
export interface Attempt {
  readonly endpoint: EndpointId;
  readonly bucket: BucketName;
  readonly method: 'GET' | 'POST';
  /** 1-based. */
  readonly number: number;
  /** Set when the client's timeout aborted the attempt. */
  timedOut: boolean;
  /** Set when the call's signal aborted the attempt. */
  aborted: boolean;
  /** Filled in by {@link AttemptObserver.start}. */
  started: RequestEvent | null;
  ended: boolean;
}

/** What the observer reports to. */
export interface ObserverTargets {
  clock: Clock;
  logger: Required<Logger>;
  /** Whether to write debug lines. */
  debug: boolean;
  onRequest: ((event: RequestEvent) => void) | undefined;
  onResponse: ((event: ResponseEvent) => void) | undefined;
  redact: (text: string) => string;
}

/**
 * Turns ky's hooks into the client's request events and debug lines: {@link start} when an
 * attempt leaves, {@link end} exactly once when it ends (a response of any status, or none). A
 * throwing or slow user callback never affects the request: it is called synchronously, its
 * return value ignored, its exception logged.
 */
export class AttemptObserver {
  readonly #t: ObserverTargets;

  constructor(targets: ObserverTargets) {
    this.#t = targets;
  }

  /** A fresh attempt record to pass to ky as `context.attempt`. */
  attempt(endpoint: EndpointId, bucket: BucketName, method: 'GET' | 'POST', number: number): Attempt {
    return { endpoint, bucket, method, number, timedOut: false, aborted: false, started: null, ended: false };
  }

  start(attempt: Attempt, url: string): void {
    const { clock, onRequest } = this.#t;
    const event: RequestEvent = Object.freeze({
      endpoint: attempt.endpoint,
      bucket: attempt.bucket,
      method: attempt.method,
      // base URLs cannot hold credentials (checked up front); the key is only ever a header
      url: this.#t.redact(url),
      attempt: attempt.number,
      startedAt: clock.now(),
    });
    attempt.started = event;
    if (onRequest !== undefined) this.#call('onRequest', onRequest, event);
  }

  /** Reports the end of `attempt`; later calls for the same attempt do nothing. */
  end(attempt: Attempt, status: number | null, outcome: RequestOutcome): void {
    const started = attempt.started;
    if (attempt.ended || started === null) return;
    attempt.ended = true;
    const { clock, onResponse, logger } = this.#t;
    const event: ResponseEvent = Object.freeze({
      ...started,
      status,
      outcome,
      durationMs: Math.max(0, clock.now() - started.startedAt),
    });
    if (this.#t.debug) {
      const what = status === null ? outcome.replace('_', ' ') : `HTTP ${status}`;
      logger.debug(
        {
          endpoint: event.endpoint,
          bucket: event.bucket,
          method: event.method,
          url: event.url,
          attempt: event.attempt,
          status,
          outcome,
          durationMs: event.durationMs,
        },
        `${event.endpoint}: ${event.method} ${event.url} → ${what} (${event.durationMs} ms, attempt ${event.attempt})`,
      );
    }
    if (onResponse !== undefined) this.#call('onResponse', onResponse, event);
  }

  #call<E extends RequestEvent>(name: string, fn: (event: E) => void, event: E): void {
    const report = (error: unknown): void =>
      this.#t.logger.error(
        { endpoint: event.endpoint },
        `${name} threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    try {
      const result: unknown = fn(event);
      // an async callback is not awaited, but its rejection is reported, not left unhandled
      if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, report);
      }
    } catch (error) {
      report(error);
    }
  }
}
