import type { BucketSpec } from './types.ts';

/** Account tier of the ZwiftRacing.app API key. */
export type Tier = 'standard' | 'premium';

/** Names of the rate-limit buckets. */
export type BucketName =
  | 'riders'
  | 'riders-bulk'
  | 'clubs'
  | 'results'
  | 'results-zp'
  | 'site'
  | 'zwift'
  | 'zwift-auth'
  | 'zwift-search'
  | 'zwift-entrants';

/** Ids of the endpoints the client calls (also the `endpoint` of errors and skipped records). */
export type EndpointId =
  | 'riders.get'
  | 'riders.getMany'
  | 'clubs.members'
  | 'results.forEvent'
  | 'results.zwiftPower'
  | 'events.upcoming'
  | 'events.signups'
  | 'routes.list'
  | 'zwift.events.upcoming'
  | 'zwift.auth.token'
  | 'zwift.events.search'
  | 'zwift.subgroups.entrants';

const MINUTE = 60_000;

/**
 * The one declarative rate-limit table: bucket → limit per tier (sliding windows).
 * `site`, `zwift` and the three Zwift-account buckets (`zwift-auth`, `zwift-search`,
 * `zwift-entrants`) are self-imposed budgets (no published limits): override them with the
 * client's `limits` option. The Zwift-account buckets are per Zwift account, not per tier.
 */
export const RATE_LIMITS: Readonly<Record<BucketName, Readonly<Record<Tier, Readonly<BucketSpec>>>>> =
  Object.freeze({
    riders: { standard: { capacity: 5, intervalMs: MINUTE }, premium: { capacity: 10, intervalMs: MINUTE } },
    'riders-bulk': {
      standard: { capacity: 1, intervalMs: 15 * MINUTE },
      premium: { capacity: 10, intervalMs: 15 * MINUTE },
    },
    clubs: {
      standard: { capacity: 1, intervalMs: 60 * MINUTE },
      premium: { capacity: 10, intervalMs: 60 * MINUTE },
    },
    results: { standard: { capacity: 1, intervalMs: MINUTE }, premium: { capacity: 1, intervalMs: MINUTE } },
    'results-zp': {
      standard: { capacity: 1, intervalMs: MINUTE },
      premium: { capacity: 1, intervalMs: MINUTE },
    },
    site: { standard: { capacity: 10, intervalMs: MINUTE }, premium: { capacity: 10, intervalMs: MINUTE } },
    zwift: { standard: { capacity: 5, intervalMs: MINUTE }, premium: { capacity: 5, intervalMs: MINUTE } },
    // Zwift's token endpoint: password and refresh grants. Tiny on purpose: Zwift locks accounts
    // that log in too often.
    'zwift-auth': {
      standard: { capacity: 3, intervalMs: 60 * MINUTE },
      premium: { capacity: 3, intervalMs: 60 * MINUTE },
    },
    'zwift-search': {
      standard: { capacity: 2, intervalMs: MINUTE },
      premium: { capacity: 2, intervalMs: MINUTE },
    },
    'zwift-entrants': {
      standard: { capacity: 10, intervalMs: MINUTE },
      premium: { capacity: 10, intervalMs: MINUTE },
    },
  });

/**
 * Which API an endpoint belongs to: `public` is keyed (needs `apiKey`); `site` and `zwift` are not;
 * `zwift-token` (Zwift's token endpoint, `zwiftAuthBaseUrl`) and `zwift-account` (Zwift's API with
 * a Bearer token, `zwiftBaseUrl`) need `zwiftAuth`.
 */
export type ApiName = 'public' | 'site' | 'zwift' | 'zwift-token' | 'zwift-account';

/** Endpoint id → its bucket, API and HTTP method. */
export const ENDPOINTS: Readonly<
  Record<EndpointId, Readonly<{ bucket: BucketName; api: ApiName; method: 'GET' | 'POST'; path: string }>>
> = Object.freeze({
  'riders.get': {
    bucket: 'riders',
    api: 'public',
    method: 'GET',
    path: '/public/riders/{riderId}[/{epochSec}]',
  },
  'riders.getMany': {
    bucket: 'riders-bulk',
    api: 'public',
    method: 'POST',
    path: '/public/riders[/{epochSec}]',
  },
  'clubs.members': {
    bucket: 'clubs',
    api: 'public',
    method: 'GET',
    path: '/public/clubs/{clubId}[/{fromRiderId}]',
  },
  'results.forEvent': { bucket: 'results', api: 'public', method: 'GET', path: '/public/results/{eventId}' },
  'results.zwiftPower': {
    bucket: 'results-zp',
    api: 'public',
    method: 'GET',
    path: '/public/zp/{eventId}/results',
  },
  'events.upcoming': { bucket: 'site', api: 'site', method: 'GET', path: '/api/events/upcoming' },
  'events.signups': { bucket: 'site', api: 'site', method: 'GET', path: '/api/events/{eventId}/signups' },
  'routes.list': { bucket: 'site', api: 'site', method: 'GET', path: '/api/routes' },
  'zwift.events.upcoming': {
    bucket: 'zwift',
    api: 'zwift',
    method: 'GET',
    path: '/api/public/events/upcoming',
  },
  'zwift.auth.token': {
    bucket: 'zwift-auth',
    api: 'zwift-token',
    method: 'POST',
    path: '/auth/realms/zwift/protocol/openid-connect/token',
  },
  'zwift.events.search': {
    bucket: 'zwift-search',
    api: 'zwift-account',
    method: 'POST',
    path: '/api/events/search?limit={limit}',
  },
  'zwift.subgroups.entrants': {
    bucket: 'zwift-entrants',
    api: 'zwift-account',
    method: 'GET',
    path: '/api/events/subgroups/entrants/{subgroupId}?participation=signed_up&type={type}&start={start}&limit={limit}',
  },
});

/** Buckets that belong to the keyed public API (their store key is namespaced by the API key's hash). */
export const KEYED_BUCKETS: ReadonlySet<BucketName> = new Set<BucketName>([
  'riders',
  'riders-bulk',
  'clubs',
  'results',
  'results-zp',
]);

/**
 * Buckets of Zwift's authenticated API, one budget per Zwift account: their store key is namespaced
 * by {@link zwiftAccountNamespace} (needs `zwiftAuth`).
 */
export const ZWIFT_ACCOUNT_BUCKETS: ReadonlySet<BucketName> = new Set<BucketName>([
  'zwift-auth',
  'zwift-search',
  'zwift-entrants',
]);

/** Every bucket name, in table order. */
export const BUCKET_NAMES = Object.keys(RATE_LIMITS) as BucketName[];
