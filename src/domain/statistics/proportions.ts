/**
 * Frequentist statistics for conversion rates: the Wilson score interval
 * of one rate, the pooled two-proportion z-test, and Newcombe's interval
 * for the difference of two rates.
 *
 * Counts are whole numbers with no more successes than trials. Where a
 * statistic is undefined, such as a rate with no trials, the functions
 * return `null` instead of a number.
 *
 * @example
 * ```ts
 * import { twoProportionZTest, wilsonInterval } from "./proportions.ts";
 *
 * console.log(wilsonInterval(45, 500, 0.95));
 * console.log(twoProportionZTest(45, 500, 70, 500));
 * ```
 *
 * @module
 */
import { normalCdf, normalQuantile } from "./distributions.ts";
import { requireConfidence, requireSuccessCounts } from "./preconditions.ts";

/**
 * The result of a two-sided z-test.
 */
export interface ZTestResult {
  /** The standardized difference, positive when treatment is higher. */
  readonly z: number;
  /** The two-sided p-value. */
  readonly pValue: number;
}

function normalCriticalValue(confidence: number): number {
  return -normalQuantile((1 - confidence) / 2);
}

function wilsonBounds(
  successes: number,
  trials: number,
  criticalValue: number,
): readonly [number, number] {
  const rate = successes / trials;
  const spread = (criticalValue * criticalValue) / trials;
  const center = (rate + spread / 2) / (1 + spread);
  const halfWidth =
    (criticalValue / (1 + spread)) *
    Math.sqrt((rate * (1 - rate)) / trials + spread / (4 * trials));

  return [Math.max(0, center - halfWidth), Math.min(1, center + halfWidth)];
}

/**
 * The Wilson score confidence interval for one success rate.
 *
 * @param successes The number of successes, at most `trials`.
 * @param trials The number of trials.
 * @param confidence The two-sided confidence level, in `(0, 1)`.
 * @returns The lower and upper bounds within `[0, 1]`, or `null` when
 * there are no trials.
 *
 * @example
 * ```ts
 * import { wilsonInterval } from "./proportions.ts";
 *
 * console.log(wilsonInterval(0, 10, 0.95));
 * // ≈ [0, 0.277532800]
 * ```
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  confidence: number,
): readonly [number, number] | null {
  requireSuccessCounts(successes, trials, "the");
  requireConfidence(confidence);

  if (trials === 0) return null;

  return wilsonBounds(successes, trials, normalCriticalValue(confidence));
}

/**
 * The pooled two-proportion z-test of treatment against control.
 *
 * Its two-sided p-value equals that of the chi-square test of the 2x2
 * table without continuity correction.
 *
 * @param controlSuccesses Successes in the control arm.
 * @param controlTrials Trials in the control arm.
 * @param treatmentSuccesses Successes in the treatment arm.
 * @param treatmentTrials Trials in the treatment arm.
 * @returns The z statistic and two-sided p-value, or `null` when an arm
 * has no trials or the pooled rate is 0 or 1, leaving no variance.
 *
 * @example
 * ```ts
 * import { twoProportionZTest } from "./proportions.ts";
 *
 * console.log(twoProportionZTest(100, 1000, 130, 1000));
 * // ≈ { z: 2.102740606, pValue: 0.035488450 }
 * ```
 */
export function twoProportionZTest(
  controlSuccesses: number,
  controlTrials: number,
  treatmentSuccesses: number,
  treatmentTrials: number,
): ZTestResult | null {
  requireSuccessCounts(controlSuccesses, controlTrials, "control");
  requireSuccessCounts(treatmentSuccesses, treatmentTrials, "treatment");

  if (controlTrials === 0 || treatmentTrials === 0) return null;

  const pooledSuccesses = controlSuccesses + treatmentSuccesses;
  const pooledTrials = controlTrials + treatmentTrials;
  if (pooledSuccesses === 0 || pooledSuccesses === pooledTrials) return null;

  const pooledRate = pooledSuccesses / pooledTrials;
  const standardError = Math.sqrt(
    pooledRate * (1 - pooledRate) * (1 / controlTrials + 1 / treatmentTrials),
  );
  const difference =
    treatmentSuccesses / treatmentTrials - controlSuccesses / controlTrials;
  const z = difference / standardError;

  return { z, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))) };
}

/**
 * Newcombe's hybrid score interval for the treatment rate minus the
 * control rate, built from the Wilson interval of each arm.
 *
 * @param controlSuccesses Successes in the control arm.
 * @param controlTrials Trials in the control arm.
 * @param treatmentSuccesses Successes in the treatment arm.
 * @param treatmentTrials Trials in the treatment arm.
 * @param confidence The two-sided confidence level, in `(0, 1)`.
 * @returns The lower and upper bounds within `[-1, 1]`, or `null` when an
 * arm has no trials.
 *
 * @example
 * ```ts
 * import { newcombeInterval } from "./proportions.ts";
 *
 * console.log(newcombeInterval(48, 80, 56, 70, 0.95));
 * // ≈ [0.052431472, 0.333872654]
 * ```
 */
export function newcombeInterval(
  controlSuccesses: number,
  controlTrials: number,
  treatmentSuccesses: number,
  treatmentTrials: number,
  confidence: number,
): readonly [number, number] | null {
  requireSuccessCounts(controlSuccesses, controlTrials, "control");
  requireSuccessCounts(treatmentSuccesses, treatmentTrials, "treatment");
  requireConfidence(confidence);

  if (controlTrials === 0 || treatmentTrials === 0) return null;

  const criticalValue = normalCriticalValue(confidence);
  const controlRate = controlSuccesses / controlTrials;
  const treatmentRate = treatmentSuccesses / treatmentTrials;
  const [controlLower, controlUpper] = wilsonBounds(
    controlSuccesses,
    controlTrials,
    criticalValue,
  );
  const [treatmentLower, treatmentUpper] = wilsonBounds(
    treatmentSuccesses,
    treatmentTrials,
    criticalValue,
  );

  // Newcombe (1998), method 10.
  const difference = treatmentRate - controlRate;
  const lowerMargin = Math.hypot(
    treatmentRate - treatmentLower,
    controlUpper - controlRate,
  );
  const upperMargin = Math.hypot(
    treatmentUpper - treatmentRate,
    controlRate - controlLower,
  );

  return [
    Math.max(-1, difference - lowerMargin),
    Math.min(1, difference + upperMargin),
  ];
}
