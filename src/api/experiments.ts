/**
 * The experiments endpoint group: creating, listing, reading and changing
 * experiments with weighted variants.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { Schema } from "effect";
import { Authentication } from "./auth.ts";
import {
  allErrors,
  boundedText,
  PublicId,
  pathParam,
  UtcTime,
} from "./common.ts";
import {
  Conflict,
  InvalidRequest,
  NotFound,
  ServiceUnavailable,
} from "./errors.ts";

/** An experiment's lifecycle state. */
export const ExperimentStatus = Schema.Literal(
  "draft",
  "active",
  "paused",
  "completed",
).annotations({ description: "The experiment's lifecycle state" });

/** A variant as stored: its id, name and share of traffic. */
export const Variant = Schema.Struct({
  id: PublicId,
  name: Schema.String,
  traffic_allocation: Schema.Number.annotations({
    description: "Percentage of users who get this variant",
  }),
}).annotations({ identifier: "Variant" });

/** A variant as stored. */
export type Variant = typeof Variant.Type;

/** An experiment as callers see it. */
export const Experiment = Schema.Struct({
  id: PublicId,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  status: ExperimentStatus,
  winner_variant_id: Schema.NullOr(PublicId).annotations({
    description: "The winner a completed experiment named, if any",
  }),
  variants: Schema.Array(Variant).annotations({
    description: "The variants; the first is the control",
  }),
  created_at: UtcTime,
  updated_at: UtcTime,
}).annotations({
  identifier: "Experiment",
  examples: [
    {
      id: "0193a5c2-7f3e-7a11-8d2b-4c5e6f708192",
      name: "Homepage button colour",
      description: "Blue against red",
      status: "active",
      winner_variant_id: null,
      variants: [
        {
          id: "0193a5c2-7f3e-7a11-8d2b-4c5e6f708193",
          name: "control",
          traffic_allocation: 50,
        },
        {
          id: "0193a5c2-7f3e-7a11-8d2b-4c5e6f708194",
          name: "treatment",
          traffic_allocation: 50,
        },
      ],
      created_at: new Date("2026-10-27T10:00:00.000Z"),
      updated_at: new Date("2026-10-27T10:00:00.000Z"),
    },
  ],
});

/** An experiment as callers see it. */
export type Experiment = typeof Experiment.Type;

/** The smallest share a variant can have: one bucket in 10,000. */
export const MIN_ALLOCATION = 0.01;

const Allocation = Schema.Number.pipe(
  Schema.filter(
    (value) =>
      (Number.isFinite(value) && value > 0) ||
      `Expected a number greater than 0, got ${value}`,
  ),
  Schema.filter(
    (value) =>
      value >= MIN_ALLOCATION ||
      `Expected at least ${MIN_ALLOCATION}, got ${value}`,
  ),
);

const NewVariant = Schema.Struct({
  name: boundedText(255),
  traffic_allocation: Allocation.annotations({
    description:
      "Percentage of users (greater than 0, at least 0.01); " +
      "the allocations of an experiment sum to 100",
  }),
});

const sumsTo100 = (variants: ReadonlyArray<{ traffic_allocation: number }>) =>
  Math.abs(
    variants.reduce((sum, variant) => sum + variant.traffic_allocation, 0) -
      100,
  ) < 1e-6;

const distinctNames = (variants: ReadonlyArray<{ name: string }>) =>
  new Set(variants.map((variant) => variant.name)).size === variants.length;

const NewVariants = Schema.Array(NewVariant).pipe(
  Schema.filter(
    (variants) =>
      variants.length >= 2 ||
      `Expected at least 2 variants, got ${variants.length}`,
  ),
  Schema.filter(
    (variants) =>
      variants.length <= 50 ||
      `Expected at most 50 variants, got ${variants.length}`,
  ),
  Schema.filter(
    (variants) =>
      distinctNames(variants) || "Expected variant names to be unique",
  ),
  Schema.filter((variants) => {
    const total = variants.reduce((sum, v) => sum + v.traffic_allocation, 0);
    return (
      sumsTo100(variants) ||
      `Expected traffic allocations to sum to 100, got ${total}`
    );
  }),
);

/** The body of `POST /experiments`. */
export const CreateExperiment = Schema.Struct({
  name: boundedText(255),
  description: Schema.optional(
    Schema.NullOr(
      Schema.String.pipe(
        Schema.maxLength(10_000, {
          message: () => "is longer than 10000 characters",
        }),
      ),
    ),
  ),
  variants: NewVariants.annotations({
    description:
      "At least two variants with unique names; the first is the control",
  }),
  status: Schema.optional(
    Schema.Literal("draft", "active").annotations({
      description:
        "active (the default) assigns users at once; draft can still be " +
        "edited and assigns nobody until it is activated",
    }),
  ),
}).annotations({
  ...allErrors,
  identifier: "CreateExperiment",
  examples: [
    {
      name: "Homepage button colour",
      description: "Blue against red",
      variants: [
        { name: "control", traffic_allocation: 50 },
        { name: "treatment", traffic_allocation: 50 },
      ],
    },
  ],
});

/** The body of `POST /experiments`, decoded. */
export type CreateExperiment = typeof CreateExperiment.Type;

/** An experiment with how many users each variant has so far. */
export const ExperimentDetail = Schema.Struct({
  ...Experiment.fields,
  variants: Schema.Array(
    Schema.Struct({
      ...Variant.fields,
      user_count: Schema.Number.annotations({
        description: "Users assigned to the variant so far",
      }),
    }),
  ),
  user_count: Schema.Number.annotations({
    description: "Users assigned to the experiment so far",
  }),
}).annotations({ identifier: "ExperimentDetail" });

/** An experiment with its assignment counts. */
export type ExperimentDetail = typeof ExperimentDetail.Type;

/** One page of experiments. */
export const ExperimentPage = Schema.Struct({
  items: Schema.Array(Experiment),
  next_cursor: Schema.NullOr(Schema.String).annotations({
    description: "Pass as cursor for the next page; null on the last page",
  }),
}).annotations({ identifier: "ExperimentPage" });

/** One page of experiments. */
export type ExperimentPage = typeof ExperimentPage.Type;

/** The query of the experiments listing. */
export const ListQuery = Schema.Struct({
  limit: Schema.optional(
    Schema.NumberFromString.pipe(
      Schema.filter(
        (n) =>
          (Number.isInteger(n) && n >= 1 && n <= 100) ||
          `Expected an integer from 1 to 100, got ${n}`,
      ),
    ).annotations({ description: "Items per page, 1 to 100; default 20" }),
  ),
  cursor: Schema.optional(
    Schema.String.annotations({
      description: "The next_cursor of the previous page",
    }),
  ),
  status: Schema.optional(ExperimentStatus),
}).annotations(allErrors);

/** The body of `PATCH /experiments/{id}`. */
export const UpdateExperiment = Schema.Struct({
  name: Schema.optional(boundedText(255)),
  description: Schema.optional(
    Schema.NullOr(
      Schema.String.pipe(
        Schema.maxLength(10_000, {
          message: () => "is longer than 10000 characters",
        }),
      ),
    ),
  ),
  status: Schema.optional(ExperimentStatus),
  winner: Schema.optional(
    Schema.String.annotations({
      description:
        "With status completed: the winning variant's id or name; new " +
        "users then get it",
    }),
  ),
  variants: Schema.optional(
    NewVariants.annotations({
      description: "Replaces the variants; only while the experiment is draft",
    }),
  ),
}).annotations({
  ...allErrors,
  identifier: "UpdateExperiment",
  examples: [{ status: "completed", winner: "treatment" }],
});

/** The body of `PATCH /experiments/{id}`, decoded. */
export type UpdateExperiment = typeof UpdateExperiment.Type;

const ExperimentPath = Schema.Struct({
  experiment_id: pathParam(Schema.String, "The experiment's id"),
});

/** Creating experiments. */
export class ExperimentsGroup extends HttpApiGroup.make("experiments")
  .add(
    HttpApiEndpoint.post("create", "/experiments")
      .setPayload(CreateExperiment)
      .addSuccess(Experiment, { status: 201 })
      .addError(Conflict)
      .annotateContext(
        OpenApi.annotations({
          summary: "Create an experiment",
          description:
            "Creates an active experiment with weighted variants. The " +
            "first variant is the control that the others are compared " +
            "with. Allocations are percentages that sum to 100; decimals " +
            "are allowed down to 0.01. status draft creates one that can " +
            "still be edited and assigns nobody. An Idempotency-Key header " +
            "makes retries safe.",
          override: {
            parameters: [
              {
                name: "Idempotency-Key",
                in: "header",
                required: false,
                description:
                  "At most 255 characters. A retry with the same key and " +
                  "body returns the first answer instead of creating " +
                  "another experiment; the same key with another body " +
                  "answers 409.",
                schema: { type: "string", maxLength: 255 },
              },
            ],
          },
        }),
      ),
  )
  .add(
    HttpApiEndpoint.get("list", "/experiments")
      .setUrlParams(ListQuery)
      .addSuccess(ExperimentPage)
      .annotateContext(
        OpenApi.annotations({
          summary: "List experiments",
          description:
            "The client's experiments, newest first, optionally of one " +
            "status, a page at a time: pass next_cursor as cursor for the " +
            "next page. Experiments created while paging do not shift the " +
            "pages: none is skipped or repeated.",
        }),
      ),
  )
  .add(
    HttpApiEndpoint.get("get", "/experiments/:experiment_id")
      .setPath(ExperimentPath)
      .addSuccess(ExperimentDetail)
      .annotateContext(
        OpenApi.annotations({
          summary: "Get an experiment",
          description:
            "The experiment's definition and how many users each variant " +
            "has so far.",
        }),
      ),
  )
  .add(
    HttpApiEndpoint.patch("update", "/experiments/:experiment_id")
      .setPath(ExperimentPath)
      .setPayload(UpdateExperiment)
      .addSuccess(Experiment)
      .addError(Conflict)
      .annotateContext(
        OpenApi.annotations({
          summary: "Change an experiment",
          description:
            "Changes the name, the description or the status. Allowed " +
            "moves: draft to active; active to paused and back; active or " +
            "paused to completed, which is final and may name a winner. " +
            "Any other move answers 409 naming the current status. " +
            "Variants change only while draft. Users who already have an " +
            "assignment keep it in every status; new users are enrolled " +
            "only while active, and otherwise get the control (draft, " +
            "paused) or the winner (completed), without being stored.",
        }),
      ),
  )
  .addError(InvalidRequest)
  .addError(NotFound)
  .addError(ServiceUnavailable)
  .middleware(Authentication)
  .annotateContext(
    OpenApi.annotations({
      title: "Experiments",
      description: "Define experiments and their variants",
    }),
  ) {}
