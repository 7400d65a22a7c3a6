/**
 * Compares each variant with the control: lifts, intervals, p-values and
 * the chance to beat the control, for conversion and value metrics, with
 * Holm-Bonferroni adjustment across every comparison of a report. Pure:
 * counts in, numbers out, never NaN or Infinity.
 *
 * @module
 */
import {
  chanceToBeatControl,
  holmAdjust,
  meanInterval,
  newcombeInterval,
  summarizeValues,
  twoProportionZTest,
  welchTest,
  wilsonInterval,
} from "./statistics/mod.ts";

/** An interval `[low, high]`. */
export type Interval = readonly [number, number];

/** Users and converted users of one variant for one event type. */
export interface ConversionCounts {
  readonly users: number;
  readonly converted: number;
}

/** How a variant compares with the control; `null` on the control. */
export interface Comparison {
  readonly absoluteLift: number | null;
  readonly relativeLift: number | null;
  readonly liftInterval: Interval | null;
  readonly pValue: number | null;
  readonly chanceToBeatControl: number | null;
  /** Why a statistic is `null`, when it is. */
  readonly note: string | null;
}

/** The comparison of the control with itself: nothing to say. */
export const CONTROL: Comparison = {
  absoluteLift: null,
  relativeLift: null,
  liftInterval: null,
  pValue: null,
  chanceToBeatControl: null,
  note: null,
};

const rate = ({ users, converted }: ConversionCounts) =>
  users === 0 ? 0 : converted / users;

/**
 * The conversion rate with its Wilson score interval.
 *
 * @param counts Users and converted users.
 * @param confidence Such as 0.95.
 * @returns The rate (0 without users) and its interval (`null` without
 * users).
 *
 * @example
 * ```ts
 * conversionRate({ users: 50, converted: 8 }, 0.95).rate; // 0.16
 * ```
 */
export function conversionRate(
  counts: ConversionCounts,
  confidence: number,
): { readonly rate: number; readonly interval: Interval | null } {
  return {
    rate: rate(counts),
    interval: wilsonInterval(counts.converted, counts.users, confidence),
  };
}

/**
 * Compares a variant's conversion with the control's.
 *
 * @param control The control's counts.
 * @param treatment The variant's counts.
 * @param confidence Such as 0.95.
 * @returns Lifts, the Newcombe interval of the absolute lift, the pooled
 * z-test p-value and the Bayesian chance to beat the control.
 *
 * @example
 * ```ts
 * compareConversions({ users: 100, converted: 10 },
 *   { users: 100, converted: 20 }, 0.95).absoluteLift; // 0.1
 * ```
 */
export function compareConversions(
  control: ConversionCounts,
  treatment: ConversionCounts,
  confidence: number,
): Comparison {
  if (control.users === 0 || treatment.users === 0) {
    return {
      ...CONTROL,
      note: "Too little data: a variant has no users yet",
    };
  }

  const baseline = rate(control);
  const difference = rate(treatment) - baseline;
  const test = twoProportionZTest(
    control.converted,
    control.users,
    treatment.converted,
    treatment.users,
  );

  return {
    absoluteLift: difference,
    relativeLift: baseline === 0 ? null : difference / baseline,
    liftInterval: newcombeInterval(
      control.converted,
      control.users,
      treatment.converted,
      treatment.users,
      confidence,
    ),
    pValue: test?.pValue ?? null,
    chanceToBeatControl: chanceToBeatControl(
      control.converted,
      control.users,
      treatment.converted,
      treatment.users,
    ),
    note:
      test === null
        ? "No variance: every user converted, or none did, in both variants"
        : baseline === 0
          ? "The control converted nobody, so the relative lift is undefined"
          : null,
  };
}

/** The per-user totals of a value metric for one variant. */
export interface ValueCounts {
  /** Every assigned user; users without events count as zero. */
  readonly users: number;
  readonly sum: number;
  readonly sumOfSquares: number;
}

/** A value metric's mean per user with its interval. */
export interface ValueMean {
  readonly mean: number;
  readonly interval: Interval | null;
}

/**
 * The mean value per assigned user, with a t interval.
 *
 * @param counts The variant's totals.
 * @param confidence Such as 0.95.
 * @returns The mean (0 without users) and its interval.
 *
 * @example
 * ```ts
 * valueMean({ users: 4, sum: 10, sumOfSquares: 50 }, 0.95).mean; // 2.5
 * ```
 */
export function valueMean(counts: ValueCounts, confidence: number): ValueMean {
  const summary = summarizeValues(
    counts.users,
    counts.sum,
    counts.sumOfSquares,
  );
  return {
    mean: summary.mean,
    interval: meanInterval(
      summary.mean,
      summary.variance,
      counts.users,
      confidence,
    ),
  };
}

/**
 * Compares a variant's mean value per user with the control's by Welch's
 * t-test.
 *
 * @param control The control's totals.
 * @param treatment The variant's totals.
 * @param confidence Such as 0.95.
 * @returns Lifts, the interval of the difference of means and the p-value;
 * no chance to beat the control, which is defined for conversions only.
 *
 * @example
 * ```ts
 * compareValues(control, treatment, 0.95).pValue;
 * ```
 */
export function compareValues(
  control: ValueCounts,
  treatment: ValueCounts,
  confidence: number,
): Comparison {
  const a = summarizeValues(control.users, control.sum, control.sumOfSquares);
  const b = summarizeValues(
    treatment.users,
    treatment.sum,
    treatment.sumOfSquares,
  );
  const test = welchTest(
    { ...a, count: control.users },
    { ...b, count: treatment.users },
    confidence,
  );
  if (test === null) {
    return {
      ...CONTROL,
      absoluteLift:
        control.users > 0 && treatment.users > 0 ? b.mean - a.mean : null,
      note: "Too little data: a variant needs two users and some variance",
    };
  }

  const difference = b.mean - a.mean;
  return {
    absoluteLift: difference,
    relativeLift: a.mean === 0 ? null : difference / a.mean,
    liftInterval: test.differenceInterval,
    pValue: test.pValue,
    chanceToBeatControl: null,
    note:
      a.mean === 0
        ? "The control's mean is 0, so the relative lift is undefined"
        : null,
  };
}

/**
 * Holm-Bonferroni adjusted p-values across every comparison of a report,
 * and whether each is significant at the confidence level.
 *
 * @param pValues The raw p-values; `null` for the control and undefined
 * tests.
 * @param confidence Such as 0.95: significant means adjusted p < 0.05.
 * @returns For each input, the adjusted p-value and the verdict (`null`
 * where the p-value is).
 *
 * @example
 * ```ts
 * adjustForMultipleComparisons([null, 0.01, 0.04], 0.95);
 * ```
 */
export function adjustForMultipleComparisons(
  pValues: ReadonlyArray<number | null>,
  confidence: number,
): ReadonlyArray<{
  readonly adjustedPValue: number | null;
  readonly significant: boolean | null;
}> {
  const alpha = Math.round((1 - confidence) * 1e12) / 1e12;
  return holmAdjust(pValues).map((adjusted) => ({
    adjustedPValue: adjusted,
    significant: adjusted === null ? null : adjusted < alpha,
  }));
}
