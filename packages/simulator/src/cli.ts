#!/usr/bin/env node
/**
 * racesync-sim: serve the simulated upstream world, or print its ground truth.
 *
 *   racesync-sim serve --seed 42 [--port 0] [--speed 600]
 *   racesync-sim truth --seed 42 --at 2026-01-02T12:00:00Z
 */
import { parseArgs } from 'node:util';
import { createScaledClock } from './clock/scaled-clock.ts';
import { DEFAULT_START, toEpochMs } from './clock/start-time.ts';
import type { SimulationOptions } from './options.ts';
import { createSimulation } from './simulation.ts';
import { teamSizes } from './world/teams.ts';

const USAGE = `Usage:
  racesync-sim serve [options]   Serve the simulated APIs on loopback until killed. The first stdout
                                 line is JSON: { baseUrl, siteBaseUrl, zwiftBaseUrl, zwiftAuthBaseUrl,
                                 zwiftAccount: { username, password }, apiKey, clubId, ... }.
  racesync-sim truth [options]   Print the ground truth at --at as JSON.

World options (both commands):
  --seed <n|string>        seed (default 42)
  --start <iso>            virtual start (default 2026-01-01T00:00:00Z)
  --team-size <n>          team riders (default 80)
  --teams <n>              teams, each a club with its own riders, key and Zwift account
                           (default 1); serve prints them under "teams"
  --team-sizes <min>-<max> with --teams: sizes drawn from [min, max] (e.g. 10-80, seeded
                           by --seed) instead of --team-size
  --days <n>               simulated days (default 7)
  --events-per-day <n>     races per day (default 120)
  --tier <standard|premium>  public API tier (default standard)
  --site-budget <n>        site API requests per 60 s (default 10)
  --zwift-budget <n>       Zwift API requests per 60 s (default 5)
  --api-key <key>          API key to accept (default: derived from the seed)
  --unfollowed-share <0..1>  share of the team's racing riders the Zwift account does not follow
                           (default 0.05)
  --extra-followees <n>    riders outside the team the Zwift account follows (default 30)

serve:
  --port <n>               port (default 0: any free port)
  --host <addr>            address (default 127.0.0.1)
  --speed <x>              virtual ms per real ms (default 1)
  --anchor <epoch ms>      wall-clock time (Date.now()) at which virtual time is --start
                           (default: now); printed, so other processes can share the clock
  --fault-rate <0..1>      fraction of responses faulted (default 0)

truth:
  --at <iso|epoch ms>      virtual time (default: --start)
  --team <id>              the team whose riders, signups and races to print (default 0)
  --section <name>         only one part: riders, riderChanges, events, teamSignups,
                           teamSignupChanges, teamRaces, results, followedRiderIds,
                           unfollowedTeamRiderIds
`;

function fail(message: string): never {
  process.stderr.write(`racesync-sim: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) fail(`--${name} must be a number`);
  return n;
}

// A closed pipe (`racesync-sim truth | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

async function main(argv: string[]): Promise<void> {
  const command = argv[0];
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv.slice(1));
  } catch (error) {
    fail((error as Error).message);
  }
  const v = parsed.values;
  const seedRaw = v.seed ?? '42';
  const seed = /^-?\d+$/.test(seedRaw) ? Number(seedRaw) : seedRaw;
  const start =
    v.start === undefined ? DEFAULT_START : toEpochMs(/^\d+$/.test(v.start) ? Number(v.start) : v.start);
  const tier = v.tier ?? 'standard';
  if (tier !== 'standard' && tier !== 'premium') fail('--tier must be standard or premium');
  const teamCount = int('teams', v.teams);
  let teams: SimulationOptions['teams'] = teamCount;
  if (v['team-sizes'] !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(v['team-sizes']);
    if (!m) fail('--team-sizes must be <min>-<max>, e.g. 10-80');
    teams = teamSizes(teamCount ?? 1, { min: Number(m[1]), max: Number(m[2]), seed });
  }
  const world: SimulationOptions = {
    seed,
    start,
    teamSize: int('team-size', v['team-size']),
    teams,
    days: int('days', v.days),
    eventsPerDay: int('events-per-day', v['events-per-day']),
    tier,
    siteBudget: int('site-budget', v['site-budget']),
    zwiftBudget: int('zwift-budget', v['zwift-budget']),
    apiKeys: v['api-key'] ? [v['api-key']] : undefined,
    follow: {
      unfollowedShare: int('unfollowed-share', v['unfollowed-share']),
      extraFollowees: int('extra-followees', v['extra-followees']),
    },
  };

  if (command === 'serve') {
    const speed = int('speed', v.speed) ?? 1;
    if (!(speed > 0)) fail('--speed must be positive');
    const anchor = int('anchor', v.anchor);
    const clock = createScaledClock({ start, speed, anchor });
    const faultRate = int('fault-rate', v['fault-rate']);
    const sim = createSimulation({ ...world, clock, faults: faultRate ? { rate: faultRate } : null });
    const info = await sim.listen({ port: int('port', v.port) ?? 0, host: v.host ?? '127.0.0.1' });
    process.stdout.write(
      `${JSON.stringify({ ...info, seed, start: new Date(start).toISOString(), speed, anchor: clock.anchor, now: new Date(clock.now()).toISOString() })}\n`,
    );
    const shutdown = (): void => {
      sim.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    return;
  }

  if (command === 'truth') {
    const at = v.at === undefined ? start : toEpochMs(/^\d+$/.test(v.at) ? Number(v.at) : v.at);
    const sim = createSimulation(world);
    const whole = sim.truthAt(at);
    const truth = whole.team(int('team', v.team) ?? 0);
    const sections: Record<string, () => unknown> = {
      riders: () => truth.riders(),
      riderChanges: () => truth.riderChanges,
      events: () => whole.events(),
      teamSignups: () => truth.teamSignups(),
      teamSignupChanges: () => truth.teamSignupChanges,
      teamRaces: () => truth.teamRaces,
      results: () =>
        truth.teamRaces
          .filter((r) => r.resultsAt <= at)
          .map((r) => whole.results(r.eventId))
          .filter((r) => r !== null),
    };
    // Only with --section (the full dump keeps its shape).
    const extra: Record<string, () => unknown> = {
      followedRiderIds: () => truth.followedRiderIds,
      unfollowedTeamRiderIds: () => truth.unfollowedTeamRiderIds,
    };
    let out: unknown;
    if (v.section) {
      const section = sections[v.section] ?? extra[v.section];
      if (!section) fail(`unknown --section ${v.section}`);
      out = section();
    } else {
      out = {
        at: new Date(at).toISOString(),
        seed,
        clubId: truth.clubId,
        clubName: truth.clubName,
        teamRiderIds: truth.teamRiderIds,
        ...Object.fromEntries(Object.entries(sections).map(([k, f]) => [k, f()])),
      };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }

  fail(`unknown command: ${command}`);
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      seed: { type: 'string' },
      start: { type: 'string' },
      'team-size': { type: 'string' },
      days: { type: 'string' },
      'events-per-day': { type: 'string' },
      tier: { type: 'string' },
      'site-budget': { type: 'string' },
      'zwift-budget': { type: 'string' },
      'api-key': { type: 'string' },
      teams: { type: 'string' },
      'team-sizes': { type: 'string' },
      team: { type: 'string' },
      'unfollowed-share': { type: 'string' },
      'extra-followees': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      speed: { type: 'string' },
      anchor: { type: 'string' },
      'fault-rate': { type: 'string' },
      at: { type: 'string' },
      section: { type: 'string' },
    },
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`racesync-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
