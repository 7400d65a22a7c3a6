/**
 * Handlers of the assignments group.
 *
 * @module
 */
import { HttpApiBuilder } from "@effect/platform";
import { Effect } from "effect";
import { CurrentClient } from "../api/auth.ts";
import { Api } from "../api/mod.ts";
import { AssignmentsService } from "../services/assignments_service.ts";

/** Implements the single and the page-view assignment endpoints. */
export const AssignmentsHandlers = HttpApiBuilder.group(
  Api,
  "assignments",
  (handlers) =>
    Effect.gen(function* () {
      const assignments = yield* AssignmentsService;

      return handlers
        .handle("get", ({ path }) =>
          Effect.flatMap(CurrentClient, ({ clientId }) =>
            assignments.assign(clientId, path.experiment_id, path.user_id),
          ),
        )
        .handle("assign", ({ path, payload }) =>
          Effect.flatMap(CurrentClient, ({ clientId }) =>
            assignments.assign(
              clientId,
              path.experiment_id,
              path.user_id,
              payload.attributes,
            ),
          ),
        )
        .handle("forUser", ({ path, urlParams }) =>
          Effect.flatMap(CurrentClient, ({ clientId }) =>
            assignments.assignMany(
              clientId,
              path.user_id,
              urlParams.experiment_id,
            ),
          ),
        )
        .handle("assignForUser", ({ path, payload }) =>
          Effect.flatMap(CurrentClient, ({ clientId }) =>
            assignments.assignMany(
              clientId,
              path.user_id,
              payload.experiment_ids,
              payload.attributes,
            ),
          ),
        );
    }),
);
