/**
 * @racesync/zwift-client — typed, rate-limit-exact client for the ZwiftRacing.app public API,
 * its site API, Zwift's public events API and (with a Zwift account) Zwift's follower feed.
 *
 * @packageDocumentation
 */

// Zwift account (follower feed)
export type {
  ZwiftAuth,
  ZwiftPasswordAuth,
  ZwiftProvidedToken,
  ZwiftTokenAuth,
  ZwiftTokenProvider,
  ZwiftTokenRequest,
} from './auth/zwift-auth.ts';
export { createZwiftClient, type ZwiftClient } from './client.ts';
export { type Clock, systemClock } from './clock.ts';
export { AuthError } from './errors/auth-error.ts';
export { ConfigError } from './errors/config-error.ts';
export { NotFoundError } from './errors/not-found-error.ts';
export { RateLimitError } from './errors/rate-limit-error.ts';
export { TimeoutError } from './errors/timeout-error.ts';
export { TransientError } from './errors/transient-error.ts';
export { ValidationError } from './errors/validation-error.ts';
// Errors
export { type ErrorKind, ZwiftApiError, type ZwiftApiErrorOptions } from './errors/zwift-api-error.ts';
export { ZWIFT_SEARCH_MAX_LIMIT, ZWIFT_SEARCH_MAX_RANGE_MS } from './groups/args.ts';
export type { ClubsGroup } from './groups/clubs.ts';
export type { EventsGroup } from './groups/events.ts';
export type { RateLimitsGroup } from './groups/rate-limits.ts';
export type { ResultsGroup } from './groups/results.ts';
// Groups
export { BULK_RIDERS_MAX, type RiderCallOptions, type RidersGroup } from './groups/riders.ts';
export type { RoutesGroup } from './groups/routes.ts';
export type { ZwiftGroup } from './groups/zwift.ts';
export {
  ZWIFT_ENTRANTS_MAX_PAGES,
  ZWIFT_ENTRANTS_PAGE_SIZE,
  type ZwiftEntrantsQuery,
  type ZwiftEntrantType,
  type ZwiftSearchRange,
} from './groups/zwift-feed.ts';
export type { CallOptions } from './http/request.ts';
export type { LogFn, Logger } from './logger.ts';
export { normaliseRaceEvent } from './normalise/events.ts';
// Normalisation helpers (pure)
export { decodeHtmlEntities } from './normalise/html-entities.ts';
export { normaliseResultRow } from './normalise/results.ts';
export { normaliseRider } from './normalise/rider.ts';
export { normaliseRoute } from './normalise/routes.ts';
export { normaliseSignupRider } from './normalise/signups.ts';
export { normaliseZwiftPowerRow } from './normalise/zp-results.ts';
export { normaliseZwiftEvent } from './normalise/zwift-events.ts';
export {
  normaliseZwiftEntrant,
  normaliseZwiftFeedEvent,
  normaliseZwiftFeedSubgroup,
} from './normalise/zwift-feed.ts';
export { DEFAULTS, type RetryOptions, type ZwiftClientOptions } from './options.ts';
export { createMemoryRateLimitStore } from './rate-limit/memory-store.ts';
export {
  keyNamespace,
  storeKey,
  ZWIFT_TOKEN_NAMESPACE,
  zwiftAccountNamespace,
} from './rate-limit/namespace.ts';
export {
  type ApiName,
  BUCKET_NAMES,
  type BucketName,
  ENDPOINTS,
  type EndpointId,
  KEYED_BUCKETS,
  RATE_LIMITS,
  type Tier,
  ZWIFT_ACCOUNT_BUCKETS,
} from './rate-limit/table.ts';
// Rate limits
export type { BucketSpec, BucketState, RateLimitStore, TakeResult } from './rate-limit/types.ts';
// Request events (`onRequest` / `onResponse`)
export type { RequestEvent, RequestOutcome, ResponseEvent } from './request-events.ts';
export { clubPageSchema, type RawClubPage } from './schemas/club.ts';
// zod schemas (raw upstream shapes, drift-tolerant) and their inferred types
export {
  numberLikeSchema,
  numericIdSchema,
  numericStringSchema,
  optionalFlagSchema,
  optionalNumberSchema,
  optionalStringSchema,
  powerValueSchema,
  riderIdSchema,
  stringIdSchema,
} from './schemas/common.ts';
export { type RawRaceEvent, raceEventSchema } from './schemas/events.ts';
export {
  type RawResultRow,
  type RawResultsEnvelope,
  resultRowSchema,
  resultsBodySchema,
  resultsEnvelopeSchema,
} from './schemas/results.ts';
export {
  type RawRatingPoint,
  type RawRider,
  ratingPointSchema,
  riderPowerSchema,
  riderRaceSchema,
  riderSchema,
} from './schemas/rider.ts';
export { type RawRoute, routeSchema } from './schemas/routes.ts';
export {
  type RawSignupPen,
  type RawSignupRider,
  signupPenSchema,
  signupRiderSchema,
} from './schemas/signups.ts';
export { type RawZwiftPowerResultRow, zpResultRowSchema, zpResultsBodySchema } from './schemas/zp-results.ts';
export {
  type RawZwiftEvent,
  type RawZwiftSubgroup,
  zwiftEventSchema,
  zwiftSubgroupSchema,
} from './schemas/zwift-events.ts';
export {
  type RawZwiftFeedEvent,
  type RawZwiftFeedSubgroup,
  type RawZwiftProfile,
  zwiftFeedEventSchema,
  zwiftFeedSubgroupSchema,
  zwiftProfileSchema,
} from './schemas/zwift-feed.ts';
export { type RawZwiftTokenResponse, zwiftTokenResponseSchema } from './schemas/zwift-token.ts';
// Normalised records and method results
export type {
  ClubMembersPage,
  ClubMembersResult,
  EventResults,
  EventSignups,
  RaceEvent,
  RatingPoint,
  ResultRow,
  Rider,
  RiderPower,
  RiderRace,
  RidersResult,
  Route,
  RoutesResult,
  SignupPen,
  SignupRider,
  SkippedRecord,
  UpcomingEvents,
  ZwiftEntrant,
  ZwiftEvent,
  ZwiftFeedEvent,
  ZwiftFeedSearch,
  ZwiftFeedSubgroup,
  ZwiftPowerResultRow,
  ZwiftPowerResults,
  ZwiftSubgroup,
  ZwiftSubgroupEntrants,
  ZwiftUpcomingEvents,
} from './types.ts';
