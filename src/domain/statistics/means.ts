/**
 * Statistics for continuous metrics such as revenue per user: the mean
 * and variance from running aggregates, a t-based interval for one mean,
 * and Welch's unequal-variance t-test between two arms.
 *
 * Where a statistic is undefined, such as a variance from one user, the
 * functions return `null` instead of a number.
 *
 * @example
 * ```ts
 * import { summarizeValues, welchTest } from "./means.ts";
 *
 * const control = { ...summarizeValues(4, 10, 30), count: 4 };
 * const treatment = { ...summarizeValues(5, 20, 90), count: 5 };
 * console.log(welchTest(control, treatment, 0.95));
 * ```
 *
 * @module
 */
import { studentTQuantile, studentTSurvival } from "./distributions.ts";
import {
  requireConfidence,
  requireCount,
  requireFinite,
} from "./preconditions.ts";

/** The mean and unbiased variance of a metric. */
export interface ValueSummary {
  /** The mean over all users, 0 when there are none. */
  readonly mean: number;
  /** The unbiased sample variance, `null` with fewer than two users. */
  readonly variance: number | null;
}

/** One arm of a comparison of means. */
export interface ArmSummary {
  /** The arm's mean. */
  readonly mean: number;
  /** The arm's unbiased sample variance, `null` when undefined. */
  readonly variance: number | null;
  /** The number of users in the arm. */
  readonly count: number;
}

/** The result of Welch's two-sided t-test. */
export interface WelchTestResult {
  /** The t statistic, positive when the treatment mean is higher. */
  readonly t: number;
  /** The Welch–Satterthwaite degrees of freedom. */
  readonly degreesOfFreedom: number;
  /** The two-sided p-value. */
  readonly pValue: number;
  /** The confidence interval of treatment mean minus control mean. */
  readonly differenceInterval: readonly [number, number];
}

function requireVariance(variance: number | null, name: string): void {
  if (variance === null) return;

  requireFinite(variance, name);

  if (variance < 0) {
    throw new RangeError(`${name} must not be negative, got ${variance}`);
  }
}

function requireArm(arm: ArmSummary, name: string): void {
  requireFinite(arm.mean, `${name} mean`);
  requireVariance(arm.variance, `${name} variance`);
  requireCount(arm.count, `${name} count`);
}

function tCriticalValue(confidence: number, degreesOfFreedom: number): number {
  return -studentTQuantile((1 - confidence) / 2, degreesOfFreedom);
}

/**
 * The mean and unbiased sample variance of a metric from its aggregates.
 *
 * @param count The number of users, including those whose value is 0.
 * @param sum The sum of the users' values.
 * @param sumOfSquares The sum of the squares of the users' values.
 * @returns The mean (0 when `count` is 0) and the variance, `null` when
 * `count` is below 2 and never negative despite rounding.
 *
 * @example
 * ```ts
 * import { summarizeValues } from "./means.ts";
 *
 * console.log(summarizeValues(4, 10, 30));
 * // { mean: 2.5, variance: 1.6666666666666667 }
 * ```
 */
export function summarizeValues(
  count: number,
  sum: number,
  sumOfSquares: number,
): ValueSummary {
  requireCount(count, "count");
  requireFinite(sum, "sum");
  requireFinite(sumOfSquares, "sumOfSquares");

  if (count === 0) return { mean: 0, variance: null };

  const mean = sum / count;
  if (count < 2) return { mean, variance: null };

  const variance = (sumOfSquares - sum * mean) / (count - 1);

  return { mean, variance: Math.max(0, variance) };
}

/**
 * The Student t confidence interval for one mean.
 *
 * @param mean The sample mean.
 * @param variance The unbiased sample variance, or `null`.
 * @param count The number of users behind the mean.
 * @param confidence The two-sided confidence level, in `(0, 1)`.
 * @returns The lower and upper bounds, or `null` when `count` is below 2
 * or the variance is `null`. A zero variance gives a zero-width interval.
 *
 * @example
 * ```ts
 * import { meanInterval } from "./means.ts";
 *
 * console.log(meanInterval(10, 4, 16, 0.95));
 * // ≈ [8.934275227, 11.065724773]
 * ```
 */
export function meanInterval(
  mean: number,
  variance: number | null,
  count: number,
  confidence: number,
): readonly [number, number] | null {
  requireFinite(mean, "mean");
  requireVariance(variance, "variance");
  requireCount(count, "count");
  requireConfidence(confidence);

  if (variance === null || count < 2) return null;

  const standardError = Math.sqrt(variance / count);
  const margin = tCriticalValue(confidence, count - 1) * standardError;

  return [mean - margin, mean + margin];
}

/**
 * Welch's unequal-variance t-test of the treatment mean against the
 * control mean, two-sided.
 *
 * @param control The control arm's mean, variance and count.
 * @param treatment The treatment arm's mean, variance and count.
 * @param confidence The two-sided confidence level of the interval.
 * @returns The t statistic, the Welch–Satterthwaite degrees of freedom,
 * the p-value and the interval of treatment minus control; or `null` when
 * an arm has fewer than 2 users or no variance, both variances are 0, or
 * the standard error is too small for a finite t.
 *
 * @example
 * ```ts
 * import { welchTest } from "./means.ts";
 *
 * const control = { mean: 10, variance: 4, count: 50 };
 * const treatment = { mean: 11, variance: 9, count: 40 };
 * console.log(welchTest(control, treatment, 0.95));
 * ```
 */
export function welchTest(
  control: ArmSummary,
  treatment: ArmSummary,
  confidence: number,
): WelchTestResult | null {
  requireArm(control, "control");
  requireArm(treatment, "treatment");
  requireConfidence(confidence);

  if (control.count < 2 || treatment.count < 2) return null;
  if (control.variance === null || treatment.variance === null) return null;

  const controlShare = control.variance / control.count;
  const treatmentShare = treatment.variance / treatment.count;
  const squaredError = controlShare + treatmentShare;
  if (squaredError === 0) return null;

  // Welch–Satterthwaite, with each share scaled by their total.
  const controlWeight = controlShare / squaredError;
  const treatmentWeight = treatmentShare / squaredError;
  const degreesOfFreedom =
    1 /
    ((controlWeight * controlWeight) / (control.count - 1) +
      (treatmentWeight * treatmentWeight) / (treatment.count - 1));

  const standardError = Math.sqrt(squaredError);
  const difference = treatment.mean - control.mean;
  const t = difference / standardError;
  if (!Number.isFinite(t)) return null;

  const pValue = Math.min(
    1,
    2 * studentTSurvival(Math.abs(t), degreesOfFreedom),
  );
  const margin = tCriticalValue(confidence, degreesOfFreedom) * standardError;

  return {
    t,
    degreesOfFreedom,
    pValue,
    differenceInterval: [difference - margin, difference + margin],
  };
}
