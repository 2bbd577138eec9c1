import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  analysePng,
  bucketOf,
  decodePng,
  formatDuration,
  peakUse,
  type ReportData,
  type ReportRun,
  recordRequests,
  renderReport,
  slidingUse,
} from '../src/index.ts';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;

function run(label: string, overrides: Partial<ReportRun> = {}): ReportRun {
  return {
    label,
    start: T0,
    end: T0 + 6 * HOUR,
    buckets: [
      {
        name: 'site',
        capacity: 10,
        intervalMs: MIN,
        calls: Array.from({ length: 40 }, (_, i) => T0 + i * 6_000),
      },
      { name: 'clubs', capacity: 1, intervalMs: HOUR, calls: [T0] },
      { name: 'riders', capacity: 5, intervalMs: MIN, calls: [] },
    ],
    signupLag: { samplesMs: [30_000, 90_000, 240_000], p50Ms: 90_000, p95Ms: 240_000, missed: 1 },
    resultLag: { samplesMs: [45_000], p50Ms: 45_000, p95Ms: 45_000, missed: 0 },
    changes: [
      { at: T0 + 1000, type: 'event.added' },
      { at: T0 + 2 * HOUR, type: 'signup.added' },
      { at: T0 + 3 * HOUR, type: 'results.ready' },
      { at: T0 + 4 * HOUR, type: 'custom.kind' },
    ],
    figures: { 'rate-limit violations': 0 },
    ...overrides,
  };
}

describe('renderReport', () => {
  it('one self-contained page: inline CSS and SVG, a CSP that forbids every request, no scripts', () => {
    const html = renderReport({ title: 'One run', subtitle: 'sub', runs: [run('adaptive')] });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|https?:\/\//i);
    for (const section of [
      'Requests over time, per rate-limit bucket',
      'Lag: upstream change → stored',
      'Change timeline',
    ]) {
      expect(html).toContain(section);
    }
    // Buckets with calls are drawn with their limit; a bucket without calls is left out.
    expect(html).toContain('site <span class="muted-text">— at most 10 per 1 min</span>');
    expect(html).toContain('clubs <span class="muted-text">— at most 1 per 60 min</span>');
    expect(html).not.toContain('riders <span');
    expect(html).toContain('class="limit"');
    expect(html).toContain('p50 <b>1 min 30 s</b> · p95 <b>4 min</b> · n=3 · missed 1');
    expect(html).toContain('custom.kind');
  });

  it('two runs side by side on shared scales', () => {
    const html = renderReport({
      title: 'A vs B',
      runs: [run('adaptive'), run('baseline', { signupLag: null, resultLag: null })],
    });
    expect(html.match(/<div class="cols">/g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).toContain('<span class="muted">not measured</span>');
    expect(html).toContain('#2563eb');
    expect(html).toContain('#ea580c');
  });

  it('says so when lag was not measured at all (real API)', () => {
    const html = renderReport({ title: 'real', runs: [run('real', { signupLag: null, resultLag: null })] });
    expect(html).toContain('lag needs the simulator’s ground truth');
  });

  it('escapes every text it is given', () => {
    const html = renderReport({
      title: '<script>alert(1)</script>',
      subtitle: '"quoted" & <b>',
      runs: [run('<img src=x onerror=alert(1)>', { figures: { '<k>': '<v>' } })],
    } satisfies ReportData);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;k&gt;');
  });

  it('refuses zero or five runs', () => {
    expect(() => renderReport({ title: 'x', runs: [] })).toThrow(RangeError);
    expect(() =>
      renderReport({ title: 'x', runs: ['a', 'b', 'c', 'd', 'e'].map((label) => run(label)) }),
    ).toThrow(RangeError);
  });

  it('three runs and a floor: the floor is a dark line in every call chart and a column of the summary', () => {
    const oracle = run('oracle (the floor)', {
      buckets: [{ name: 'site', capacity: 10, intervalMs: MIN, calls: [T0 + HOUR, T0 + 2 * HOUR] }],
    });
    const html = renderReport({
      title: 'four strategies',
      runs: [run('baseline'), run('adaptive'), run('follow')],
      floor: oracle,
    });
    // One floor line per run in the site chart; the clubs bucket has no floor calls (a flat line).
    expect(html.match(/class="floor"/g)?.length).toBe(3 * 2);
    expect(html).toContain('floor <b>2</b>');
    expect(html).toContain(
      '<th><span class="swatch" style="background:#111827"></span>oracle (the floor)</th>',
    );
    expect(html).toContain('#16a34a');
    // The floor is not a run of the lag section or the timeline.
    expect(html.match(/oracle \(the floor\)/g)?.length).toBe(2);
    const withoutFloor = renderReport({ title: 'no floor', runs: [run('adaptive')] });
    expect(withoutFloor).not.toContain('class="floor"');
  });
});

describe('sliding-window use', () => {
  it('peakUse is the most calls in any window (a call at exactly t + interval is a new window)', () => {
    expect(peakUse([0, 10, 20], 60_000)).toBe(3);
    expect(peakUse([0, 60_000], 60_000)).toBe(1);
    expect(peakUse([0, 59_999], 60_000)).toBe(2);
    expect(peakUse([], 60_000)).toBe(0);
  });

  it('slidingUse: per column, the most calls in a window ending inside it', () => {
    // Calls at 0, 1, 2 min with a 1-min window: never more than 1 at a time.
    expect(Math.max(...slidingUse([0, MIN, 2 * MIN], MIN, 0, 10 * MIN, 10))).toBe(1);
    // Three calls within one minute: the first column shows 3; at 1:00 the window (0:00, 1:00]
    // still holds the calls at 0:10 and 0:20; from 2:00 on it is empty.
    const use = slidingUse([0, 10_000, 20_000], MIN, 0, 4 * MIN, 4);
    expect(use).toEqual([3, 2, 0, 0]);
  });
});

describe('request log (the workaround for a client without a request hook)', () => {
  const bases = {
    baseUrl: 'http://127.0.0.1:9/zr/api',
    siteBaseUrl: 'http://127.0.0.1:9/site',
    zwiftBaseUrl: 'http://127.0.0.1:9/zwift',
    zwiftAuthBaseUrl: 'http://127.0.0.1:9/zwift-auth',
  };
  it.each([
    ['http://127.0.0.1:9/zr/api/public/riders/123', 'GET', 'riders'],
    ['http://127.0.0.1:9/zr/api/public/riders/123/1700000000', 'GET', 'riders'],
    ['http://127.0.0.1:9/zr/api/public/riders', 'POST', 'riders-bulk'],
    ['http://127.0.0.1:9/zr/api/public/clubs/20650/4598636', 'GET', 'clubs'],
    ['http://127.0.0.1:9/zr/api/public/results/5188741', 'GET', 'results'],
    ['http://127.0.0.1:9/zr/api/public/zp/5188741/results', 'GET', 'results-zp'],
    ['http://127.0.0.1:9/site/api/events/upcoming', 'GET', 'site'],
    ['http://127.0.0.1:9/site/api/events/5188741/signups?x=1', 'GET', 'site'],
    ['http://127.0.0.1:9/zwift/api/public/events/upcoming', 'GET', 'zwift'],
    ['http://127.0.0.1:9/zwift/api/events/search?limit=200', 'POST', 'zwift-search'],
    [
      'http://127.0.0.1:9/zwift/api/events/subgroups/entrants/77?type=following&start=0',
      'GET',
      'zwift-entrants',
    ],
    ['http://127.0.0.1:9/zwift/api/profiles/me', 'GET', 'other'],
    ['http://127.0.0.1:9/zwift-auth/auth/realms/zwift/protocol/openid-connect/token', 'POST', 'zwift-auth'],
    ['http://127.0.0.1:9/zwift-auth/elsewhere', 'GET', 'other'],
    ['http://elsewhere/thing', 'GET', 'other'],
  ])('%s %s → %s', (url, method, bucket) => {
    expect(bucketOf(url, method, bases)).toBe(bucket);
  });

  it('the real hosts by default', () => {
    expect(bucketOf('https://api.zwiftracing.app/api/public/riders', 'POST')).toBe('riders-bulk');
    expect(bucketOf('https://zwiftracing.app/api/events/upcoming', 'GET')).toBe('site');
    expect(bucketOf('https://us-or-rly101.zwift.com/api/public/events/upcoming', 'GET')).toBe('zwift');
    expect(bucketOf('https://us-or-rly101.zwift.com/api/events/search?limit=200', 'POST')).toBe(
      'zwift-search',
    );
    expect(bucketOf('https://secure.zwift.com/auth/realms/zwift/protocol/openid-connect/token', 'POST')).toBe(
      'zwift-auth',
    );
  });

  it('records each request with the clock time, strings, URLs and Request objects alike', async () => {
    let now = 1000;
    const inner = (async () => new Response('{}')) as typeof fetch;
    const log = recordRequests(inner, () => now, bases);
    await log.fetch('http://127.0.0.1:9/site/api/routes');
    now = 2000;
    await log.fetch(new URL('http://127.0.0.1:9/zr/api/public/results/1'));
    now = 3000;
    await log.fetch(new Request('http://127.0.0.1:9/zr/api/public/riders', { method: 'POST', body: '[1]' }));
    expect(Object.fromEntries(log.calls)).toEqual({ site: [1000], results: [2000], 'riders-bulk': [3000] });
    expect(log.total()).toBe(3);
  });
});

/** A minimal PNG encoder for the decoder's tests (RGB, one filter type per row). */
function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
): Buffer {
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    const filter = y % 5; // exercise every filter
    rows.push(filter);
    const raw: number[] = [];
    for (let x = 0; x < width; x++) raw.push(...pixel(x, y));
    const prev: number[] = [];
    if (y > 0) for (let x = 0; x < width; x++) prev.push(...pixel(x, y - 1));
    for (let i = 0; i < raw.length; i++) {
      const left = i >= 3 ? raw[i - 3]! : 0;
      const up = y > 0 ? prev[i]! : 0;
      const upLeft = y > 0 && i >= 3 ? prev[i - 3]! : 0;
      const p = left + up - upLeft;
      const paeth =
        Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft)
          ? left
          : Math.abs(p - up) <= Math.abs(p - upLeft)
            ? up
            : upLeft;
      const predictor = [0, left, up, (left + up) >> 1, paeth][filter]!;
      rows.push((raw[i]! - predictor) & 0xff);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, data, Buffer.alloc(4)]); // CRC not checked by the decoder
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('PNG analysis (the blank-screenshot check)', () => {
  it('decodes every filter type exactly', () => {
    const pixel = (x: number, y: number): [number, number, number] => [
      (x * 37 + y) & 255,
      (y * 11) & 255,
      (x * y) & 255,
    ];
    const { width, height, rgba } = decodePng(encodePng(7, 10, pixel));
    expect([width, height]).toEqual([7, 10]);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 7; x++) {
        const i = (y * 7 + x) * 4;
        expect([rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]).toEqual([...pixel(x, y), 255]);
      }
    }
  });

  it('a blank image has no ink; a drawn one has', () => {
    expect(analysePng(encodePng(40, 40, () => [255, 255, 255]))).toMatchObject({
      inkFraction: 0,
      colours: 1,
    });
    const drawn = analysePng(
      encodePng(40, 40, (x, y) => (x > 10 && x < 30 && y > 5 ? [37, 99, 235] : [248, 250, 252])),
    );
    expect(drawn.inkFraction).toBeGreaterThan(0.2);
  });

  it('refuses what is not a PNG', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow(/not a PNG/);
  });
});

describe('formatDuration', () => {
  it.each([
    [null, '—'],
    [850, '850 ms'],
    [42_000, '42 s'],
    [200_000, '3 min 20 s'],
    [720_000, '12 min'],
    [3_900_000, '1 h 05 min'],
    [2 * 86_400_000 + 3 * 3_600_000, '2 d 3 h'],
  ])('%s → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
