/**
 * An experiment's assignments in listing order (assignment time, then
 * public id), read by keyset: each query starts strictly after the last
 * row of the one before, so rows inserted meanwhile neither shift nor
 * repeat what has been read, and no query scans more than it returns.
 *
 * @module
 */
import { SqlClient } from "@effect/sql";
import { Effect, Option, Schema, Stream } from "effect";
import type { AssignmentPosition } from "../api/assignment_listing.ts";
import { databaseBoundary, decodeRows, SqlTime } from "../db/mysql.ts";

/** How many rows each query of an export reads. */
export const EXPORT_CHUNK_ROWS = 5_000;

/** A stored assignment with its place in the listing order. */
export const ListedAssignment = Schema.Struct({
  publicId: Schema.String,
  variantKey: Schema.Number,
  userId: Schema.String,
  createdAt: SqlTime,
  updatedAt: SqlTime,
  sortTime: Schema.String,
});

/** A stored assignment with its place in the listing order. */
export type ListedAssignment = typeof ListedAssignment.Type;

/**
 * The position of a listed assignment, to continue after it.
 *
 * @param row The assignment.
 * @returns Its sort key, with the time at the database's precision.
 *
 * @example
 * ```ts
 * const cursor = encodeAssignmentCursor(positionOf(rows[rows.length - 1]));
 * ```
 */
export const positionOf = (row: ListedAssignment): AssignmentPosition => ({
  createdAt: row.sortTime,
  publicId: row.publicId,
});

/** Reads an experiment's assignments in order. */
export class AssignmentListingRepository extends Effect.Service<AssignmentListingRepository>()(
  "AssignmentListingRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;

      const after = Option.match({
        onNone: () => sql``,
        onSome: ({ createdAt, publicId }: AssignmentPosition) => sql`
          AND created_at >= ${createdAt}
          AND (created_at > ${createdAt} OR public_id > ${publicId})
        `,
      });

      /**
       * Up to `limit` assignments of the experiment that come after a
       * position (or from the start), in order.
       */
      const page = (
        experimentKey: number,
        from: Option.Option<AssignmentPosition>,
        limit: number,
      ) =>
        sql`
          SELECT public_id AS publicId, variant_id AS variantKey,
                 user_id AS userId, created_at AS createdAt,
                 updated_at AS updatedAt, created_at AS sortTime
          FROM assignments FORCE INDEX (ix_assignments_experiment_created)
          WHERE experiment_id = ${experimentKey} ${after(from)}
          ORDER BY created_at, public_id
          LIMIT ${sql.literal(String(Math.max(1, Math.trunc(limit))))}
        `.pipe(
          Effect.flatMap(decodeRows(ListedAssignment)),
          databaseBoundary,
          Effect.withSpan("AssignmentListingRepository.page", {
            attributes: { experimentKey, limit },
          }),
        );

      /**
       * Every assignment of the experiment, in order, as a stream of
       * chunks of at most `chunkRows`. Each chunk is one short query, so
       * no connection is held between chunks and a consumer that stops
       * pulling leaves no query behind.
       */
      const all = (experimentKey: number, chunkRows = EXPORT_CHUNK_ROWS) =>
        Stream.paginateEffect(Option.none<AssignmentPosition>(), (from) =>
          Effect.map(page(experimentKey, from, chunkRows), (rows) => {
            const last = rows[rows.length - 1];
            const next: Option.Option<Option.Option<AssignmentPosition>> =
              last === undefined || rows.length < chunkRows
                ? Option.none()
                : Option.some(Option.some(positionOf(last)));
            return [rows, next] as const;
          }),
        ).pipe(Stream.filter((rows) => rows.length > 0));

      return { page, all } as const;
    }),
  },
) {}
