/**
 * Timed request loops, bounded in count and in time, and their figures.
 *
 * @module
 */

/** What one measured loop saw. */
export interface Latency {
  readonly label: string;
  readonly requests: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** Completed requests per second of wall time. */
  readonly perSecond: number;
  readonly concurrency: number;
  /** Whether the time limit ended the loop before the count was reached. */
  readonly stoppedEarly: boolean;
}

/** How to run one measured loop. */
export interface LoopOptions {
  readonly label: string;
  /** Requests to send at most. */
  readonly count: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Stop starting new requests after this long. */
  readonly maxMs: number;
  /** Sends request number `index` and resolves when it has answered. */
  readonly send: (index: number) => Promise<void>;
}

/**
 * The value at a quantile of sorted numbers (nearest rank).
 *
 * @param sorted Numbers in ascending order.
 * @param q A quantile in `[0, 1]`.
 * @returns The value, or `NaN` without numbers.
 */
export function quantile(sorted: ReadonlyArray<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/**
 * Sends requests with a fixed number in flight until `count` are done or
 * `maxMs` has passed, and times each one.
 *
 * @param options The loop.
 * @returns Count, median, p95, max and throughput.
 */
export async function measure(options: LoopOptions): Promise<Latency> {
  const durations: Array<number> = [];
  const start = performance.now();
  let next = 0;
  let stoppedEarly = false;

  const worker = async () => {
    while (next < options.count) {
      if (performance.now() - start > options.maxMs) {
        stoppedEarly = true;
        return;
      }
      const index = next++;
      const sent = performance.now();
      await options.send(index);
      durations.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  const elapsed = performance.now() - start;
  durations.sort((a, b) => a - b);
  return {
    label: options.label,
    requests: durations.length,
    medianMs: quantile(durations, 0.5),
    p95Ms: quantile(durations, 0.95),
    maxMs: durations.at(-1) ?? Number.NaN,
    perSecond: (durations.length * 1000) / elapsed,
    concurrency: options.concurrency,
    stoppedEarly,
  };
}

/** One path of an interleaved loop. */
export interface LoopPath {
  readonly label: string;
  /** Sends one request and resolves when it has answered. */
  readonly send: () => Promise<unknown>;
}

/**
 * Sends one request of each path in turn, one at a time, for `count`
 * rounds or until `maxMs` has passed. Taking turns spreads any change in
 * the machine's background load over every path alike, so the ratios
 * between paths hold even when the absolute figures drift.
 *
 * @param paths The paths, measured in this order within each round.
 * @param count Rounds at most.
 * @param maxMs Start no new round after this long.
 * @returns One result per path, in the same order.
 */
export async function measureInterleaved(
  paths: ReadonlyArray<LoopPath>,
  count: number,
  maxMs: number,
): Promise<ReadonlyArray<Latency>> {
  const durations = paths.map((): Array<number> => []);
  const start = performance.now();
  let rounds = 0;
  while (rounds < count && performance.now() - start <= maxMs) {
    for (const [index, path] of paths.entries()) {
      const sent = performance.now();
      await path.send();
      durations[index]?.push(performance.now() - sent);
    }
    rounds++;
  }

  return paths.map((path, index) => {
    const sorted = [...(durations[index] ?? [])].sort((a, b) => a - b);
    const busy = sorted.reduce((sum, value) => sum + value, 0);
    return {
      label: path.label,
      requests: sorted.length,
      medianMs: quantile(sorted, 0.5),
      p95Ms: quantile(sorted, 0.95),
      maxMs: sorted.at(-1) ?? Number.NaN,
      perSecond: busy === 0 ? Number.NaN : (sorted.length * 1000) / busy,
      concurrency: 1,
      stoppedEarly: rounds < count,
    };
  });
}

/**
 * Runs requests one after another without timing them, to warm up
 * connections, caches and the JIT.
 *
 * @param count How many.
 * @param send Sends request number `index`.
 */
export async function warmUp(
  count: number,
  send: (index: number) => Promise<unknown>,
): Promise<void> {
  for (let index = 0; index < count; index++) await send(index);
}

const ms = (value: number) => value.toFixed(1).padStart(8);

/**
 * A table of loops: one line each.
 *
 * @param rows The loops.
 * @returns The lines of text.
 */
export function latencyTable(rows: ReadonlyArray<Latency>): string {
  const width = Math.max(8, ...rows.map((row) => row.label.length));
  const header =
    `${"path".padEnd(width)}  ${"n".padStart(5)} ${"conc".padStart(4)} ` +
    `${"median".padStart(8)} ${"p95".padStart(8)} ${"max".padStart(8)} ` +
    `${"req/s".padStart(8)}`;
  const lines = rows.map(
    (row) =>
      `${row.label.padEnd(width)}  ${String(row.requests).padStart(5)} ` +
      `${String(row.concurrency).padStart(4)} ${ms(row.medianMs)} ` +
      `${ms(row.p95Ms)} ${ms(row.maxMs)} ${ms(row.perSecond)}` +
      (row.stoppedEarly ? "  (time limit)" : ""),
  );
  return [`${header}   (ms, except req/s)`, ...lines].join("\n");
}
