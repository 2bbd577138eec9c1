/**
 * The memory runner (`pnpm start`) against the simulated upstream over loopback HTTP. In-process
 * runs use the virtual clock (simulated hours in seconds of wall time); one run is a real process
 * interrupted like a Ctrl-C in a terminal.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulation } from '@racesync/simulator';
import { afterAll, describe, expect, it } from 'vitest';
import { runMemoryRunner } from '../src/memory-runner.ts';
import { captureIo, fakeSignals, spawnRunner } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'racesync-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('memory runner, simulated upstream, virtual clock', () => {
  it('--hours 2: progress lines, a summary with calls per bucket, changes, runs and lag; plain text off a TTY', async () => {
    const io = captureIo();
    const report = join(dir, 'two-hours.html');
    const code = await runMemoryRunner({
      argv: ['--hours', '2', '--riders', '40', '--report', report],
      env: {},
      stdout: io.stdout,
      stderr: io.stderr,
      signals: fakeSignals(),
    });
    const out = io.out();
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(out).not.toContain('\x1b'); // no ANSI codes when stdout is not a TTY
    expect(out).toContain('no ZWIFTRACING_API_KEY, so syncing a simulated team');
    // A progress line every 15 simulated minutes: time, job, calls vs budget per bucket, changes.
    const progress = out.split('\n').filter((l) => /^sim \d\d:\d\d \| /.test(l));
    expect(progress).toHaveLength(8);
    expect(progress[0]).toMatch(
      /^sim 00:15 \| .*\| calls site \d+ \[\d+\/10·1m\] results \d+ \[\d\/1·1m\] riders-bulk \d+ \[\d\/1·15m\] clubs \d+ \[\d\/1·60m\] \| signups \+\d+/,
    );
    // The summary.
    expect(out).toContain('racesync summary — simulated upstream, memory storage');
    expect(out).toMatch(/window\s+2026-01-01 00:00 UTC → 2026-01-01 02:00 UTC \(2 h\)/);
    expect(out).toMatch(/site\s+\d+\s+limit 10 per 1 min, peak (10|[1-9]) in any window/);
    expect(out).toMatch(/sync runs\s+ok \d+ · partial \d+ · skipped \d+ · failed 0/);
    expect(out).toMatch(
      /changes\s+signup.added \d+ · signup.withdrawn \d+ · results.ready \d+ · rider.changed \d+/,
    );
    expect(out).toMatch(/stored\s+riders 40 · events \d{3}/);
    expect(out).toMatch(/signup lag\s+/);
    expect(out).toMatch(/upstream\s+\d+ requests served · 0 rate-limit violations/);
    expect(out).toContain(`report written to ${report}`);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
  });

  it('--once: each job once, then exit — the team, its riders, the events and team signups stored', async () => {
    const io = captureIo();
    const code = await runMemoryRunner({
      argv: ['--once', '--riders', '15'],
      env: {},
      stdout: io.stdout,
      stderr: io.stderr,
      signals: fakeSignals(),
    });
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toContain('syncing: each job once');
    expect(io.out()).toMatch(
      /sync runs\s+ok 4 · partial 0 · skipped 0 · failed 0\s+\((team|riders|events|results) 1/,
    );
    expect(io.out()).toMatch(/stored\s+riders 15 · events \d{3} · team signups [1-9]\d* active/);
    expect(io.out()).toMatch(/changes\s+signup.added [1-9]/);
  });

  it('on a TTY keeps a status line at the bottom (rewritten in place) above which lines scroll', async () => {
    const io = captureIo({ tty: true });
    const code = await runMemoryRunner({
      argv: ['--hours', '0.5', '--riders', '10'],
      env: {},
      stdout: io.stdout,
      stderr: io.stderr,
      signals: fakeSignals(),
    });
    expect(code).toBe(0);
    expect(io.out()).toContain('\r\x1b[2K');
    expect(io.out()).toContain('racesync summary');
  });

  it('Ctrl-C: stops gracefully, prints the summary, exits 0; a second Ctrl-C exits at once (130)', async () => {
    const signals = fakeSignals();
    const exits: number[] = [];
    const io = captureIo();
    const write = io.stdout.write;
    let interrupted = false;
    io.stdout.write = (text: string) => {
      const n = write(text);
      if (!interrupted && text.startsWith('sim 00:30 |')) {
        interrupted = true;
        signals.raise('SIGINT');
        signals.raise('SIGINT');
      }
      return n;
    };
    const code = await runMemoryRunner({
      argv: ['--hours', '24', '--riders', '10', '--progress-minutes', '15'],
      env: {},
      stdout: io.stdout,
      stderr: io.stderr,
      signals,
      exit: (c) => exits.push(c),
      signalRepeatWindowMs: 0,
    });
    expect(code).toBe(0);
    expect(exits).toEqual([130]);
    expect(io.out()).toContain('stopping: finishing the storage batch in progress');
    expect(io.err()).toContain('quitting at once');
    const window = /window\s+2026-01-01 00:00 UTC → 2026-01-01 (\d\d):(\d\d) UTC/.exec(io.out());
    expect(window).not.toBeNull();
    expect(Number(window![1])).toBeLessThan(2); // stopped long before 24 h
  });

  it('bad flags and a key without a team exit 2 with one clear line', async () => {
    const io = captureIo();
    expect(
      await runMemoryRunner({ argv: ['--hours', 'soon'], env: {}, stdout: io.stdout, stderr: io.stderr }),
    ).toBe(2);
    expect(io.err()).toContain('--hours needs a positive number (got "soon")');
    const io2 = captureIo();
    expect(
      await runMemoryRunner({
        argv: [],
        env: { ZWIFTRACING_API_KEY: 'zr-secret-key-0001' },
        stdout: io2.stdout,
        stderr: io2.stderr,
      }),
    ).toBe(2);
    expect(io2.err()).toMatch(/^TEAM_RIDER_IDS or TEAM_CLUB_ID is required/);
    expect(io2.all()).not.toContain('zr-secret-key-0001');
  });

  it('a --report path that cannot be written exits 2 before the run, not after it', async () => {
    const io = captureIo();
    // A regular file where a folder is needed.
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const code = await runMemoryRunner({
      argv: ['--hours', '24', '--report', join(file, 'day.html')],
      env: {},
      stdout: io.stdout,
      stderr: io.stderr,
    });
    expect(code).toBe(2);
    expect(io.err()).toMatch(/--report cannot be written there/);
    expect(io.all()).not.toMatch(/syncing/);
  });
});

describe('memory runner with an API key (real-API mode: system clock, global fetch)', () => {
  it('--once syncs the configured team from the upstream the environment points at', async () => {
    // The simulator stands in for the real API through the advanced base-URL overrides.
    const sim = createSimulation({ seed: 4, teamSize: 12, days: 1 });
    const urls = await sim.listen();
    try {
      const io = captureIo();
      const code = await runMemoryRunner({
        argv: ['--once'],
        env: {
          ZWIFTRACING_API_KEY: urls.apiKey,
          ZWIFTRACING_TIER: 'premium',
          TEAM_CLUB_ID: String(urls.clubId),
          TEAM_RIDER_IDS: String(urls.teamRiderIds[0]),
          ZWIFTRACING_BASE_URL: urls.baseUrl,
          ZWIFTRACING_SITE_BASE_URL: urls.siteBaseUrl,
          ZWIFTRACING_ZWIFT_BASE_URL: urls.zwiftBaseUrl,
        },
        stdout: io.stdout,
        stderr: io.stderr,
        signals: fakeSignals(),
      });
      expect(io.err()).toBe('');
      expect(code).toBe(0);
      expect(io.out()).toContain('from the real API (premium tier) into memory');
      expect(io.out()).toContain('racesync summary — real API, memory storage');
      expect(io.out()).toMatch(/stored\s+riders 12 ·/);
      expect(io.out()).not.toMatch(/signup lag|upstream\s/); // no ground truth outside the simulator
      expect(io.all()).not.toContain(urls.apiKey);
    } finally {
      await sim.close();
    }
  });
});

describe('memory runner with the follower feed', () => {
  const siteCalls = (out: string) => Number(/\n\s+site\s+(\d+)\s+limit/.exec(out)?.[1] ?? Number.NaN);

  it("--follow (simulated upstream): signups come from the simulated Zwift account's feed, for far fewer site calls", async () => {
    const run = async (argv: string[]) => {
      const io = captureIo();
      const code = await runMemoryRunner({
        argv,
        env: {},
        stdout: io.stdout,
        stderr: io.stderr,
        signals: fakeSignals(),
      });
      expect(io.err()).toBe('');
      expect(code).toBe(0);
      return io.out();
    };
    const args = ['--hours', '3', '--riders', '40', '--seed', '3'];
    const feed = await run([...args, '--follow']);
    expect(feed).toContain('follower feed on (--follow)');
    expect(feed).toMatch(/\n\s+zwift-search\s+[1-9]\d*\s+limit/);
    expect(feed).toMatch(/\n\s+zwift-entrants\s+[1-9]\d*\s+limit/);
    expect(feed).toMatch(/sync runs\s+ok \d+ · partial \d+ · skipped \d+ · failed 0\s+\(.*follow [1-9]/);
    expect(feed).toMatch(/changes\s+signup.added [1-9]/);
    expect(feed).toMatch(/team signups [1-9]\d* active/);
    expect(feed).toMatch(/signup lag\s+.*missed 0/);
    expect(feed).toMatch(/upstream\s+\d+ requests served · 0 rate-limit violations/);

    const site = await run(args);
    expect(site).toContain('follower feed off');
    expect(site).not.toMatch(/zwift-search/);
    // Same world, same hours: the feed replaces most signup-list calls.
    expect(siteCalls(feed)).toBeLessThan(siteCalls(site) / 4);
  });

  it('ZWIFT_USERNAME/ZWIFT_PASSWORD switch it on with an API key (the engine runs the follow job), never printed', async () => {
    // Real-API mode runs on the system clock, outside the simulated world's days: the follow job runs
    // (and skips, no race ahead); the feed's signups with credentials are tested with the Supabase
    // runner on the simulator's clock (test/reliability/secrets-report.test.ts).
    const sim = createSimulation({ seed: 4, teamSize: 12, days: 1 });
    const urls = await sim.listen();
    try {
      const io = captureIo();
      const code = await runMemoryRunner({
        argv: ['--once'],
        env: {
          ZWIFTRACING_API_KEY: urls.apiKey,
          TEAM_CLUB_ID: String(urls.clubId),
          ZWIFTRACING_BASE_URL: urls.baseUrl,
          ZWIFTRACING_SITE_BASE_URL: urls.siteBaseUrl,
          ZWIFTRACING_ZWIFT_BASE_URL: urls.zwiftBaseUrl,
          ZWIFT_AUTH_BASE_URL: urls.zwiftAuthBaseUrl,
          ZWIFT_USERNAME: urls.zwiftAccount.username,
          ZWIFT_PASSWORD: urls.zwiftAccount.password,
        },
        stdout: io.stdout,
        stderr: io.stderr,
        signals: fakeSignals(),
      });
      expect(io.err()).toBe('');
      expect(code).toBe(0);
      expect(io.out()).toContain('follower feed on (ZWIFT_USERNAME/ZWIFT_PASSWORD)');
      expect(io.out()).toMatch(/sync runs\s+.*\(.*follow 1/);
      for (const secret of [urls.zwiftAccount.password, urls.zwiftAccount.username, urls.apiKey]) {
        expect(io.all()).not.toContain(secret);
      }
    } finally {
      await sim.close();
    }
  });

  it('--follow with a real API key is refused (the account comes from ZWIFT_USERNAME/ZWIFT_PASSWORD)', async () => {
    const io = captureIo();
    const code = await runMemoryRunner({
      argv: ['--once', '--follow'],
      env: { ZWIFTRACING_API_KEY: 'zr-key-123456789', TEAM_CLUB_ID: '1' },
      stdout: io.stdout,
      stderr: io.stderr,
      signals: fakeSignals(),
    });
    expect(code).toBe(2);
    expect(io.err()).toMatch(
      /--follow is for the simulated upstream; with a real API key, set ZWIFT_USERNAME/,
    );
  });
});

describe('memory runner as a real process (scaled clock, like `pnpm start`)', () => {
  it('runs until Ctrl-C, then stops gracefully with a summary and exit code 0', async () => {
    const result = await spawnRunner(
      'src/main.ts',
      ['--speed', '120', '--riders', '20', '--progress-minutes', '2'],
      {},
      (stdout, child) => {
        // "syncing: until Ctrl-C" is printed once Ctrl-C is handled: interrupt at that very moment.
        if (/ syncing: until Ctrl-C$/m.test(stdout)) child.interrupt();
      },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('simulated time runs 120× real time');
    expect(result.stdout).toContain('stopping: finishing the storage batch in progress');
    expect(result.stdout).toContain('racesync summary — simulated upstream, memory storage');
    expect(result.stdout).toMatch(/upstream\s+\d+ requests served · 0 rate-limit violations/);
    expect(result.stdout).not.toContain('\x1b');
  });

  it('--help', async () => {
    const result = await spawnRunner('src/main.ts', ['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: pnpm start');
    expect(existsSync(dir)).toBe(true);
  });
});

describe('Ctrl-C delivered twice at once (process group + a wrapper relaying it)', () => {
  it('counts as one: graceful stop, no immediate exit', async () => {
    const signals = fakeSignals();
    const exits: number[] = [];
    const io = captureIo();
    const write = io.stdout.write;
    io.stdout.write = (text: string) => {
      const n = write(text);
      if (text.startsWith('sim 00:15 |')) {
        signals.raise('SIGINT');
        signals.raise('SIGINT');
      }
      return n;
    };
    const code = await runMemoryRunner({
      argv: ['--hours', '3', '--riders', '10'],
      env: {},
      stdout: io.stdout,
      stderr: io.stderr,
      signals,
      exit: (c) => exits.push(c),
    });
    expect(code).toBe(0);
    expect(exits).toEqual([]);
    expect(io.out()).toContain('racesync summary');
  });
});
