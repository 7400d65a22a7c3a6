/**
 * The sample ratio mismatch check: whether the users seen in each variant
 * fit the traffic allocations the experiment was configured with. A
 * mismatch points at broken assignment or logging, and makes the other
 * results untrustworthy.
 *
 * @example
 * ```ts
 * import { sampleRatioTest } from "./sample_ratio.ts";
 *
 * console.log(sampleRatioTest([5120, 4880], [50, 50]));
 * ```
 *
 * @module
 */
import { chiSquareSurvival } from "./distributions.ts";
import { requireCount } from "./preconditions.ts";

/**
 * The p-value below which the allocation is reported as mismatched.
 */
export const SAMPLE_RATIO_MISMATCH_THRESHOLD = 0.001;

/** The result of a sample ratio test. */
export interface SampleRatioResult {
  /** Pearson's chi-square statistic. */
  readonly chiSquare: number;
  /** The p-value, with one degree of freedom fewer than variants. */
  readonly pValue: number;
  /** Whether the p-value is below the mismatch threshold. */
  readonly mismatch: boolean;
}

function requireAllocations(
  observed: ReadonlyArray<number>,
  allocations: ReadonlyArray<number>,
): void {
  if (observed.length !== allocations.length) {
    throw new RangeError(
      `got ${observed.length} observed counts for ` +
        `${allocations.length} allocations`,
    );
  }

  if (observed.length < 2) {
    throw new RangeError("a sample ratio test needs at least two variants");
  }

  for (const allocation of allocations) {
    if (!(allocation > 0 && Number.isFinite(allocation))) {
      throw new RangeError(`allocations must be above 0, got ${allocation}`);
    }
  }

  for (const count of observed) requireCount(count, "observed");
}

/**
 * Pearson's chi-square goodness-of-fit test of the observed users per
 * variant against the counts the allocations lead one to expect.
 *
 * @param observed The number of users seen in each variant.
 * @param allocations Each variant's configured share of traffic, as
 * percentages above 0 that sum to 100; expected counts use the actual sum,
 * so rounding in the percentages does not bias the test.
 * @returns The chi-square statistic, its p-value and whether it flags a
 * mismatch (p below {@linkcode SAMPLE_RATIO_MISMATCH_THRESHOLD}), or
 * `null` when no users were observed or an allocation is so small that
 * the statistic overflows.
 *
 * @example
 * ```ts
 * import { sampleRatioTest } from "./sample_ratio.ts";
 *
 * console.log(sampleRatioTest([2100, 7900], [20, 80]));
 * // ≈ { chiSquare: 6.25, pValue: 0.012419331, mismatch: false }
 * ```
 */
export function sampleRatioTest(
  observed: ReadonlyArray<number>,
  allocations: ReadonlyArray<number>,
): SampleRatioResult | null {
  requireAllocations(observed, allocations);

  const total = observed.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;

  const allocationTotal = allocations.reduce((sum, share) => sum + share, 0);
  let chiSquare = 0;

  observed.forEach((count, index) => {
    const expected = (total * allocations[index]) / allocationTotal;
    const deviation = count - expected;
    chiSquare += (deviation * deviation) / expected;
  });

  if (!Number.isFinite(chiSquare)) return null;

  const pValue = chiSquareSurvival(chiSquare, observed.length - 1);

  return {
    chiSquare,
    pValue,
    mismatch: pValue < SAMPLE_RATIO_MISMATCH_THRESHOLD,
  };
}
