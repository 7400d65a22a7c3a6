/**
 * Handlers of the assignment listing group.
 *
 * @module
 */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform";
import { Effect, Layer, Option, Schema, Stream } from "effect";
import {
  type AssignmentPage,
  type AssignmentPageQuery,
  badAssignmentCursor,
  DEFAULT_ASSIGNMENT_PAGE_SIZE,
  decodeAssignmentCursor,
  encodeAssignmentCursor,
  NDJSON_MEDIA_TYPE,
} from "../api/assignment_listing.ts";
import { Assignment } from "../api/assignments.ts";
import { CurrentClient } from "../api/auth.ts";
import { InvalidRequest } from "../api/errors.ts";
import { Api } from "../api/mod.ts";
import {
  AssignmentListingRepository,
  type ListedAssignment,
  positionOf,
} from "../repositories/assignment_listing_repository.ts";
import type { ExperimentRecord } from "../repositories/experiments_repository.ts";
import { ExperimentsService } from "../services/experiments_service.ts";

const encodeAssignments = Schema.encodeSync(Schema.Array(Assignment));

/**
 * Stored rows as callers see them, with the variants' public ids and
 * names; a row whose variant the experiment lacks is a bug, and dies.
 */
const toAssignments = (experiment: ExperimentRecord) => {
  const variants = new Map(
    experiment.variants.map((variant) => [variant.key, variant]),
  );

  return (rows: ReadonlyArray<ListedAssignment>) =>
    Effect.forEach(rows, (row) => {
      const variant = variants.get(row.variantKey);
      if (variant === undefined) {
        return Effect.dieMessage(
          `Map assignment: variant ${row.variantKey} is not in experiment ` +
            `"${experiment.publicId}"`,
        );
      }
      return Effect.succeed<Assignment>({
        id: row.publicId,
        experiment_id: experiment.publicId,
        variant_id: variant.publicId,
        variant_name: variant.name,
        user_id: row.userId,
        enrolled: true,
        created_at: row.createdAt,
        updated_at: row.updatedAt,
      });
    });
};

/** Assignments as NDJSON bytes: one JSON object per line. */
function toNdjson(assignments: ReadonlyArray<Assignment>): Uint8Array {
  const lines = encodeAssignments(assignments).map(
    (assignment) => `${JSON.stringify(assignment)}\n`,
  );
  return Buffer.from(lines.join(""));
}

/** Implements `GET /experiments/{id}/assignments` and its export. */
export const AssignmentListingHandlers = HttpApiBuilder.group(
  Api,
  "assignmentListing",
  (handlers) =>
    Effect.gen(function* () {
      const experiments = yield* ExperimentsService;
      const repository = yield* AssignmentListingRepository;

      const list = Effect.fn("AssignmentListing.list")(function* (
        clientId: string,
        experimentId: string,
        query: AssignmentPageQuery,
      ) {
        const limit = query.limit ?? DEFAULT_ASSIGNMENT_PAGE_SIZE;
        const from =
          query.cursor === undefined
            ? Option.none()
            : decodeAssignmentCursor(query.cursor);
        if (query.cursor !== undefined && Option.isNone(from)) {
          return yield* new InvalidRequest({
            detail: `Validate request: cursor: ${badAssignmentCursor(query.cursor)}`,
          });
        }

        const experiment = yield* experiments.definition(
          clientId,
          experimentId,
        );
        const rows = yield* repository.page(experiment.key, from, limit + 1);
        const shown = rows.slice(0, limit);
        const last = shown[shown.length - 1];

        const page: AssignmentPage = {
          items: yield* toAssignments(experiment)(shown),
          next_cursor:
            rows.length > limit && last !== undefined
              ? encodeAssignmentCursor(positionOf(last))
              : null,
        };
        return page;
      });

      const exportAll = Effect.fn("AssignmentListing.export")(function* (
        clientId: string,
        experimentId: string,
      ) {
        const experiment = yield* experiments.definition(
          clientId,
          experimentId,
        );
        const assignments = toAssignments(experiment);

        const body = repository
          .all(experiment.key)
          .pipe(
            Stream.mapEffect((rows) => Effect.map(assignments(rows), toNdjson)),
          );
        return HttpServerResponse.stream(body, {
          contentType: NDJSON_MEDIA_TYPE,
          headers: {
            "content-disposition":
              `attachment; filename="assignments-` +
              `${experiment.publicId}.ndjson"`,
            "cache-control": "no-store",
          },
        });
      });

      return handlers
        .handle("list", ({ path, urlParams }) =>
          Effect.flatMap(CurrentClient, ({ clientId }) =>
            list(clientId, path.experiment_id, urlParams),
          ),
        )
        .handle("export", ({ path }) =>
          Effect.flatMap(CurrentClient, ({ clientId }) =>
            exportAll(clientId, path.experiment_id),
          ),
        );
    }),
).pipe(Layer.provide(AssignmentListingRepository.Default));
