import { runStrategy, type Strategy, type StrategyRun } from './run-strategy.js';

/**
 * One strategy of the day benchmark in its own process (`bench:day` starts one per strategy, two at a
 * time, so the two cores both work and each strategy's peak RSS is its own): argv[2] is the JSON of
 * `{ strategy, run, report }`; the figures go to stdout as one JSON line.
 */
const { strategy, run, report } = JSON.parse(process.argv[2] ?? '{}') as {
  strategy: Strategy;
  run: StrategyRun;
  report: boolean;
};
const result = await runStrategy(strategy, run, { report });
process.stdout.write(`${JSON.stringify(result)}\n`);
