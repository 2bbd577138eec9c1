/**
 * Process glue for the entry points: real argv/env/signals, secrets redacted from anything that
 * escapes (including unexpected errors — no stack traces unless RACESYNC_DEBUG=1, and those are
 * redacted too), and an explicit exit once the run is over.
 */
import { secretsOf } from './env.ts';
import { createRedactor } from './output.ts';

export async function runCli(run: (options: { argv: string[]; env: NodeJS.ProcessEnv }) => Promise<number>) {
  const redact = createRedactor(secretsOf(process.env));
  const describe = (error: unknown) =>
    process.env.RACESYNC_DEBUG === '1' && error instanceof Error && error.stack
      ? error.stack
      : error instanceof Error
        ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
        : String(error);
  const fail = (error: unknown) => {
    process.stderr.write(`${redact(`racesync: ${describe(error)}`)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  let code: number;
  try {
    code = await run({ argv: process.argv.slice(2), env: process.env });
  } catch (error) {
    fail(error);
    return;
  }
  // Writes to pipes, files and terminals are synchronous on Linux: nothing is lost by exiting now,
  // and a lingering keep-alive socket cannot hold the process open.
  process.exit(code);
}
