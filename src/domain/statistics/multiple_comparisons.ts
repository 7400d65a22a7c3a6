/**
 * Corrections for testing several treatments against one control, so that
 * the chance of any false positive stays at the chosen level.
 *
 * @example
 * ```ts
 * import { holmAdjust } from "./multiple_comparisons.ts";
 *
 * console.log(holmAdjust([0.01, null, 0.04, 0.03]));
 * // [0.03, null, 0.06, 0.06]
 * ```
 *
 * @module
 */

/**
 * Holm–Bonferroni adjusted p-values.
 *
 * The p-values are sorted ascending, the one of rank `k` (from 0) is
 * multiplied by `m - k`, a running maximum makes the results monotone, and
 * each is capped at 1. Ties keep their input order.
 *
 * @param pValues Raw p-values in `[0, 1]`; a `null` stands for a test that
 * could not be run and is not counted in `m`.
 * @returns The adjusted p-values in the input's order, with each `null`
 * left in its place.
 *
 * @example
 * ```ts
 * import { holmAdjust } from "./multiple_comparisons.ts";
 *
 * console.log(holmAdjust([0.04, 0.01]));
 * // [0.04, 0.02]
 * ```
 */
export function holmAdjust(
  pValues: ReadonlyArray<number | null>,
): ReadonlyArray<number | null> {
  const tested: Array<{ readonly index: number; readonly pValue: number }> = [];

  pValues.forEach((pValue, index) => {
    if (pValue === null) return;

    if (!(pValue >= 0 && pValue <= 1)) {
      throw new RangeError(`p-values must lie in [0, 1], got ${pValue}`);
    }

    tested.push({ index, pValue });
  });

  tested.sort((left, right) => left.pValue - right.pValue);

  const adjusted: Array<number | null> = pValues.map(() => null);
  let runningMaximum = 0;

  tested.forEach(({ index, pValue }, rank) => {
    const scaled = Math.min(1, (tested.length - rank) * pValue);
    runningMaximum = Math.max(runningMaximum, scaled);
    adjusted[index] = runningMaximum;
  });

  return adjusted;
}
