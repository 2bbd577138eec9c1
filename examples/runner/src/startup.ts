import { parseArgs, type RunnerArgs, UsageError } from './args.ts';
import { parseEnv, type RunnerConfig, secretsOf } from './env.ts';
import { createOutput, createRedactor, type Output, type Writable } from './output.ts';
import { checkReportPath } from './report.ts';

/** What both runners need before wiring anything: output, flags and validated environment. */
export type Startup =
  | { out: Output; args: RunnerArgs; config: RunnerConfig }
  | { out: Output; exitCode: number };

/**
 * The runners' common start: output that redacts the environment's secrets, the flags (`--help`
 * prints `help` and exits 0; bad usage exits 2), then the environment for `target` (every problem on
 * its own line, exit 2).
 */
export function startRunner(
  options: {
    argv: readonly string[];
    env: Record<string, string | undefined>;
    stdout?: Writable;
    stderr?: Writable;
  },
  target: 'memory' | 'supabase',
  help: string,
): Startup {
  const out = createOutput(
    options.stdout ?? process.stdout,
    options.stderr ?? process.stderr,
    createRedactor(secretsOf(options.env)),
  );
  let args: RunnerArgs;
  try {
    args = parseArgs(options.argv, { due: target === 'supabase', follow: target === 'memory' });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.error(`racesync: ${error.message}`);
    return { out, exitCode: 2 };
  }
  if (args.help) {
    out.line(help.trimEnd());
    return { out, exitCode: 0 };
  }
  if (args.report !== null) {
    try {
      checkReportPath(args.report);
    } catch (error) {
      out.error(`racesync: --report cannot be written there: ${(error as Error).message}`);
      return { out, exitCode: 2 };
    }
  }
  const env = parseEnv(options.env, target);
  if (!env.ok) {
    for (const problem of env.problems) out.error(problem);
    out.error('racesync: fix the environment variables above (see examples/runner/README.md)');
    return { out, exitCode: 2 };
  }
  return { out, args, config: env.config };
}
