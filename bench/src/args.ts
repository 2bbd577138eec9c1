/** Minimal `--name value` / `--flag` parser; a bare `--` (from `pnpm x -- …`) is ignored. */
export function parseArgs(argv: readonly string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' || !arg.startsWith('--')) continue;
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) out.set(name, inline);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) out.set(name, argv[++i]!);
    else out.set(name, true);
  }
  return out;
}

export function numberArg(args: Map<string, string | true>, name: string, fallback: number): number {
  const value = args.get(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value === true || !Number.isFinite(n)) throw new Error(`--${name} needs a number`);
  return n;
}

/**
 * `--name 17-21` or `--name 0,6` (or both: `--name 6-8,17-21`): whole numbers within [0, max];
 * undefined when the option is absent.
 */
export function listArg(args: Map<string, string | true>, name: string, max: number): number[] | undefined {
  const value = args.get(name);
  if (value === undefined) return undefined;
  if (value === true) throw new Error(`--${name} needs a list, e.g. 17-21 or 0,6`);
  const out = new Set<number>();
  for (const part of value.split(',')) {
    const [from, to = from] = part.split('-').map(Number) as [number, number?];
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > max || from > to)
      throw new Error(`--${name}: ${part} is not a whole number or range within [0, ${max}]`);
    for (let v = from; v <= to; v++) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}
