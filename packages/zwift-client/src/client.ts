import PQueue from 'p-queue';
import { PasswordTokens } from './auth/password-tokens.ts';
import { ProviderTokens } from './auth/provider-tokens.ts';
import { systemClock } from './clock.ts';
import type { ClientContext } from './context.ts';
import { type ClubsGroup, createClubsGroup } from './groups/clubs.ts';
import { createEventsGroup, type EventsGroup } from './groups/events.ts';
import { createRateLimitsGroup, type RateLimitsGroup } from './groups/rate-limits.ts';
import { createResultsGroup, type ResultsGroup } from './groups/results.ts';
import { createRidersGroup, type RidersGroup } from './groups/riders.ts';
import { createRoutesGroup, type RoutesGroup } from './groups/routes.ts';
import { createZwiftGroup, type ZwiftGroup } from './groups/zwift.ts';
import { CallScopes } from './http/call-scope.ts';
import { AttemptObserver } from './http/observer.ts';
import { Timeouts } from './http/timeouts.ts';
import { createTransport } from './http/transport.ts';
import { safeLogger } from './logger.ts';
import { resolveOptions, type ZwiftClientOptions } from './options.ts';
import { Limiter } from './rate-limit/limiter.ts';
import { createMemoryRateLimitStore } from './rate-limit/memory-store.ts';
import {
  keyNamespace,
  storeKey,
  ZWIFT_TOKEN_NAMESPACE,
  zwiftAccountNamespace,
} from './rate-limit/namespace.ts';
import { BUCKET_NAMES, type BucketName, RATE_LIMITS } from './rate-limit/table.ts';
import type { BucketSpec } from './rate-limit/types.ts';
import { excerptOf, Secrets } from './redact.ts';

/** The client: one group per upstream resource. Every method takes `{ signal, priority, maxWaitMs }` last. */
export interface ZwiftClient {
  riders: RidersGroup;
  clubs: ClubsGroup;
  results: ResultsGroup;
  events: EventsGroup;
  routes: RoutesGroup;
  zwift: ZwiftGroup;
  rateLimits: RateLimitsGroup;
}

/**
 * Creates a client. Options are validated up front (`ConfigError` naming the option).
 *
 * @example
 * const client = createZwiftClient({ apiKey: process.env.ZWIFTRACING_API_KEY });
 * const rider = await client.riders.get(4598636);
 */
export function createZwiftClient(options: ZwiftClientOptions = {}): ZwiftClient {
  const o = resolveOptions(options);
  const auth = o.zwiftAuth;
  // the username is no secret, but it names a person: kept out of logs and errors too
  const secrets = new Secrets(
    auth?.kind === 'password' ? [o.apiKey, auth.password, auth.username] : [o.apiKey],
  );
  const redact = secrets.redact;
  const logger = safeLogger(o.logger, redact);
  const clock = o.clock ?? systemClock;
  const store = o.rateLimitStore ?? createMemoryRateLimitStore();
  const queue = new PQueue({ concurrency: o.concurrency });
  const namespace = o.apiKey === null ? null : keyNamespace(o.apiKey);
  const zwiftAccount =
    auth === null
      ? null
      : auth.kind === 'password'
        ? zwiftAccountNamespace(auth.username)
        : auth.account === null
          ? ZWIFT_TOKEN_NAMESPACE
          : zwiftAccountNamespace(auth.account);
  const specs = {} as Record<BucketName, BucketSpec>;
  const storeKeys = {} as Record<BucketName, string | null>;
  for (const bucket of BUCKET_NAMES) {
    specs[bucket] = Object.freeze({ ...(o.limits[bucket] ?? RATE_LIMITS[bucket][o.tier]) });
    storeKeys[bucket] = storeKey(bucket, namespace, zwiftAccount);
  }
  Object.freeze(specs);
  Object.freeze(storeKeys);
  const onSkip = o.onSkip;
  const debug = typeof o.logger?.debug === 'function';
  // ky's hooks are installed only when someone listens: they cost a response clone per attempt
  const observer =
    debug || o.onRequest !== undefined || o.onResponse !== undefined
      ? new AttemptObserver({
          clock,
          logger,
          debug,
          onRequest: o.onRequest,
          onResponse: o.onResponse,
          redact,
        })
      : null;

  const ctx: ClientContext = {
    namespace,
    tier: o.tier,
    http: createTransport({
      apiKey: o.apiKey,
      baseUrl: o.baseUrl,
      siteBaseUrl: o.siteBaseUrl,
      zwiftBaseUrl: o.zwiftBaseUrl,
      zwiftAuthBaseUrl: o.zwiftAuthBaseUrl,
      fetch: o.fetch,
      observer,
    }),
    observer,
    scopes: new CallScopes(),
    clock,
    store,
    limiter: new Limiter(store, clock, queue),
    specs,
    storeKeys,
    timeoutMs: o.timeoutMs,
    timeouts: new Timeouts(clock, o.timeoutMs),
    retry: o.retry,
    maxBodyBytes: o.maxBodyBytes,
    clubPageSize: o.clubPageSize,
    logger,
    redact,
    secrets,
    zwiftTokens: null,
    reportSkip(record) {
      logger.warn(
        {
          endpoint: record.endpoint,
          index: record.index,
          path: record.path,
          excerpt: excerptOf(record.excerpt, redact),
        },
        `${record.endpoint}: skipped malformed record at ${record.path}: ${record.message}`,
      );
      if (onSkip !== undefined) {
        try {
          onSkip(record);
        } catch (error) {
          logger.error(
            { endpoint: record.endpoint },
            `onSkip threw: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    },
  };

  if (auth !== null) {
    ctx.zwiftTokens =
      auth.kind === 'password'
        ? new PasswordTokens(ctx, storeKeys['zwift-auth']!, auth.username, auth.password)
        : new ProviderTokens(ctx, auth.token);
  }

  return {
    riders: createRidersGroup(ctx),
    clubs: createClubsGroup(ctx),
    results: createResultsGroup(ctx),
    events: createEventsGroup(ctx),
    routes: createRoutesGroup(ctx),
    zwift: createZwiftGroup(ctx),
    rateLimits: createRateLimitsGroup(ctx),
  };
}
