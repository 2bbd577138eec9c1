/** Command-line flags of both runners. A bare `--` (from `pnpm start -- …`) is ignored. */

export interface RunnerArgs {
  /** Run each job once, then exit. */
  once: boolean;
  /** Run the jobs that are due, then exit (cron / scheduled invocations). Supabase runner. */
  due: boolean;
  /** Run this many hours (simulated, or real against the real API), then exit with a summary. */
  hours: number | null;
  /** Scaled-clock speed of the simulated upstream without `--hours` (simulated ms per real ms). */
  speed: number;
  /** Write the HTML report here at the end. */
  report: string | null;
  /** Simulated world: seed and team size. */
  seed: number;
  riders: number;
  /** Minutes (of the run's clock) between progress lines; null = automatic. */
  progressMinutes: number | null;
  /** Print the engine's info/debug log and every change event. */
  verbose: boolean;
  /** Simulated upstream: the follower feed from the simulator's Zwift account. Memory runner. */
  follow: boolean;
  help: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const FLAGS = new Set([
  'once',
  'due',
  'hours',
  'speed',
  'report',
  'seed',
  'riders',
  'progress-minutes',
  'verbose',
  'follow',
  'help',
]);
const BOOLEAN = new Set(['once', 'due', 'verbose', 'follow', 'help']);

function positive(name: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} needs a positive ${integer ? 'integer' : 'number'} (got "${value}")`);
  }
  return n;
}

/** Largest `--speed`: the client's 15-s timeout × speed must stay below setTimeout's 2^31 − 1 ms. */
export const MAX_SPEED = 100_000;

export function parseArgs(
  argv: readonly string[],
  allowed: { due: boolean; follow?: boolean } = { due: true, follow: true },
): RunnerArgs {
  const values = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '-h') {
      values.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" (see --help)`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (
      !FLAGS.has(name) ||
      (name === 'due' && !allowed.due) ||
      (name === 'follow' && allowed.follow === false)
    ) {
      throw new UsageError(`unknown flag --${name} (see --help)`);
    }
    if (BOOLEAN.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      values.set(name, true);
    } else if (inline !== undefined) {
      values.set(name, inline);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      values.set(name, next);
      i++;
    }
  }
  const str = (name: string) => {
    const v = values.get(name);
    return typeof v === 'string' ? v : null;
  };
  const args: RunnerArgs = {
    once: values.has('once'),
    due: values.has('due'),
    hours: str('hours') === null ? null : positive('hours', str('hours')!, false),
    speed: str('speed') === null ? 60 : positive('speed', str('speed')!, false),
    report: str('report'),
    seed: str('seed') === null ? 1 : positive('seed', str('seed')!, true),
    riders: str('riders') === null ? 80 : positive('riders', str('riders')!, true),
    progressMinutes:
      str('progress-minutes') === null ? null : positive('progress-minutes', str('progress-minutes')!, false),
    verbose: values.has('verbose'),
    follow: values.has('follow'),
    help: values.has('help'),
  };
  const modes = [args.once && '--once', args.due && '--due', args.hours !== null && '--hours'].filter(
    Boolean,
  );
  if (modes.length > 1) throw new UsageError(`${modes.join(' and ')} cannot be combined: pick one`);
  // The virtual clock scales the client's timeout by the speed: beyond this, timers overflow.
  if (args.speed > MAX_SPEED) throw new UsageError(`--speed is at most ${MAX_SPEED} (got ${args.speed})`);
  if (args.report !== null && !/\.html?$/i.test(args.report)) {
    throw new UsageError(`--report writes HTML: give a file name ending in .html (got "${args.report}")`);
  }
  return args;
}

export const MEMORY_HELP = `racesync example runner — memory storage

Usage: pnpm start [-- flags]

Without ZWIFTRACING_API_KEY it starts the simulated upstream and syncs a simulated team (offline);
with it, it talks to the real API (set TEAM_CLUB_ID and/or TEAM_RIDER_IDS too; ZWIFT_USERNAME +
ZWIFT_PASSWORD of a Zwift account that follows the team switch the follower feed on).

  --once               run each job once, then exit
  --hours H            run H hours (simulated: as fast as possible on a virtual clock; real API:
                       real hours), then exit with a summary
  --speed N            simulated upstream without --hours: N simulated seconds per real second (60)
  --report FILE.html   write the HTML report (calls per bucket, lag, change timeline) at the end
  --seed S             simulated world's seed (1)
  --riders N           simulated team size (80)
  --progress-minutes M minutes between progress lines (15; 60 for runs over 6 h)
  --follow             simulated upstream: sync signups from the follower feed of the simulator's
                       Zwift account (with a real API key, set ZWIFT_USERNAME/ZWIFT_PASSWORD instead)
  --verbose            print every change event and the engine's log
  --help               this help

Ctrl-C stops gracefully (the storage batch in progress finishes) and prints the summary;
a second Ctrl-C exits at once. Environment variables: see README.md.
`;

export const SUPABASE_HELP = `racesync example runner — Supabase / PostgreSQL storage

Usage: pnpm start:supabase [-- flags]

Configuration comes from environment variables (see README.md): ZWIFTRACING_API_KEY,
ZWIFTRACING_TIER, TEAM_RIDER_IDS and/or TEAM_CLUB_ID, and SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY
or DATABASE_URL. RACESYNC_MIGRATE=1 applies the migrations first (needs DATABASE_URL).
ZWIFT_USERNAME + ZWIFT_PASSWORD (optional): a Zwift account that follows the team's riders switches
the follower feed on (Zwift's unofficial API; far fewer ZwiftRacing calls, signups seen sooner).

  --due                run the jobs that are due, then exit (for cron / scheduled invocations)
  --once               run every job once, due or not, then exit
  --hours H            run H hours, then exit with a summary (default: until Ctrl-C)
  --report FILE.html   write the HTML report at the end
  --progress-minutes M minutes between progress lines (15)
  --verbose            print every change event and the engine's log
  --help               this help
`;
