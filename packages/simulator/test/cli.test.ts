import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
/** Run the TypeScript CLI through tsx (a workspace devDependency), as `racesync-sim` would run. */
const nodeArgs = ['--import', 'tsx', cli];

let child: ChildProcess | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

describe('racesync-sim CLI', () => {
  it('serve prints one JSON line with the URLs and key first, serves, and exits on SIGTERM', async () => {
    child = spawn(
      process.execPath,
      [...nodeArgs, 'serve', '--seed', '42', '--port', '0', '--speed', '600', '--days', '1'],
      {
        cwd: packageDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child?.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const info = JSON.parse(first) as Record<string, unknown>;
    expect(info).toMatchObject({
      baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/zr\/api$/),
      siteBaseUrl: expect.stringMatching(/\/site$/),
      zwiftBaseUrl: expect.stringMatching(/\/zwift$/),
      zwiftAuthBaseUrl: expect.stringMatching(/\/zwift-auth$/),
      zwiftAccount: { username: expect.stringMatching(/@/), password: expect.any(String) },
      apiKey: expect.any(String),
      clubId: expect.any(Number),
      speed: 600,
      anchor: expect.any(Number),
    });
    expect(info['teamRiderIds']).toHaveLength(80);
    // Plain fetch, real time: the scaled clock runs 600× faster than the wall clock.
    const events = (await (await fetch(`${info['siteBaseUrl']}/api/events/upcoming`)).json()) as unknown[];
    expect(events.length).toBeGreaterThan(700);
    const rider = await fetch(`${info['baseUrl']}/public/riders/${(info['teamRiderIds'] as number[])[0]}`, {
      headers: { authorization: info['apiKey'] as string },
    });
    expect(rider.status).toBe(200);
    const date = Date.parse((await fetch(`${info['siteBaseUrl']}/api/routes`)).headers.get('date') as string);
    expect(date).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1));
    expect(date).toBeLessThan(Date.UTC(2026, 0, 2));
    const exit = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    child = null;
  }, 30_000);

  it('truth --at prints the truth as JSON', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [...nodeArgs, 'truth', '--seed', '42', '--days', '1', '--at', '2026-01-01T12:00:00Z'],
        { cwd: packageDir, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const truth = JSON.parse(out) as Record<string, unknown>;
    expect(truth['at']).toBe('2026-01-01T12:00:00.000Z');
    expect(truth['teamRiderIds']).toHaveLength(80);
    expect((truth['riders'] as unknown[]).length).toBe(80);
    expect((truth['events'] as unknown[]).length).toBeGreaterThan(700);
    expect((truth['teamSignupChanges'] as unknown[]).length).toBeGreaterThan(100);
    for (const key of ['riderChanges', 'teamSignups', 'teamRaces', 'results'])
      expect(Array.isArray(truth[key])).toBe(true);
  }, 30_000);

  it('truth --section and usage errors', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [...nodeArgs, ...args], { cwd: packageDir }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const races = await run(['truth', '--seed', '7', '--days', '1', '--section', 'teamRaces']);
    expect(races.code).toBe(0);
    expect(Array.isArray(JSON.parse(races.stdout))).toBe(true);
    const unfollowed = await run([
      'truth',
      '--seed',
      '7',
      '--days',
      '1',
      '--unfollowed-share',
      '0.5',
      '--section',
      'unfollowedTeamRiderIds',
    ]);
    expect(unfollowed.code).toBe(0);
    expect((JSON.parse(unfollowed.stdout) as number[]).length).toBeGreaterThan(30);
    const team = async (id: string) => {
      const r = await run([
        'truth',
        '--seed',
        '7',
        '--days',
        '1',
        '--events-per-day',
        '20',
        '--teams',
        '3',
        '--team-sizes',
        '10-20',
        '--team',
        id,
        '--at',
        '2026-01-01T12:00:00Z',
      ]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { clubId: number; teamRiderIds: number[] };
    };
    const [t0, t2] = [await team('0'), await team('2')];
    expect(t2.clubId).not.toBe(t0.clubId);
    expect(t2.teamRiderIds.length).toBeGreaterThanOrEqual(10);
    expect(t2.teamRiderIds.length).toBeLessThanOrEqual(20);
    expect((await run(['truth', '--teams', '2', '--team', '5', '--days', '1'])).code).toBe(1);
    const bad = await run(['serve', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Usage/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/racesync-sim serve/);
  }, 30_000);
});
