/**
 * Builds an experiment report from aggregate counts: the split and its
 * sample-ratio check, conversion and value metrics compared with the
 * control, segments, a cumulative time series and a plain-language
 * summary. Pure: counts in, a report out.
 *
 * @module
 */
import {
  adjustForMultipleComparisons,
  CONTROL,
  type Comparison,
  compareConversions,
  compareValues,
  conversionRate,
  type Interval,
  valueMean,
} from "./analysis.ts";
import { reportedEventTypes } from "./results.ts";
import { sampleRatioTest } from "./statistics/mod.ts";

/** A variant of the experiment; the first is the control. */
export interface ReportVariant {
  readonly key: number;
  readonly publicId: string;
  readonly name: string;
  readonly trafficAllocation: number;
}

/** Assigned users of a variant in a segment (`null`: no segmenting). */
export interface SegmentUsers {
  readonly variantKey: number;
  readonly segment: string | null;
  readonly users: number;
}

/** Converted users of a variant in a segment for an event type. */
export interface SegmentConversions {
  readonly variantKey: number;
  readonly segment: string | null;
  readonly eventType: string;
  readonly converted: number;
}

/** Per-user value totals of a variant in a segment. */
export interface SegmentValues {
  readonly variantKey: number;
  readonly segment: string | null;
  readonly sum: number;
  readonly sumOfSquares: number;
  readonly skipped: number;
}

/** A value metric's counts: the per-user sum of a numeric property. */
export interface ValueMetricCounts {
  readonly eventType: string;
  readonly property: string;
  readonly rows: ReadonlyArray<SegmentValues>;
}

/** Everything counted for a report. */
export interface ReportCounts {
  readonly users: ReadonlyArray<SegmentUsers>;
  readonly conversions: ReadonlyArray<SegmentConversions>;
  readonly values: ReadonlyArray<ValueMetricCounts>;
}

/** The sample-ratio check. */
export interface SampleRatio {
  readonly chi_square: number;
  readonly p_value: number;
  readonly mismatch: boolean;
}

/** A variant's place in the split. */
export interface VariantSplit {
  readonly variant_id: string;
  readonly variant_name: string;
  readonly is_control: boolean;
  readonly traffic_allocation: number;
  readonly user_count: number;
  readonly user_share: number;
}

/** Statistics that compare a variant with the control. */
export interface ComparisonFields {
  readonly absolute_lift: number | null;
  readonly relative_lift: number | null;
  readonly lift_ci: Interval | null;
  readonly p_value: number | null;
  readonly adjusted_p_value: number | null;
  readonly significant: boolean | null;
  readonly note: string | null;
}

/** One variant of a conversion metric. */
export interface ConversionVariant extends ComparisonFields {
  readonly variant_id: string;
  readonly variant_name: string;
  readonly is_control: boolean;
  readonly user_count: number;
  readonly converted: number;
  readonly conversion_rate: number;
  readonly conversion_rate_ci: Interval | null;
  readonly chance_to_beat_control: number | null;
}

/** A conversion metric: did the user send this event type. */
export interface ConversionMetric {
  readonly event_type: string;
  readonly variants: ReadonlyArray<ConversionVariant>;
}

/** One variant of a value metric. */
export interface ValueVariant extends ComparisonFields {
  readonly variant_id: string;
  readonly variant_name: string;
  readonly is_control: boolean;
  readonly user_count: number;
  readonly total: number;
  readonly mean: number;
  readonly mean_ci: Interval | null;
  readonly skipped: number;
}

/** A value metric: the mean per assigned user of a numeric property. */
export interface ValueMetric {
  readonly event_type: string;
  readonly property: string;
  readonly variants: ReadonlyArray<ValueVariant>;
}

/** The analysis of one group of users: everyone, or one segment. */
export interface Analysis {
  readonly user_count: number;
  readonly variants: ReadonlyArray<VariantSplit>;
  readonly srm: SampleRatio | null;
  readonly conversions: ReadonlyArray<ConversionMetric>;
  readonly values: ReadonlyArray<ValueMetric>;
}

/** The fewest users per variant before results are worth reading. */
export const MIN_USERS_PER_VARIANT = 100;

const keyOf = (variantKey: number, eventType: string) =>
  `${variantKey}\u0000${eventType}`;

const sumBy = <A>(items: ReadonlyArray<A>, value: (item: A) => number) =>
  items.reduce((total, item) => total + value(item), 0);

const comparisonFields = (comparison: Comparison) => ({
  absolute_lift: comparison.absoluteLift,
  relative_lift: comparison.relativeLift,
  lift_ci: comparison.liftInterval,
  p_value: comparison.pValue,
  note: comparison.note,
});

/**
 * Analyses one group of users. P-values are adjusted by Holm-Bonferroni
 * across every comparison of every metric in the group.
 *
 * @param variants The experiment's variants, control first.
 * @param counts The group's counts (segment fields are ignored).
 * @param requested The event types asked for, if any.
 * @param confidence Such as 0.95.
 * @returns The group's analysis.
 *
 * @example
 * ```ts
 * const overall = analyse(variants, counts, undefined, 0.95);
 * ```
 */
export function analyse(
  variants: ReadonlyArray<ReportVariant>,
  counts: ReportCounts,
  requested: ReadonlyArray<string> | undefined,
  confidence: number,
): Analysis {
  const usersOf = new Map<number, number>();
  for (const row of counts.users) {
    usersOf.set(row.variantKey, (usersOf.get(row.variantKey) ?? 0) + row.users);
  }
  const users = variants.map((variant) => usersOf.get(variant.key) ?? 0);
  const total = sumBy(users, (n) => n);

  const split = variants.map((variant, index) => ({
    variant_id: variant.publicId,
    variant_name: variant.name,
    is_control: index === 0,
    traffic_allocation: variant.trafficAllocation,
    user_count: users[index] ?? 0,
    user_share: total === 0 ? 0 : (users[index] ?? 0) / total,
  }));
  const ratio = sampleRatioTest(
    users,
    variants.map((variant) => variant.trafficAllocation),
  );

  const conversions = conversionMetrics(
    variants,
    users,
    counts.conversions,
    requested,
    confidence,
  );
  const values = counts.values.map((metric) =>
    valueMetric(variants, users, metric, confidence),
  );

  const [adjustedConversions, adjustedValues] = adjustTogether(
    conversions,
    values,
    confidence,
  );

  return {
    user_count: total,
    variants: split,
    srm:
      ratio === null
        ? null
        : {
            chi_square: ratio.chiSquare,
            p_value: ratio.pValue,
            mismatch: ratio.mismatch,
          },
    conversions: adjustedConversions,
    values: adjustedValues,
  };
}

function conversionMetrics(
  variants: ReadonlyArray<ReportVariant>,
  users: ReadonlyArray<number>,
  rows: ReadonlyArray<SegmentConversions>,
  requested: ReadonlyArray<string> | undefined,
  confidence: number,
): ReadonlyArray<ConversionMetric> {
  const converted = new Map<string, number>();
  for (const row of rows) {
    const key = keyOf(row.variantKey, row.eventType);
    converted.set(key, (converted.get(key) ?? 0) + row.converted);
  }

  return reportedEventTypes(rows, requested).map((eventType) => {
    const countsOf = (index: number) => ({
      users: users[index] ?? 0,
      converted:
        converted.get(keyOf(variants[index]?.key ?? -1, eventType)) ?? 0,
    });
    const control = countsOf(0);

    return {
      event_type: eventType,
      variants: variants.map((variant, index) => {
        const own = countsOf(index);
        const { rate, interval } = conversionRate(own, confidence);
        const comparison =
          index === 0 ? CONTROL : compareConversions(control, own, confidence);

        return {
          variant_id: variant.publicId,
          variant_name: variant.name,
          is_control: index === 0,
          user_count: own.users,
          converted: own.converted,
          conversion_rate: rate,
          conversion_rate_ci: interval,
          chance_to_beat_control: comparison.chanceToBeatControl,
          ...comparisonFields(comparison),
          adjusted_p_value: null,
          significant: null,
        };
      }),
    };
  });
}

function valueMetric(
  variants: ReadonlyArray<ReportVariant>,
  users: ReadonlyArray<number>,
  metric: ValueMetricCounts,
  confidence: number,
): ValueMetric {
  const totals = variants.map((variant, index) => {
    const rows = metric.rows.filter((row) => row.variantKey === variant.key);
    return {
      users: users[index] ?? 0,
      sum: sumBy(rows, (row) => row.sum),
      sumOfSquares: sumBy(rows, (row) => row.sumOfSquares),
      skipped: sumBy(rows, (row) => row.skipped),
    };
  });
  const control = totals[0] ?? {
    users: 0,
    sum: 0,
    sumOfSquares: 0,
    skipped: 0,
  };

  return {
    event_type: metric.eventType,
    property: metric.property,
    variants: variants.map((variant, index) => {
      const own = totals[index] ?? control;
      const mean = valueMean(own, confidence);
      const comparison =
        index === 0 ? CONTROL : compareValues(control, own, confidence);

      return {
        variant_id: variant.publicId,
        variant_name: variant.name,
        is_control: index === 0,
        user_count: own.users,
        total: own.sum,
        mean: mean.mean,
        mean_ci: mean.interval,
        skipped: own.skipped,
        ...comparisonFields(comparison),
        adjusted_p_value: null,
        significant: null,
      };
    }),
  };
}

function adjustTogether(
  conversions: ReadonlyArray<ConversionMetric>,
  values: ReadonlyArray<ValueMetric>,
  confidence: number,
): readonly [ReadonlyArray<ConversionMetric>, ReadonlyArray<ValueMetric>] {
  const pValues = [
    ...conversions.flatMap((m) => m.variants.map((v) => v.p_value)),
    ...values.flatMap((m) => m.variants.map((v) => v.p_value)),
  ];
  const adjusted = adjustForMultipleComparisons(pValues, confidence);
  let next = 0;
  const take = () => {
    const result = adjusted[next++];
    return {
      adjusted_p_value: result?.adjustedPValue ?? null,
      significant: result?.significant ?? null,
    };
  };

  const adjustedConversions = conversions.map((metric) => ({
    ...metric,
    variants: metric.variants.map((variant) => ({ ...variant, ...take() })),
  }));
  const adjustedValues = values.map((metric) => ({
    ...metric,
    variants: metric.variants.map((variant) => ({ ...variant, ...take() })),
  }));
  return [adjustedConversions, adjustedValues];
}

/** The segment of users whose attribute is missing. */
export const NO_VALUE = "(none)";

/** The segment that gathers the values beyond the largest ones. */
export const OTHER_VALUES = "(other)";

/** One segment of a report. */
export interface SegmentAnalysis extends Analysis {
  readonly value: string;
}

/**
 * Splits the counts by segment: the `limit` largest values by users, and
 * the rest gathered as `(other)`; users without the attribute form
 * `(none)`.
 *
 * @param counts Counts grouped by segment value.
 * @param limit How many values to keep apart.
 * @returns Each segment's value and counts, largest first.
 *
 * @example
 * ```ts
 * splitSegments(counts, 20).map((s) => s.value); // ["US", "DE", "(other)"]
 * ```
 */
export function splitSegments(
  counts: ReportCounts,
  limit: number,
): ReadonlyArray<{ readonly value: string; readonly counts: ReportCounts }> {
  const nameOf = (segment: string | null) => segment ?? NO_VALUE;
  const sizes = new Map<string, number>();
  for (const row of counts.users) {
    const name = nameOf(row.segment);
    sizes.set(name, (sizes.get(name) ?? 0) + row.users);
  }

  const ranked = [...sizes].sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
  );
  const kept = new Set(ranked.slice(0, limit).map(([name]) => name));
  const groupOf = (segment: string | null) => {
    const name = nameOf(segment);
    return kept.has(name) ? name : OTHER_VALUES;
  };
  const groups = [
    ...ranked.slice(0, limit).map(([name]) => name),
    ...(ranked.length > limit ? [OTHER_VALUES] : []),
  ];

  return groups.map((value) => ({
    value,
    counts: {
      users: counts.users.filter((row) => groupOf(row.segment) === value),
      conversions: counts.conversions.filter(
        (row) => groupOf(row.segment) === value,
      ),
      values: counts.values.map((metric) => ({
        ...metric,
        rows: metric.rows.filter((row) => groupOf(row.segment) === value),
      })),
    },
  }));
}

/**
 * New users or first conversions of a variant in one period. A `null`
 * period counts users of the type who did not convert inside the window.
 */
export interface PeriodCount {
  readonly variantKey: number;
  readonly eventType: string | null;
  readonly period: string | null;
  readonly count: number;
}

/** One variant in one period of the time series, cumulative. */
export interface SeriesVariant {
  readonly variant_id: string;
  readonly variant_name: string;
  readonly users: number;
  readonly conversions: ReadonlyArray<{
    readonly event_type: string;
    readonly converted: number;
    readonly conversion_rate: number;
  }>;
}

/** One period of the time series. */
export interface SeriesPoint {
  readonly period_start: Date;
  readonly variants: ReadonlyArray<SeriesVariant>;
}

const STEP_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/** The most periods a time series may have. */
export const MAX_PERIODS = 2_000;

/**
 * Builds a cumulative time series, one point per period from the first
 * with data to the last, gaps filled.
 *
 * @param variants The experiment's variants.
 * @param users New users per variant and period.
 * @param conversions First conversions per variant, type and period.
 * @param eventTypes The types to chart.
 * @param granularity `hour` or `day`.
 * @returns The points, oldest first; empty without data.
 *
 * @example
 * ```ts
 * buildTimeSeries(variants, users, conversions, ["purchase"], "day");
 * ```
 */
export function buildTimeSeries(
  variants: ReadonlyArray<ReportVariant>,
  users: ReadonlyArray<PeriodCount>,
  conversions: ReadonlyArray<PeriodCount>,
  eventTypes: ReadonlyArray<string>,
  granularity: "hour" | "day",
): ReadonlyArray<SeriesPoint> {
  const dated = [...users, ...conversions].flatMap((row) =>
    row.period === null ? [] : [{ ...row, time: Date.parse(row.period) }],
  );
  const times = dated.map((row) => row.time);
  if (times.length === 0) return [];

  const first = times.reduce((a, b) => Math.min(a, b));
  const last = times.reduce((a, b) => Math.max(a, b));
  const step = STEP_MS[granularity];
  const periods = Math.min(Math.floor((last - first) / step) + 1, MAX_PERIODS);

  const added = new Map<string, number>();
  for (const row of dated) {
    const type = row.eventType ?? "";
    const key = `${row.time}\u0000${row.variantKey}\u0000${type}`;
    added.set(key, (added.get(key) ?? 0) + row.count);
  }

  const running = new Map<string, number>();
  const bump = (time: number, variantKey: number, eventType: string) => {
    const key = `${variantKey}\u0000${eventType}`;
    const value =
      (running.get(key) ?? 0) +
      (added.get(`${time}\u0000${variantKey}\u0000${eventType}`) ?? 0);
    running.set(key, value);
    return value;
  };

  return Array.from({ length: periods }, (_, index) => {
    const time = first + index * step;
    return {
      period_start: new Date(time),
      variants: variants.map((variant) => {
        const userCount = bump(time, variant.key, "");
        return {
          variant_id: variant.publicId,
          variant_name: variant.name,
          users: userCount,
          conversions: eventTypes.map((eventType) => {
            const converted = bump(time, variant.key, eventType);
            return {
              event_type: eventType,
              converted,
              conversion_rate: userCount === 0 ? 0 : converted / userCount,
            };
          }),
        };
      }),
    };
  });
}

/**
 * The totals that a time series' rows add up to, when they were counted
 * without segments: users per variant, and converted users per variant
 * and type, with the types whose users did not convert in the window.
 * They equal what the separate counting queries answer, so a report with
 * a time series need not run those.
 *
 * @param users New users per variant and period.
 * @param conversions First conversions per variant, type and period.
 * @returns The users and conversions of a report's counts.
 *
 * @example
 * ```ts
 * totalsOfSeries(
 *   [{ variantKey: 1, eventType: null, period: "2026-10-27", count: 5 }],
 *   [{ variantKey: 1, eventType: "buy", period: null, count: 4 }],
 * );
 * // users: 5 for variant 1; conversions: 0 of "buy" for variant 1
 * ```
 */
export function totalsOfSeries(
  users: ReadonlyArray<PeriodCount>,
  conversions: ReadonlyArray<PeriodCount>,
): Pick<ReportCounts, "users" | "conversions"> {
  const usersByVariant = new Map<number, number>();
  for (const row of users) {
    usersByVariant.set(
      row.variantKey,
      (usersByVariant.get(row.variantKey) ?? 0) + row.count,
    );
  }

  const converted = new Map<string, SegmentConversions>();
  for (const row of conversions) {
    const eventType = row.eventType ?? "";
    const key = `${row.variantKey}\u0000${eventType}`;
    const count = row.period === null ? 0 : row.count;
    converted.set(key, {
      variantKey: row.variantKey,
      segment: null,
      eventType,
      converted: (converted.get(key)?.converted ?? 0) + count,
    });
  }

  return {
    users: [...usersByVariant].map(([variantKey, count]) => ({
      variantKey,
      segment: null,
      users: count,
    })),
    conversions: [...converted.values()],
  };
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

const points = (value: number) =>
  `${value >= 0 ? "+" : "-"}${Math.abs(value * 100).toFixed(1)} points`;

const amount = (value: number) =>
  `${value >= 0 ? "+" : "-"}${Math.abs(value).toFixed(2)}`;

const verdict = (variant: ComparisonFields, confidence: number): string => {
  if (variant.adjusted_p_value === null) {
    return `not testable yet (${variant.note ?? "too little data"})`;
  }
  const p = variant.adjusted_p_value.toPrecision(2);
  return variant.significant === true
    ? `significant at ${percent(confidence)} confidence (adjusted p = ${p})`
    : `not significant (adjusted p = ${p})`;
};

const intervalText = (
  interval: Interval | null,
  format: (value: number) => string,
  confidence: number,
) =>
  interval === null
    ? ""
    : ` (${percent(confidence)} CI ${format(interval[0])} to ${format(interval[1])})`;

const liftText = (
  variant: ComparisonFields,
  format: (value: number) => string,
  confidence: number,
) =>
  variant.absolute_lift === null
    ? ""
    : `, ${format(variant.absolute_lift)}` +
      intervalText(variant.lift_ci, format, confidence);

const leader = <V extends { readonly is_control: boolean }>(
  variants: ReadonlyArray<V>,
  score: (variant: V) => number,
) =>
  variants
    .filter((variant) => !variant.is_control)
    .reduce<V | undefined>(
      (best, variant) =>
        best === undefined || score(variant) > score(best) ? variant : best,
      undefined,
    );

/**
 * One plain sentence per metric (the leading variant against the control,
 * its lift with its interval, and whether it is significant), then the
 * health warnings. Every figure comes from the analysis.
 *
 * @param analysis The overall analysis.
 * @param confidence The confidence level used.
 * @returns The sentences and the warnings.
 *
 * @example
 * ```ts
 * summarize(overall, 0.95).sentences[0];
 * // "purchase: treatment converts 12.0% against 10.0% for control, ..."
 * ```
 */
export function summarize(
  analysis: Analysis,
  confidence: number,
): {
  readonly sentences: ReadonlyArray<string>;
  readonly warnings: ReadonlyArray<string>;
} {
  const conversionSentences = analysis.conversions.flatMap((metric) => {
    const [control] = metric.variants;
    const best = leader(metric.variants, (v) => v.conversion_rate);
    if (control === undefined || best === undefined) return [];
    return [
      `${metric.event_type}: ${best.variant_name} converts ` +
        `${percent(best.conversion_rate)} against ` +
        `${percent(control.conversion_rate)} for ${control.variant_name}` +
        liftText(best, points, confidence) +
        `; ${verdict(best, confidence)}.`,
    ];
  });

  const valueSentences = analysis.values.flatMap((metric) => {
    const [control] = metric.variants;
    const best = leader(metric.variants, (v) => v.mean);
    if (control === undefined || best === undefined) return [];
    return [
      `${metric.event_type} ${metric.property} per user: ` +
        `${best.variant_name} averages ${best.mean.toFixed(2)} against ` +
        `${control.mean.toFixed(2)} for ${control.variant_name}` +
        liftText(best, amount, confidence) +
        `; ${verdict(best, confidence)}.`,
    ];
  });

  const warnings: Array<string> = [];
  if (analysis.srm?.mismatch === true) {
    const observed = analysis.variants
      .map((v) => `${v.variant_name} ${v.user_count}`)
      .join(", ");
    const planned = analysis.variants
      .map((v) => `${v.traffic_allocation}%`)
      .join("/");
    warnings.push(
      `Sample-ratio mismatch: users split ${observed} against the ` +
        `configured ${planned} (p = ${analysis.srm.p_value.toPrecision(2)}); ` +
        "check assignment before trusting these results.",
    );
  }
  const small = analysis.variants.filter(
    (variant) => variant.user_count < MIN_USERS_PER_VARIANT,
  );
  if (small.length > 0) {
    warnings.push(
      `Too little data: ${small
        .map((v) => `${v.variant_name} has ${v.user_count} users`)
        .join(", ")}; at least ${MIN_USERS_PER_VARIANT} per variant are ` +
        "advisable before reading the results.",
    );
  }
  const skipped = analysis.values.flatMap((metric) =>
    sumBy(metric.variants, (v) => v.skipped) > 0
      ? [
          `${metric.event_type} ${metric.property}: ` +
            `${sumBy(metric.variants, (v) => v.skipped)} values were not ` +
            "numbers and were ignored.",
        ]
      : [],
  );

  return {
    sentences: [...conversionSentences, ...valueSentences],
    warnings: [...warnings, ...skipped],
  };
}
