/**
 * The results endpoint group: users and conversions per variant.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { Schema } from "effect";
import { Authentication } from "./auth.ts";
import { boundedText, pathParam } from "./common.ts";
import { InvalidRequest, NotFound, ServiceUnavailable } from "./errors.ts";

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
      "their assignment",
  }),
  conversion_rate: Schema.Number.annotations({
    description: "user_count_event_type / user_count; 0 without users",
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
    },
  ],
});

/** One row of results. */
export type ResultRow = typeof ResultRow.Type;

/** The query of the results endpoint. */
export const ResultsQuery = Schema.Struct({
  event_type: Schema.optional(
    Schema.Array(boundedText(100)).annotations({
      description: "Only these event types (repeatable)",
    }),
  ),
});

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
            "converted.",
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
      description: "Users, conversions and rates per variant",
    }),
  ) {}
