/**
 * The experiments endpoint group: creating an experiment with weighted
 * variants.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { Schema } from "effect";
import { Authentication } from "./auth.ts";
import { allErrors, boundedText, PublicId, UtcTime } from "./common.ts";
import { InvalidRequest, ServiceUnavailable } from "./errors.ts";

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

/** Creating experiments. */
export class ExperimentsGroup extends HttpApiGroup.make("experiments")
  .add(
    HttpApiEndpoint.post("create", "/experiments")
      .setPayload(CreateExperiment)
      .addSuccess(Experiment, { status: 201 })
      .annotateContext(
        OpenApi.annotations({
          summary: "Create an experiment",
          description:
            "Creates an active experiment with weighted variants. The " +
            "first variant is the control that the others are compared " +
            "with. Allocations are percentages that sum to 100; decimals " +
            "are allowed down to 0.01.",
        }),
      ),
  )
  .addError(InvalidRequest)
  .addError(ServiceUnavailable)
  .middleware(Authentication)
  .annotateContext(
    OpenApi.annotations({
      title: "Experiments",
      description: "Define experiments and their variants",
    }),
  ) {}
