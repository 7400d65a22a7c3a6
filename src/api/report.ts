/**
 * The report endpoint: one object for dashboards and summaries.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { Schema } from "effect";
import { Authentication } from "./auth.ts";
import {
  ATTRIBUTE_KEY,
  AttributeKey,
  allErrors,
  pathParam,
  UtcTime,
  windowInOrder,
} from "./common.ts";
import { InvalidRequest, NotFound, ServiceUnavailable } from "./errors.ts";
import { analysisFields, Interval } from "./results.ts";

const splitPair = (text: string) => {
  const at = text.lastIndexOf(":");
  return at <= 0 || at === text.length - 1
    ? undefined
    : ([text.slice(0, at), text.slice(at + 1)] as const);
};

/** `event_type:property`, such as `purchase:amount`. */
export const ValueMetricParam = Schema.String.pipe(
  Schema.filter((text) => {
    const pair = splitPair(text);
    return (
      (pair !== undefined && ATTRIBUTE_KEY.test(pair[1])) ||
      `Expected event_type:property such as purchase:amount, got "${text}"`
    );
  }),
).annotations({
  description:
    "A value metric: the per-user sum of a numeric property of an event " +
    "type, written event_type:property",
  examples: ["purchase:amount"],
});

/** `attribute:value`, such as `country:DE`. */
export const SegmentFilterParam = Schema.String.pipe(
  Schema.filter((text) => {
    const pair = splitPair(text);
    return (
      (pair !== undefined && ATTRIBUTE_KEY.test(pair[0])) ||
      `Expected attribute:value such as country:DE, got "${text}"`
    );
  }),
).annotations({
  description: "Only users whose attribute has this value: attribute:value",
  examples: ["country:DE"],
});

/**
 * Reads `a:b` into its two parts, splitting at the last colon.
 *
 * @param text The parameter, already validated.
 * @returns The two parts.
 *
 * @example
 * ```ts
 * pairOf("purchase:amount"); // ["purchase", "amount"]
 * ```
 */
export const pairOf = (text: string): readonly [string, string] =>
  splitPair(text) ?? [text, ""];

/** The query of the report endpoint. */
export const ReportQuery = Schema.Struct({
  ...analysisFields,
  value_metric: Schema.optional(Schema.Array(ValueMetricParam)),
  segment_by: Schema.optional(
    AttributeKey.annotations({
      description:
        "Group users by this attribute: full statistics for the 20 " +
        "largest values, the rest as (other), users without it as (none)",
    }),
  ),
  segment: Schema.optional(Schema.Array(SegmentFilterParam)),
  granularity: Schema.optional(
    Schema.Literal("hour", "day").annotations({
      description: "Add a cumulative time series with this period",
      message: () => 'Expected "hour" or "day"',
    }),
  ),
})
  .annotations(allErrors)
  .pipe(Schema.filter(windowInOrder));

const Num = Schema.Number;
const NullableNumber = Schema.NullOr(Schema.Number);

const comparisonFields = {
  absolute_lift: NullableNumber.annotations({
    description: "Difference from the control; null on the control",
  }),
  relative_lift: NullableNumber.annotations({
    description: "Absolute lift over the control's value; null on a zero one",
  }),
  lift_ci: Schema.NullOr(Interval).annotations({
    description: "Interval of the absolute lift",
  }),
  p_value: NullableNumber,
  adjusted_p_value: NullableNumber.annotations({
    description: "Holm-Bonferroni across every comparison of the group",
  }),
  significant: Schema.NullOr(Schema.Boolean),
  note: Schema.NullOr(Schema.String).annotations({
    description: "Why a statistic is null, when one is",
  }),
};

const variantFields = {
  variant_id: Schema.String,
  variant_name: Schema.String,
  is_control: Schema.Boolean,
  user_count: Num,
};

/** The sample-ratio check of the split against the allocations. */
export const SampleRatio = Schema.Struct({
  chi_square: Num,
  p_value: Num,
  mismatch: Schema.Boolean.annotations({ description: "p_value < 0.001" }),
}).annotations({ identifier: "SampleRatio" });

const ConversionVariant = Schema.Struct({
  ...variantFields,
  converted: Num,
  conversion_rate: Num,
  conversion_rate_ci: Schema.NullOr(Interval).annotations({
    description: "Wilson score interval",
  }),
  chance_to_beat_control: NullableNumber,
  ...comparisonFields,
});

const ValueVariant = Schema.Struct({
  ...variantFields,
  total: Num.annotations({ description: "Sum over the variant's users" }),
  mean: Num.annotations({
    description: "Mean per assigned user; users without events count as 0",
  }),
  mean_ci: Schema.NullOr(Interval).annotations({
    description: "t interval of the mean",
  }),
  skipped: Num.annotations({
    description: "Values that were present but not numbers, ignored",
  }),
  ...comparisonFields,
});

/** The analysis of one group of users. */
export const Analysis = Schema.Struct({
  user_count: Num,
  variants: Schema.Array(
    Schema.Struct({
      ...variantFields,
      traffic_allocation: Num,
      user_share: Num.annotations({
        description: "Share of the group's users",
      }),
    }),
  ),
  srm: Schema.NullOr(SampleRatio),
  conversions: Schema.Array(
    Schema.Struct({
      event_type: Schema.String,
      variants: Schema.Array(ConversionVariant),
    }),
  ).annotations({
    description:
      "Conversion metrics; p-values by pooled z-test, lift intervals by " +
      "Newcombe's method",
  }),
  values: Schema.Array(
    Schema.Struct({
      event_type: Schema.String,
      property: Schema.String,
      variants: Schema.Array(ValueVariant),
    }),
  ).annotations({ description: "Value metrics; p-values by Welch's t-test" }),
});

/** An experiment report. */
export const Report = Schema.Struct({
  experiment_id: Schema.String,
  experiment_name: Schema.String,
  status: Schema.String,
  confidence: Num,
  window: Schema.Struct({
    from: Schema.NullOr(UtcTime),
    to: Schema.NullOr(UtcTime),
    conversion_window_seconds: NullableNumber,
  }),
  generated_at: UtcTime,
  srm: Schema.NullOr(SampleRatio).annotations({
    description:
      "Sample-ratio check of all users against the allocations (the same " +
      "as overall.srm); null without users",
  }),
  overall: Analysis,
  segments: Schema.NullOr(
    Schema.Struct({
      attribute: Schema.String,
      groups: Schema.Array(
        Schema.Struct({ value: Schema.String, ...Analysis.fields }),
      ),
    }),
  ).annotations({ description: "Present when segment_by is given" }),
  time_series: Schema.NullOr(
    Schema.Struct({
      granularity: Schema.Literal("hour", "day"),
      points: Schema.Array(
        Schema.Struct({
          period_start: UtcTime,
          variants: Schema.Array(
            Schema.Struct({
              variant_id: Schema.String,
              variant_name: Schema.String,
              users: Num,
              conversions: Schema.Array(
                Schema.Struct({
                  event_type: Schema.String,
                  converted: Num,
                  conversion_rate: Num,
                }),
              ),
            }),
          ),
        }),
      ),
    }),
  ).annotations({
    description:
      "Cumulative users, conversions and rates per variant and period; " +
      "present when granularity is given",
  }),
  summary: Schema.Array(Schema.String).annotations({
    description: "One plain sentence per metric",
  }),
  warnings: Schema.Array(Schema.String).annotations({
    description: "Health warnings: sample-ratio mismatch, too little data",
  }),
}).annotations({ identifier: "Report" });

/** An experiment report. */
export type Report = typeof Report.Type;

/** Reading a report. */
export class ReportGroup extends HttpApiGroup.make("report")
  .add(
    HttpApiEndpoint.get("get", "/experiments/:experiment_id/report")
      .setPath(
        Schema.Struct({
          experiment_id: pathParam(Schema.String, "The experiment's id"),
        }),
      )
      .setUrlParams(ReportQuery)
      .addSuccess(Report)
      .annotateContext(
        OpenApi.annotations({
          summary: "Get an experiment's report",
          description:
            "One object for dashboards: the split and its sample-ratio " +
            "check against the allocations (chi-square, flagged below " +
            "p = 0.001); per event type, each variant's rate with a Wilson " +
            "interval, lift against the control with a Newcombe interval, " +
            "a pooled z-test p-value and the chance to beat the control; " +
            "value metrics (value_metric=purchase:amount) with Welch " +
            "t-tests; p-values adjusted by Holm-Bonferroni across all " +
            "comparisons; optional segments (segment_by, segment filters), " +
            "a cumulative time series (granularity) and a plain-language " +
            "summary with warnings.",
        }),
      ),
  )
  .addError(InvalidRequest)
  .addError(NotFound)
  .addError(ServiceUnavailable)
  .middleware(Authentication)
  .annotateContext(
    OpenApi.annotations({
      title: "Report",
      description: "Statistics, segments, time series and a summary",
    }),
  ) {}
