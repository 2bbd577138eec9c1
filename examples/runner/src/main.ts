/** `pnpm start` — the memory runner (simulated upstream without ZWIFTRACING_API_KEY). */
import { runCli } from './cli.ts';
import { runMemoryRunner } from './memory-runner.ts';

await runCli((o) => runMemoryRunner(o));
