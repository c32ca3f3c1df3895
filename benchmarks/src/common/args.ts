/**
 * Command-line flags shared by the durable-backend and API benchmarks:
 * `--quick` (a reduced-size smoke run), `--only=a,b` (run only these
 * scenarios, matched by substring) and `--skip=a,b` (drop these scenarios
 * or systems, e.g. `--skip=BullMQ`).
 */

export interface BenchArgs {
  /** Reduced sizes: proves the scenario works end to end; its figures are noisy. */
  quick: boolean;
  /** Keeps only the names containing one of these (empty: everything). */
  only: string[];
  /** Drops the names containing one of these. */
  skip: string[];
  /** `--concurrency=100`: only this worker concurrency in the single-job scenario (profiling). */
  concurrency: number | undefined;
}

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const list = (flag: string): string[] =>
    argv
      .filter((arg) => arg.startsWith(`--${flag}=`))
      .flatMap((arg) => arg.slice(flag.length + 3).split(","))
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const concurrency = list("concurrency")[0];
  return {
    quick: argv.includes("--quick"),
    only: list("only"),
    skip: list("skip"),
    concurrency: concurrency === undefined ? undefined : Number(concurrency),
  };
}

/** Whether a scenario or system called `name` should run under these flags. */
export function selected(args: BenchArgs, name: string): boolean {
  if (args.skip.some((s) => name.includes(s))) return false;
  return args.only.length === 0 || args.only.some((s) => name.includes(s));
}

/** Whether a contender (system) called `name` should run: dropped only by `--skip`. */
export function kept(args: BenchArgs, name: string): boolean {
  return !args.skip.some((s) => name.includes(s));
}
