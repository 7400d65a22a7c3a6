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

/** An assignment as the examples of the documentation show it. */
export const EXAMPLE_ASSIGNMENT = {
  id: "0193a5c3-0a1b-7c2d-9e3f-405162738495",
  experiment_id: "0193a5c2-7f3e-7a11-8d2b-4c5e6f708192",
  variant_id: "0193a5c2-7f3e-7a11-8d2b-4c5e6f708194",
  variant_name: "treatment",
  user_id: "user_12345",
  enrolled: true,
  created_at: new Date("2026-10-27T10:05:00.000Z"),
  updated_at: new Date("2026-10-27T10:05:00.000Z"),
};

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
  examples: [EXAMPLE_ASSIGNMENT],
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

const UserPath = Schema.Struct({
  user_id: pathParam(
    UserId,
    "The caller's id for the user (URL-encoded), at most 255 characters",
  ),
});

const ExperimentIds = Schema.Array(Schema.String).pipe(
  Schema.filter(
    (ids) =>
      (ids.length >= 1 && ids.length <= 100) ||
      `Expected 1 to 100 experiment ids, got ${ids.length}`,
  ),
);

/** A user's assignments in several experiments. */
export const UserAssignments = Schema.Struct({
  user_id: Schema.String,
  assignments: Schema.Array(Assignment),
}).annotations({ identifier: "UserAssignments" });

/** A user's assignments in several experiments. */
export type UserAssignments = typeof UserAssignments.Type;

/** The body of `POST /assignments/{user_id}`. */
export const UserAssignmentsRequest = Schema.Struct({
  experiment_ids: Schema.optional(
    ExperimentIds.annotations({
      description: "Only these experiments; default: every active one",
    }),
  ),
  attributes: Schema.optional(Attributes),
}).annotations({
  ...allErrors,
  identifier: "UserAssignmentsRequest",
  examples: [{ attributes: { country: "DE" } }],
});

const pageViewDescription =
  "A user's assignments for every active experiment of the client, or " +
  "for the experiments listed, in one round trip. Each follows the rules " +
  "of the single assignment: sticky, deterministic, safe under " +
  "concurrent first calls, and shaped by the experiment's status. An " +
  "unknown experiment id answers 404.";

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
  .add(
    HttpApiEndpoint.get("forUser", "/assignments/:user_id")
      .setPath(UserPath)
      .setUrlParams(
        Schema.Struct({
          experiment_id: Schema.optional(
            ExperimentIds.annotations({
              description: "Only these experiments (repeatable)",
            }),
          ),
        }).annotations(allErrors),
      )
      .addSuccess(UserAssignments)
      .annotateContext(
        OpenApi.annotations({
          summary: "Get a user's assignments for a page view",
          description: pageViewDescription,
        }),
      ),
  )
  .add(
    HttpApiEndpoint.post("assignForUser", "/assignments/:user_id")
      .setPath(UserPath)
      .setPayload(UserAssignmentsRequest)
      .addSuccess(UserAssignments)
      .annotateContext(
        OpenApi.annotations({
          summary: "Get a user's assignments for a page view, with attributes",
          description:
            `${pageViewDescription} The attributes are stored with each ` +
            "first assignment.",
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
