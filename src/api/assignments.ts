/**
 * The assignments endpoint group: which variant a user sees.
 *
 * @module
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform";
import { Schema } from "effect";
import { Authentication } from "./auth.ts";
import {
  Attributes,
  allErrors,
  PublicId,
  pathParam,
  UserId,
  UtcTime,
} from "./common.ts";
import { InvalidRequest, NotFound, ServiceUnavailable } from "./errors.ts";

/** A user's sticky assignment to one variant of an experiment. */
export const Assignment = Schema.Struct({
  id: Schema.NullOr(PublicId).annotations({
    description: "The stored assignment's id; null when not enrolled",
  }),
  experiment_id: PublicId,
  variant_id: PublicId,
  variant_name: Schema.String,
  user_id: Schema.String,
  enrolled: Schema.Boolean.annotations({
    description:
      "Whether the user is in the experiment (stored and counted). New " +
      "users are enrolled only while it is active; otherwise they get the " +
      "control (draft, paused) or the winner (completed), unstored",
  }),
  created_at: UtcTime.annotations({
    description: "When the user was first assigned (now when not enrolled)",
  }),
  updated_at: UtcTime,
}).annotations({
  identifier: "Assignment",
  examples: [
    {
      id: "0193a5c3-0a1b-7c2d-9e3f-405162738495",
      experiment_id: "0193a5c2-7f3e-7a11-8d2b-4c5e6f708192",
      variant_id: "0193a5c2-7f3e-7a11-8d2b-4c5e6f708194",
      variant_name: "treatment",
      user_id: "user_12345",
      enrolled: true,
      created_at: new Date("2026-10-27T10:05:00.000Z"),
      updated_at: new Date("2026-10-27T10:05:00.000Z"),
    },
  ],
});

/** A user's sticky assignment to one variant of an experiment. */
export type Assignment = typeof Assignment.Type;

const AssignmentPath = Schema.Struct({
  experiment_id: pathParam(Schema.String, "The experiment's id"),
  user_id: pathParam(
    UserId,
    "The caller's id for the user (URL-encoded), at most 255 characters",
  ),
});

/** The body of `POST /experiments/{id}/assignment/{user_id}`. */
export const AssignmentRequest = Schema.Struct({
  attributes: Schema.optional(Attributes),
}).annotations({
  ...allErrors,
  identifier: "AssignmentRequest",
  examples: [{ attributes: { country: "DE", plan: "pro" } }],
});

/** Getting a user's assignment. */
export class AssignmentsGroup extends HttpApiGroup.make("assignments")
  .add(
    HttpApiEndpoint.get(
      "get",
      "/experiments/:experiment_id/assignment/:user_id",
    )
      .setPath(AssignmentPath)
      .addSuccess(Assignment)
      .annotateContext(
        OpenApi.annotations({
          summary: "Get a user's assignment",
          description:
            "Returns the variant the user sees. The first call assigns " +
            "one, by a deterministic hash of the experiment and the user " +
            "that follows the allocations, and stores it; every later " +
            "call, from any instance, returns the same assignment. " +
            "URL-encode the user id.",
        }),
      ),
  )
  .add(
    HttpApiEndpoint.post(
      "assign",
      "/experiments/:experiment_id/assignment/:user_id",
    )
      .setPath(AssignmentPath)
      .setPayload(AssignmentRequest)
      .addSuccess(Assignment)
      .annotateContext(
        OpenApi.annotations({
          summary: "Get a user's assignment, with attributes",
          description:
            "The same as the GET, and the attributes (such as country or " +
            "plan) are stored with the user's first assignment for " +
            "segmenting reports. Later calls return the stored assignment " +
            "and leave its attributes as they were.",
        }),
      ),
  )
  .addError(InvalidRequest)
  .addError(NotFound)
  .addError(ServiceUnavailable)
  .middleware(Authentication)
  .annotateContext(
    OpenApi.annotations({
      title: "Assignments",
      description: "Sticky, deterministic variant assignment",
    }),
  ) {}
