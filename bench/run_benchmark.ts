/**
 * The frame every benchmark runs in: its work, then its clean-up exactly
 * once, also when the run fails or is stopped with Ctrl-C or SIGTERM.
 *
 * @module
 */
import {
  type BenchResources,
  deleteKeys,
  dropDatabase,
  leftovers,
} from "./resources.ts";

/**
 * Runs one clean-up step, and reports its failure rather than throwing,
 * so that the steps after it still run.
 *
 * @param what What the step does, for the message.
 * @param step The step.
 */
export async function cleanUpStep(
  what: string,
  step: () => Promise<unknown>,
): Promise<void> {
  try {
    await step();
  } catch (error) {
    console.error(`Clean up: ${what} failed: ${String(error)}`);
  }
}

/**
 * Drops the run's database, deletes its Redis keys and prints what is
 * left of either, each step even when one before it failed.
 *
 * @param resources The run's database and key prefix.
 * @param log Prints a line.
 */
export async function removeResources(
  resources: BenchResources,
  log: (line: string) => void,
): Promise<void> {
  await cleanUpStep("drop the database", () => dropDatabase(resources));
  await cleanUpStep("delete the Redis keys", async () => {
    log(`Deleted ${await deleteKeys(resources)} Redis keys`);
  });
  await cleanUpStep("check for leftovers", async () => {
    const left = await leftovers(resources);
    log(
      `Database ${resources.database}: ` +
        `${left.database ? "STILL THERE" : "dropped"}; keys left under ` +
        `${resources.redisPrefix}: ${left.keys}`,
    );
  });
}

/**
 * Runs a benchmark and then its clean-up, once. Ctrl-C reaches a process
 * started by `tsx` twice (from the terminal and relayed), so every signal
 * is handled, and the clean-up starts only once. A failed run sets the
 * exit code to 1; a stopped one exits with 130 after cleaning up.
 *
 * @param run The benchmark.
 * @param cleanUp Stops what the run started and removes what it made.
 */
export async function runBenchmark(
  run: () => Promise<void>,
  cleanUp: () => Promise<void>,
): Promise<void> {
  let cleaning: Promise<void> | undefined;
  const cleanUpOnce = () => {
    cleaning ??= cleanUp();
    return cleaning;
  };

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (cleaning !== undefined) return;
      console.error(`\n${signal}: stopping and cleaning up`);
      void cleanUpOnce().finally(() => process.exit(130));
    });
  }

  try {
    await run();
  } catch (error) {
    if (cleaning === undefined) {
      console.error(`\nBenchmark failed: ${String(error)}`);
    }
    process.exitCode = 1;
  } finally {
    await cleanUpOnce();
  }
}
