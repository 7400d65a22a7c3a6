/**
 * The results endpoint group: users and conversions per variant, each
 * compared with the control.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { Schema } from "effect";
import { Authentication } from "./auth.ts";
import {
  allErrors,
  boundedText,
  Confidence,
  Duration,
  IsoTime,
  pathParam,
  windowInOrder,
} from "./common.ts";
import { InvalidRequest, NotFound, ServiceUnavailable } from "./errors.ts";

/** A `[low, high]` interval. */
export const Interval = Schema.Tuple(Schema.Number, Schema.Number).annotations({
  description: "[low, high]",
});

const nullOn = (schema: Schema.Schema<number>, description: string) =>
  Schema.NullOr(schema).annotations({ description });

/** One row of results: a variant and an event type. */
export const ResultRow = Schema.Struct({
  variant_id: Schema.String.annotations({ description: "The variant's id" }),
  variant_name: Schema.String,
  user_count: Schema.Number.annotations({
    description: "Users assigned to the variant, whether or not they converted",
  }),
  event_type: Schema.String,
  user_count_event_type: Schema.Number.annotations({
    description:
      "Assigned users with at least one event of this type at or after " +
      "their assignment (and inside the window, if one is given)",
  }),
  conversion_rate: Schema.Number.annotations({
    description: "user_count_event_type / user_count; 0 without users",
  }),
  is_control: Schema.Boolean.annotations({
    description: "Whether this is the control, the first variant",
  }),
  conversion_rate_ci: Schema.NullOr(Interval).annotations({
    description: "Wilson score interval of the rate; null without users",
  }),
  absolute_lift: nullOn(
    Schema.Number,
    "Rate minus the control's rate; null on the control",
  ),
  relative_lift: nullOn(
    Schema.Number,
    "Absolute lift over the control's rate; null on the control or when " +
      "the control's rate is 0",
  ),
  lift_ci: Schema.NullOr(Interval).annotations({
    description:
      "Newcombe hybrid score interval of the absolute lift; null on the " +
      "control",
  }),
  p_value: nullOn(
    Schema.Number,
    "Two-sided pooled two-proportion z-test against the control",
  ),
  adjusted_p_value: nullOn(
    Schema.Number,
    "p_value adjusted by Holm-Bonferroni across every comparison in the " +
      "answer",
  ),
  chance_to_beat_control: nullOn(
    Schema.Number,
    "Probability that the variant's true rate beats the control's, from " +
      "Beta(1 + converted, 1 + not converted) posteriors",
  ),
  significant: Schema.NullOr(Schema.Boolean).annotations({
    description: "adjusted_p_value < 1 - confidence; null on the control",
  }),
  note: Schema.NullOr(Schema.String).annotations({
    description: "Why a statistic is null, when one is",
  }),
}).annotations({
  identifier: "ResultRow",
  examples: [
    {
      variant_id: "0193a5c2-7f3e-7a11-8d2b-4c5e6f708193",
      variant_name: "control",
      user_count: 50,
      event_type: "purchase",
      user_count_event_type: 8,
      conversion_rate: 0.16,
      is_control: true,
      conversion_rate_ci: [0.0834, 0.2852],
      absolute_lift: null,
      relative_lift: null,
      lift_ci: null,
      p_value: null,
      adjusted_p_value: null,
      chance_to_beat_control: null,
      significant: null,
      note: null,
    },
  ],
});

/** One row of results. */
export type ResultRow = typeof ResultRow.Type;

/** The analysis options shared by the results and the report. */
export const analysisFields = {
  event_type: Schema.optional(
    Schema.Array(boundedText(100)).annotations({
      description: "Only these event types (repeatable)",
    }),
  ),
  confidence: Schema.optional(Confidence),
  from: Schema.optional(
    IsoTime.annotations({
      description: "Count only events at or after this time",
    }),
  ),
  to: Schema.optional(
    IsoTime.annotations({
      description:
        "Count only users assigned, and events sent, at or before this time",
    }),
  ),
  conversion_window: Schema.optional(
    Duration.annotations({
      description:
        "Count only events within this long after each user's assignment, " +
        "such as P7D",
    }),
  ),
};

/** The query of the results endpoint. */
export const ResultsQuery = Schema.Struct(analysisFields)
  .annotations(allErrors)
  .pipe(Schema.filter(windowInOrder));

/** Reading results. */
export class ResultsGroup extends HttpApiGroup.make("results")
  .add(
    HttpApiEndpoint.get("get", "/experiments/:experiment_id/results")
      .setPath(
        Schema.Struct({
          experiment_id: pathParam(Schema.String, "The experiment's id"),
        }),
      )
      .setUrlParams(ResultsQuery)
      .addSuccess(Schema.Array(ResultRow))
      .annotateContext(
        OpenApi.annotations({
          summary: "Get an experiment's results",
          description:
            "One row per variant and event type. user_count counts every " +
            "assigned user; user_count_event_type counts those with at " +
            "least one event of the type at or after their assignment. " +
            "Without event_type, the types are those the experiment's " +
            "users sent; with it, exactly the types asked for. Every " +
            "variant appears for every type, with zeros where nobody " +
            "converted. Each row also compares the variant with the " +
            "control (the first variant): lifts, a Newcombe interval, a " +
            "pooled z-test p-value adjusted by Holm-Bonferroni across all " +
            "rows, and the Bayesian chance to beat the control. from, to " +
            "and conversion_window narrow what counts. Send " +
            "Accept: text/csv for the same rows as CSV.",
        }),
      ),
  )
  .addError(InvalidRequest)
  .addError(NotFound)
  .addError(ServiceUnavailable)
  .middleware(Authentication)
  .annotateContext(
    OpenApi.annotations({
      title: "Results",
      description: "Users, conversions, rates and statistics per variant",
    }),
  ) {}
