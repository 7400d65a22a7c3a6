/**
 * Turns the counts that SQL computes into the rows of the results
 * endpoint: every variant for every event type, zeros where nobody
 * converted, each compared with the control.
 *
 * @module
 */
import {
  adjustForMultipleComparisons,
  CONTROL,
  compareConversions,
  conversionRate,
  type Interval,
} from "./analysis.ts";
import { toCsv } from "./csv.ts";

/** A variant, in the experiment's order; the first is the control. */
export interface VariantRef {
  readonly key: number;
  readonly publicId: string;
  readonly name: string;
}

/** Users assigned to one variant. */
export interface UserCount {
  readonly variantKey: number;
  readonly users: number;
}

/** Converted users of one variant for one event type. */
export interface Conversion {
  readonly variantKey: number;
  readonly eventType: string;
  readonly converted: number;
}

/** One row of results. */
export interface ResultRow {
  readonly variant_id: string;
  readonly variant_name: string;
  readonly user_count: number;
  readonly event_type: string;
  readonly user_count_event_type: number;
  readonly conversion_rate: number;
  readonly is_control: boolean;
  readonly conversion_rate_ci: Interval | null;
  readonly absolute_lift: number | null;
  readonly relative_lift: number | null;
  readonly lift_ci: Interval | null;
  readonly p_value: number | null;
  readonly adjusted_p_value: number | null;
  readonly chance_to_beat_control: number | null;
  readonly significant: boolean | null;
  readonly note: string | null;
}

/**
 * The event types to report: exactly the requested ones (first mention
 * first), or else every type in the conversions, sorted.
 *
 * @param conversions The counts from SQL.
 * @param requested The caller's filter, if any.
 * @returns The types, without repeats.
 *
 * @example
 * ```ts
 * reportedEventTypes([], ["signup", "purchase"]); // ["signup", "purchase"]
 * ```
 */
export function reportedEventTypes(
  conversions: ReadonlyArray<Conversion>,
  requested: ReadonlyArray<string> | undefined,
): ReadonlyArray<string> {
  if (requested !== undefined) return [...new Set(requested)];
  return [...new Set(conversions.map((c) => c.eventType))].sort();
}

/**
 * Builds the results rows, grouped by event type, variants in order, each
 * compared with the control (the first variant). P-values are adjusted
 * across all the rows by Holm-Bonferroni.
 *
 * @param variants The experiment's variants.
 * @param userCounts Assigned users per variant; missing means none.
 * @param conversions Converted users per variant and type.
 * @param requested The caller's event type filter, if any.
 * @param confidence The confidence level, such as 0.95.
 * @returns One row per event type and variant.
 *
 * @example
 * ```ts
 * buildResultRows(
 *   [{ key: 1, publicId: "a", name: "control" }],
 *   [{ variantKey: 1, users: 4 }],
 *   [{ variantKey: 1, eventType: "buy", converted: 1 }],
 *   undefined,
 *   0.95,
 * ); // [{ ..., user_count: 4, user_count_event_type: 1, conversion_rate: 0.25 }]
 * ```
 */
export function buildResultRows(
  variants: ReadonlyArray<VariantRef>,
  userCounts: ReadonlyArray<UserCount>,
  conversions: ReadonlyArray<Conversion>,
  requested: ReadonlyArray<string> | undefined,
  confidence: number,
): ReadonlyArray<ResultRow> {
  const users = new Map(userCounts.map((c) => [c.variantKey, c.users]));
  const converted = new Map(
    conversions.map((c) => [
      `${c.variantKey}\u0000${c.eventType}`,
      c.converted,
    ]),
  );
  const countsOf = (variant: VariantRef, eventType: string) => ({
    users: users.get(variant.key) ?? 0,
    converted: converted.get(`${variant.key}\u0000${eventType}`) ?? 0,
  });

  const rows = reportedEventTypes(conversions, requested).flatMap(
    (eventType) => {
      const [control] = variants;
      const controlCounts =
        control === undefined
          ? { users: 0, converted: 0 }
          : countsOf(control, eventType);

      return variants.map((variant, position) => {
        const counts = countsOf(variant, eventType);
        const { rate, interval } = conversionRate(counts, confidence);
        const comparison =
          position === 0
            ? CONTROL
            : compareConversions(controlCounts, counts, confidence);

        return {
          variant_id: variant.publicId,
          variant_name: variant.name,
          user_count: counts.users,
          event_type: eventType,
          user_count_event_type: counts.converted,
          conversion_rate: rate,
          is_control: position === 0,
          conversion_rate_ci: interval,
          absolute_lift: comparison.absoluteLift,
          relative_lift: comparison.relativeLift,
          lift_ci: comparison.liftInterval,
          p_value: comparison.pValue,
          chance_to_beat_control: comparison.chanceToBeatControl,
          note: comparison.note,
        };
      });
    },
  );

  const adjusted = adjustForMultipleComparisons(
    rows.map((row) => row.p_value),
    confidence,
  );
  return rows.map((row, index) => ({
    ...row,
    adjusted_p_value: adjusted[index]?.adjustedPValue ?? null,
    significant: adjusted[index]?.significant ?? null,
  }));
}

/** The CSV columns of the results, in order. */
export const RESULT_COLUMNS = [
  "variant_id",
  "variant_name",
  "is_control",
  "event_type",
  "user_count",
  "user_count_event_type",
  "conversion_rate",
  "conversion_rate_ci_low",
  "conversion_rate_ci_high",
  "absolute_lift",
  "relative_lift",
  "lift_ci_low",
  "lift_ci_high",
  "p_value",
  "adjusted_p_value",
  "chance_to_beat_control",
  "significant",
  "note",
] as const;

/**
 * Results rows as CSV, one line per row, intervals split into low and
 * high columns.
 *
 * @param rows The rows.
 * @returns The CSV text with a header line.
 *
 * @example
 * ```ts
 * resultsCsv(rows).split("\r\n")[0]; // "variant_id,variant_name,..."
 * ```
 */
export function resultsCsv(rows: ReadonlyArray<ResultRow>): string {
  return toCsv(
    RESULT_COLUMNS,
    rows.map((row) => [
      row.variant_id,
      row.variant_name,
      row.is_control,
      row.event_type,
      row.user_count,
      row.user_count_event_type,
      row.conversion_rate,
      row.conversion_rate_ci?.[0] ?? null,
      row.conversion_rate_ci?.[1] ?? null,
      row.absolute_lift,
      row.relative_lift,
      row.lift_ci?.[0] ?? null,
      row.lift_ci?.[1] ?? null,
      row.p_value,
      row.adjusted_p_value,
      row.chance_to_beat_control,
      row.significant,
      row.note,
    ]),
  );
}
