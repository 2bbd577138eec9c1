import { createZwiftClient, type SkippedRecord, type ZwiftClientOptions } from '../../src/index.ts';
import { ManualClock } from './clock.ts';
import { trackedFetch } from './fetch.ts';

export const API_KEY = 'zr-test-key-5f1c9a7e3b';
export const BASE = 'https://api.test';
export const SITE = 'https://site.test';
export const ZWIFT = 'https://zwift.test';

/** A client on nock-able hosts, a virtual clock that advances when nothing is in flight, and captured logs. */
export function setup(options: ZwiftClientOptions = {}, { auto = true } = {}) {
  const clock = new ManualClock();
  const tracked = trackedFetch();
  const stop = auto ? clock.autoAdvance(() => tracked.inflight() > 0) : () => {};
  const logs: { level: string; object: Record<string, unknown>; message: string }[] = [];
  const log =
    (level: string) =>
    (object: Record<string, unknown>, message: string): void => {
      logs.push({ level, object, message });
    };
  const skips: SkippedRecord[] = [];
  const client = createZwiftClient({
    apiKey: API_KEY,
    baseUrl: `${BASE}/api`,
    siteBaseUrl: SITE,
    zwiftBaseUrl: ZWIFT,
    clock,
    fetch: tracked.fetch,
    retry: { random: () => 0.5 },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    onSkip: (r) => skips.push(r),
    ...options,
  });
  return { client, clock, stop, logs, skips, calls: tracked.calls, inflight: tracked.inflight };
}
